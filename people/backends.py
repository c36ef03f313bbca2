"""The sign-in backend: allauth's, except that the signed-in person comes back with their roles,
officer record, unit and team already loaded, in the one query each request makes about them
(people.predicates.principal_user) instead of two."""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from people.predicates import principal_user


class PortalBackend(AuthenticationBackend):
    def get_user(self, user_id):
        try:
            pk = get_user_model()._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        user = principal_user(pk)
        return user if user is not None and self.user_can_authenticate(user) else None
