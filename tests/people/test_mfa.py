"""The second factor (allauth.mfa): required of the press office and administrators before any
page, set up at their first sign-in, asked for at every sign-in once set up (password or single
sign-on), optional for everyone else. These tests sign in through the real pages, so the test
client's shortcut that adds a second factor (tests/conftest.py) is off here."""

import re

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from people.roles import Role
from tests.factories import PASSWORD, OfficerFactory, UserFactory
from tests.mfa import enrol, recovery_codes, sign_in, totp_code
from tests.people.test_sso import sign_in as sso_sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.real_second_factor]

MIDDLEWARE = "people.middleware.SecondFactorRequiredMiddleware"


@pytest.fixture
def administrator(db):
    return OfficerFactory(rank="staff", roles=[Role.ADMINISTRATOR])


def _signed_in(client):
    return client.session.get("_auth_user_id")


# Required before any page ---------------------------------------------------------------------


def test_the_middleware_is_on_in_the_default_settings():
    assert MIDDLEWARE in settings.MIDDLEWARE
    auth = settings.MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    assert settings.MIDDLEWARE.index(MIDDLEWARE) > auth


@pytest.mark.parametrize("who", ["press_officer", "administrator", "superuser"])
def test_press_office_and_administrators_without_a_second_factor_reach_no_page(
    client, request, who, officer
):
    if who == "superuser":
        user = UserFactory(is_staff=True, is_superuser=True)
    else:
        user = request.getfixturevalue(who).user
    client.force_login(user)
    for url in ["/", "/register/", "/credentials/", "/audit/", "/admin/", "/reports/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_activate_totp"), url
    # ...but they may still sign out, and the health check and static files answer.
    assert client.get(reverse("logout")).status_code == 200
    assert client.get("/health/web/?format=json").status_code == 200
    assert client.get("/static/portal.js").status_code == 200


@pytest.mark.parametrize("who", ["officer", "supervisor", "auditor"])
def test_others_are_not_asked(client, request, who):
    client.force_login(request.getfixturevalue(who).user)
    assert client.get("/").status_code == 200


def test_a_session_without_the_code_is_asked_for_it_then_goes_on(client, press_officer):
    """A press officer with an authenticator whose session never passed it (say, signed in
    before the second factor was required) types a code, then reaches the page."""
    enrol(press_officer.user)
    client.force_login(press_officer.user)
    response = client.get("/register/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('mfa_reauthenticate')}?next=%2Fregister%2F"
    response = client.post(response["Location"], {"code": "000000"})
    assert "The code is not right" in response.content.decode()
    response = client.post(
        f"{reverse('mfa_reauthenticate')}?next=/register/", {"code": totp_code()}
    )
    assert response.status_code == 302 and response["Location"] == "/register/"
    assert client.get("/register/").status_code == 200


# Enrolment at the first sign-in -----------------------------------------------------------


def test_a_press_officer_sets_up_the_app_at_first_sign_in_then_needs_a_code(
    client, press_officer, django_capture_on_commit_callbacks
):
    username = press_officer.user.username
    response = sign_in(client, username, next_url="/register/")
    assert response.status_code == 302 and response["Location"] == "/register/"
    response = client.get("/register/")
    assert response["Location"] == reverse("mfa_activate_totp")

    # Just signed in: no second password. The page shows the QR code and the key.
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    html = page.content.decode()
    assert secret in html and "data:image/svg+xml;base64," in html
    assert "Your role holds the force" in html

    wrong = client.post(reverse("mfa_activate_totp"), {"code": "123456"})
    assert wrong.status_code == 200 and "The code is not right" in wrong.content.decode()
    assert not Authenticator.objects.filter(user=press_officer.user).exists()

    with django_capture_on_commit_callbacks(execute=True):  # allauth signals on commit
        response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    types = set(
        Authenticator.objects.filter(user=press_officer.user).values_list("type", flat=True)
    )
    assert types == {"totp", "recovery_codes"}
    codes_page = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    codes = recovery_codes(press_officer.user)
    assert len(codes) == 10 and all(code in codes_page for code in codes)
    assert 'href="/register/"' in codes_page  # "Continue" goes where they were going
    # Setting it up proved the second factor: the pages open.
    assert client.get("/register/").status_code == 200

    # Next sign-in: the password alone is not enough.
    client.post(reverse("logout"))
    response = client.post(reverse("login"), {"login": username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert _signed_in(client) is None
    page = client.get(reverse("mfa_authenticate")).content.decode()
    assert "Enter your code" in page and 'name="code"' in page
    register = client.get("/register/")  # still signed out: sent to sign in, no register
    assert register.status_code == 302 and register["Location"].startswith(reverse("login"))
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret, step=1)})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert _signed_in(client) == str(press_officer.user.pk)
    assert client.get("/register/").status_code == 200


