"""Before any page: a signed-in person whose role needs a second factor (people/mfa.py) and who
has none is sent to set one up; one who has one but whose session has not passed it (a session
from before the second factor was required) is asked for a code. Only the pages that do that,
signing out, static files and the health check stay open to them."""

import time
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
        "health_web",
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


# How often a signed-in session's "last seen" (and address and browser) is written.
SEEN_EVERY_SECONDS = 60
SEEN_SESSION_KEY = "people_session_seen"


def mark_session_seen(request) -> None:
    """allauth records the session at sign-in: the next minute needs no other write."""
    request.session[SEEN_SESSION_KEY] = (request.session.session_key, time.time())


class SessionActivityMiddleware:
    """allauth.usersessions' record of each signed-in session (address, browser, last seen),
    the one the sessions pages list and end. allauth's own middleware writes it on every request;
    this writes it at most once a minute per session (and at once when the session's key
    changes), which is all "last seen" needs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is not None and user.is_authenticated and session and session.session_key:
            now = time.time()
            key, at = session.get(SEEN_SESSION_KEY) or ("", 0)
            if key != session.session_key or now - at >= SEEN_EVERY_SECONDS:
                from allauth.usersessions.models import UserSession

                UserSession.objects.create_from_request(request)
                session[SEEN_SESSION_KEY] = (session.session_key, now)
        return self.get_response(request)
