"""The sign-in page with local passwords on (the demo) and switched off (single sign-on only,
but for the named break-glass administrators)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _password(client, username, password=PASSWORD, url=None):
    return client.post(url or reverse("login"), {"login": username, "password": password})


def test_by_default_the_page_offers_the_password_form_only(client):
    html = client.get(reverse("login")).content.decode()
    assert 'name="login"' in html and 'name="password"' in html
    assert "Sign in with" not in html


def test_an_inactive_login_with_the_right_password_is_told_it_is_switched_off(client, officer):
    officer.user.is_active = False
    officer.user.save()
    response = _password(client, officer.user.username, PASSWORD)
    assert "_auth_user_id" not in client.session
    response = client.get(response["Location"])
    assert "Your portal login is switched off" in response.content.decode()


def test_signing_in_creates_no_user_and_keeps_the_session_for_a_shift(client, officer, settings):
    users = get_user_model().objects.count()
    assert _password(client, officer.user.username).status_code == 302
    assert get_user_model().objects.count() == users
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


@pytest.fixture
def passwords_off(settings, oidc_provider):
    settings.LOCAL_PASSWORDS_ENABLED = False
    settings.BREAK_GLASS_USERNAMES = ["root"]
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def test_switched_off_the_page_offers_only_single_sign_on(client, passwords_off):
    html = client.get(reverse("login")).content.decode()
    assert "Sign in with Microsoft Entra ID" in html
    assert 'name="password"' not in html


def test_switched_off_a_password_is_refused_even_when_right(client, passwords_off, officer):
    response = _password(client, officer.user.username)
    assert response.status_code == 200
    assert "Passwords are switched off for this portal" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_switched_off_a_break_glass_administrator_still_signs_in(client, passwords_off):
    html = client.get(reverse("login") + "?break-glass").content.decode()
    assert "Break-glass sign-in" in html and 'name="password"' in html
    response = _password(client, "ROOT", url=reverse("login") + "?break-glass")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(passwords_off.pk)


def test_switched_off_the_break_glass_list_is_still_throttled(client, passwords_off):
    for _ in range(5):
        _password(client, "root", "wrong")
    response = _password(client, "root")
    assert "Too many wrong passwords" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_too_many_attempts_from_one_address_get_a_portal_page(client):
    for _ in range(30):  # allauth's limit on sign-in POSTs per address (a minute)
        client.post(reverse("login"), {})
    response = client.post(reverse("login"), {})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert "govuk-template" in response.content.decode()
