from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "People: units, officers, delegations and leave"

    def ready(self):
        _rules_bind_superusers_too()
        from people import signals

        signals.connect()


def _rules_bind_superusers_too():
    """The portal's rules (rules.py in each app) apply to everyone, superusers included.

    Django's `User.has_perm` answers True for any active superuser before asking a backend,
    which would let an administrator who is also an officer approve their own case or reveal
    login details. For a permission the portal's rules define, the rule alone decides; for any
    other (the Django admin's model permissions) Django's own answer stands. Swapping the user
    model would be the tidier place for this, but it is fixed once a project has migrated."""
    import rules
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import PermissionsMixin

    django_has_perm = PermissionsMixin.has_perm

    def has_perm(user, perm, obj=None):
        if rules.perm_exists(perm):
            return user.is_active and rules.has_perm(perm, user, obj)
        return django_has_perm(user, perm, obj)

    get_user_model().has_perm = has_perm
