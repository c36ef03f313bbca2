"""One front door: the portal's sign-in page is the only sign-in form; Django admin and
allauth's own addresses send people to it."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory
from tests.mfa import enrol, totp_code

pytestmark = pytest.mark.django_db


def _next_of(location):
    parts = urlsplit(location)
    return parts.path, parse_qs(parts.query).get("next", [None])[0]


def test_admin_login_redirects_to_the_portals_sign_in(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert _next_of(response["Location"]) == (reverse("login"), "/admin/")


def test_admin_pages_send_the_anonymous_to_the_portals_sign_in_and_back(client):
    response = client.get("/admin/people/officer/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    path, next_url = _next_of(response.redirect_chain[-1][0])
    assert (path, next_url) == (reverse("login"), "/admin/people/officer/")
    assert response.status_code == 200 and 'name="password"' in response.content.decode()


def test_admin_has_no_password_form_of_its_own(client):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    response = client.post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert response.status_code == 302  # a redirect, not a sign-in
    assert "_auth_user_id" not in client.session
    assert "password" not in client.get("/admin/login/", follow=True).redirect_chain[-1][0]


def test_an_administrator_signs_in_at_the_front_door_and_reaches_admin(client):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    enrol(root)
    response = client.post(
        f"{reverse('login')}?next=/admin/",
        {"login": "root", "password": PASSWORD, "next": "/admin/"},
    )
    # The password is not enough for an administrator: the code comes next (tests/people/
    # test_mfa.py), then the admin.
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert client.get("/admin/").status_code == 302
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_someone_signed_in_without_admin_access_is_refused_not_looped(client, login, officer):
    login(officer)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert [url for url, _ in response.redirect_chain] == ["/admin/login/?next=/admin/"]


def test_allauths_own_login_address_is_the_same_front_door(client):
    response = client.get("/accounts/login/?next=/cases/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/cases/"


def test_nobody_signs_up_or_resets_a_password_by_themselves(client):
    assert "You cannot create a login" in client.get("/accounts/signup/").content.decode()
    assert client.post("/accounts/signup/", {"username": "x"}).status_code == 200
    assert client.get("/accounts/password/reset/").status_code == 404
    assert client.get("/accounts/email/").status_code == 404


def test_sign_out_is_a_post_and_lands_on_sign_in(client, login, officer):
    login(officer)
    assert "Sign out" in client.get(reverse("logout")).content.decode()  # asks first
    assert "_auth_user_id" in client.session
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
