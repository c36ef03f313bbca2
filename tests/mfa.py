"""Second-factor helpers for the tests: a known authenticator-app key, the codes it gives now,
and a session marked as having passed the second factor the way allauth marks it."""

import time

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.test import RequestFactory

from people.mfa import requires_second_factor, totp_enrol

TEST_TOTP_SECRET = "TESTPORTALTOTPSECRETKEYABCDEFGHI"  # base32, 20 bytes


def totp_code(secret: str = TEST_TOTP_SECRET, step: int = 0) -> str:
    """The code an authenticator app with `secret` shows now (step=-1 the one before, +1 the one
    after: MFA_TOTP_TOLERANCE accepts both, and each code is accepted once)."""
    counter = int(time.time()) // settings.MFA_TOTP_PERIOD + step
    return format_hotp_value(hotp_value(secret, counter))


def enrol(user, secret: str = TEST_TOTP_SECRET) -> Authenticator:
    return totp_enrol(user=user, secret=secret)


def recovery_codes(user) -> list[str]:
    rc = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    return rc.wrap().get_unused_codes()


def pass_second_factor(client, user) -> None:
    """Mark the test client's session as having passed the second factor (allauth's own record
    of a session's sign-in steps), as typing a code at sign-in would."""
    request = RequestFactory().get("/")
    request.session = client.session
    request.user = user
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    record_authentication(request, user, "mfa", id=totp.pk, type=totp.type)
    request.session.save()


def record_session(client, user) -> None:
    """The session row allauth.usersessions makes when someone signs in through allauth."""
    from allauth.usersessions.models import UserSession

    from people.middleware import mark_session_seen

    request = RequestFactory().get("/")
    request.session = client.session
    request.user = user
    UserSession.objects.create_from_request(request, user=user)
    mark_session_seen(request)
    request.session.save()


def sign_in_with_second_factor(client, user) -> None:
    """What the tests' client.login/force_login add, as signing in through allauth's pages
    would (tests/conftest.py): the session's row, and for a person whose role needs a second
    factor an authenticator app and a session that has passed it."""
    record_session(client, user)
    if requires_second_factor(user):
        enrol(user)
        pass_second_factor(client, user)


def sign_in(client, username, password=None, *, secret=TEST_TOTP_SECRET, next_url=None, step=0):
    """Sign in through the real pages: the password form, then (when allauth asks) the code an
    authenticator app with `secret` shows. Returns the last response (a redirect on success)."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from tests.factories import PASSWORD

    url = reverse("login") + (f"?{urlencode({'next': next_url})}" if next_url else "")
    data = {"login": username, "password": PASSWORD if password is None else password}
    if next_url:
        data["next"] = next_url
    response = client.post(url, data)
    if response.status_code == 302 and response["Location"] == reverse("mfa_authenticate"):
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret, step)})
    return response