def test_a_wrong_code_signs_nobody_in_and_a_used_code_is_refused(client, press_officer):
    enrol(press_officer.user)
    username = press_officer.user.username
    client.post(reverse("login"), {"login": username, "password": PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200 and "The code is not right" in response.content.decode()
    assert _signed_in(client) is None
    code = totp_code()
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    client.post(reverse("logout"))
    client.post(reverse("login"), {"login": username, "password": PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": code})  # replayed
    assert response.status_code == 200 and _signed_in(client) is None


def test_wrong_codes_are_throttled_like_passwords(client, press_officer):
    enrol(press_officer.user)
    client.post(reverse("login"), {"login": press_officer.user.username, "password": PASSWORD})
    for _ in range(5):
        client.post(reverse("mfa_authenticate"), {"code": "000000"})
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert "Too many wrong codes" in response.content.decode()
    assert _signed_in(client) is None


def test_a_recovery_code_signs_in_once(client, press_officer):
    enrol(press_officer.user)
    code = recovery_codes(press_officer.user)[0]
    username = press_officer.user.username
    client.post(reverse("login"), {"login": username, "password": PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302 and _signed_in(client) == str(press_officer.user.pk)
    assert code not in recovery_codes(press_officer.user)
    client.post(reverse("logout"))
    client.post(reverse("login"), {"login": username, "password": PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 200 and _signed_in(client) is None


def test_the_press_office_cannot_switch_their_second_factor_off(client, press_officer):
    enrol(press_officer.user)
    sign_in(client, press_officer.user.username)
    page = client.get(reverse("mfa_index")).content.decode()
    assert "Your role needs a second factor" in page
    assert reverse("mfa_deactivate_totp") not in page
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 200
    assert "you cannot switch it off" in response.content.decode()
    assert Authenticator.objects.filter(user=press_officer.user, type="totp").exists()


# Optional for everyone else ---------------------------------------------------------------


def test_an_officer_may_add_a_second_factor_from_their_page(client, officer):
    assert sign_in(client, officer.user.username).status_code == 302
    mine = client.get(reverse("me")).content.decode()
    assert f'href="{reverse("mfa_index")}"' in mine  # "Your account" → "Sign-in security"
    page = client.get(reverse("mfa_index")).content.decode()
    assert "Set up an authenticator app" in page
    client.get(reverse("mfa_activate_totp"))
    secret = client.session[SECRET_SESSION_KEY]
    client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert Authenticator.objects.filter(user=officer.user, type="totp").exists()
    # Then it is asked for at sign-in, and the officer may switch it off again.
    client.post(reverse("logout"))
    response = client.post(reverse("login"), {"login": officer.user.username, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret, step=1)})
    assert _signed_in(client) == str(officer.user.pk)
    assert client.post(reverse("mfa_deactivate_totp")).status_code == 302
    assert not Authenticator.objects.filter(user=officer.user).exists()


def test_changing_a_second_factor_long_after_sign_in_asks_for_the_password(client, officer):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        sign_in(client, officer.user.username)
        traveller.shift(settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 1)
        response = client.get(reverse("mfa_activate_totp"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_reauthenticate"))
        page = client.get(response["Location"]).content.decode()
        assert "Confirm your password" in page


# Single sign-on asks for it too -------------------------------------------------------------


def test_single_sign_on_asks_for_the_code_once_set_up(client, oidc_provider, press_officer):
    enrol(press_officer.user)
    oidc_provider.claims = {"sub": "entra-oid-press", "email": press_officer.user.email}
    response = sso_sign_in(client, oidc_provider)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert _signed_in(client) is None
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 302 and _signed_in(client) == str(press_officer.user.pk)
    assert client.get("/register/").status_code == 200


def test_single_sign_on_sends_a_press_officer_without_one_to_set_it_up(
    client, oidc_provider, press_officer, django_capture_on_commit_callbacks
):
    oidc_provider.claims = {"sub": "entra-oid-press", "email": press_officer.user.email}
    response = sso_sign_in(client, oidc_provider)
    assert response.status_code == 302 and _signed_in(client) == str(press_officer.user.pk)
    assert client.get("/").status_code == 302
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200  # just signed in: no password asked (they may have none)
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', page.content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret.group(1))})
    assert client.get("/").status_code == 200


# The admin --------------------------------------------------------------------------------


def test_signing_in_for_the_admin_asks_for_the_code(client):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    enrol(root)
    response = sign_in(client, "root", next_url="/admin/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
