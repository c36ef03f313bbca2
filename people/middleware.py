"""Before any page: a signed-in person whose role needs a second factor (people/mfa.py) and who
has none is sent to set one up; one who has one but whose session has not passed it (a session
from before the second factor was required) is asked for a code. Only the pages that do that,
signing out, static files and the health check stay open to them."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse

from people.mfa import (
    ENROL_NEXT_SESSION_KEY,
    has_second_factor,
    passed_second_factor,
    requires_second_factor,
)

# URL names a person still without their second factor may use.
OPEN_URL_NAMES = frozenset(
    {
        "mfa_activate_totp",
        "mfa_view_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_authenticate",
        "mfa_reauthenticate",
        "account_reauthenticate",
        "login",
        "account_login",
        "logout",
        "account_logout",
        "health",
    }
)


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or self._is_open(request)
            or not requires_second_factor(user)
            or passed_second_factor(request)
        ):
            return self.get_response(request)
        going_to = request.get_full_path() if request.method == "GET" else reverse("home")
        if has_second_factor(user):
            url = reverse("mfa_reauthenticate")
            return HttpResponseRedirect(f"{url}?{urlencode({'next': going_to})}")
        request.session[ENROL_NEXT_SESSION_KEY] = going_to
        return HttpResponseRedirect(reverse("mfa_activate_totp"))

    @staticmethod
    def _is_open(request) -> bool:
        if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.url_name in OPEN_URL_NAMES
