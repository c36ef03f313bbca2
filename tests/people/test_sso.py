"""Single sign-on through a real OpenID Connect flow: the test client starts the sign-in, plays
the browser at the local provider (tests/oidc_provider.py) and brings the code back to the
portal's callback, which fetches and checks the ID token from the provider's token endpoint."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount as LinkedIdentity
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from people.models import Officer
from tests.factories import OfficerFactory
from tests.oidc_provider import new_rsa_key

pytestmark = pytest.mark.django_db

SSO_LOGIN = reverse("openid_connect_login", kwargs={"provider_id": "entra"})


def start(client, next_url=None):
    """Press "Sign in with Microsoft Entra ID": the portal redirects to the provider."""
    response = client.post(SSO_LOGIN, {"next": next_url} if next_url else {})
    assert response.status_code == 302, response.content
    return response["Location"]


def finish(client, provider, authorize_url):
    """Go to the provider, then bring its redirect back to the portal's callback."""
    callback = urlsplit(provider.send_browser(authorize_url))
    assert callback.netloc == "testserver"
    assert callback.path == reverse("openid_connect_callback", kwargs={"provider_id": "entra"})
    return client.get(f"{callback.path}?{callback.query}")


def sign_in(client, provider, next_url=None):
    return finish(client, provider, start(client, next_url))


def signed_in_as(client):
    return client.session.get("_auth_user_id")


@pytest.fixture
def counts():
    def _counts():
        return get_user_model().objects.count(), LinkedIdentity.objects.count()

    return _counts


def test_the_sign_in_page_offers_single_sign_on_and_passwords(client, oidc_provider):
    html = client.get(reverse("login")).content.decode()
    assert "Sign in with Microsoft Entra ID" in html
    assert f'action="{SSO_LOGIN}"' in html
    assert 'name="login"' in html  # local passwords are on by default


def test_without_configuration_there_is_no_single_sign_on(client):
    assert "Sign in with" not in client.get(reverse("login")).content.decode()
    assert client.post(SSO_LOGIN).status_code == 404


def test_an_officer_signs_in_and_lands_on_home(client, oidc_provider, officer, counts):
    oidc_provider.claims = {"sub": "entra-oid-1", "email": officer.user.email.upper()}
    before = counts()

    response = sign_in(client, oidc_provider)

    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert signed_in_as(client) == str(officer.user.pk)
    assert officer.full_name in client.get(reverse("home")).content.decode()
    # The request carried PKCE (S256) and a nonce; the token request proved the verifier.
    authorization = oidc_provider.authorizations[-1]
    assert authorization["code_challenge_method"] == "S256" and authorization["nonce"]
    assert "openid" in authorization["scope"].split()
    # The redirect URI the README tells administrators to register.
    assert authorization["redirect_uri"] == "http://testserver/accounts/oidc/entra/login/callback/"
    assert oidc_provider.token_requests[-1]["status"] == 200
    assert oidc_provider.token_requests[-1]["form"]["code_verifier"]
    # No new user; the provider's identity is linked to the officer's login.
    assert counts() == (before[0], before[1] + 1)
    link = LinkedIdentity.objects.get()
    assert (link.user, link.uid, link.provider) == (officer.user, "entra-oid-1", "entra")


def test_next_is_honoured(client, oidc_provider, officer):
    oidc_provider.claims = {"sub": "entra-oid-1", "email": officer.user.email}
    response = sign_in(client, oidc_provider, next_url=reverse("approvals:mine"))
    assert response["Location"] == reverse("approvals:mine")


def test_next_off_the_portal_is_ignored(client, oidc_provider, officer):
    oidc_provider.claims = {"sub": "entra-oid-1", "email": officer.user.email}
    response = sign_in(client, oidc_provider, next_url="https://evil.example/")
    assert response["Location"] == reverse("home")


def test_a_staff_number_claim_matches_without_an_email(client, oidc_provider, officer, settings):
    settings.OIDC_STAFF_NUMBER_CLAIM = "employee_number"
    officer.staff_number = "PS2231"
    officer.save()
    oidc_provider.claims = {"sub": "entra-oid-2", "employee_number": "ps2231"}
    response = sign_in(client, oidc_provider)
    assert response.status_code == 302
    assert signed_in_as(client) == str(officer.user.pk)


def test_later_sign_ins_follow_the_link_even_when_the_email_changes(client, oidc_provider, officer):
    oidc_provider.claims = {"sub": "entra-oid-1", "email": officer.user.email}
    sign_in(client, oidc_provider)
    client.logout()
    oidc_provider.claims = {"sub": "entra-oid-1", "email": "priya.new-name@example.police.uk"}
    response = sign_in(client, oidc_provider)
    assert response.status_code == 302
    assert signed_in_as(client) == str(officer.user.pk)
    assert LinkedIdentity.objects.count() == 1


def _assert_refused(response, client, counts, before, *words, status=403):
    html = response.content.decode()
    assert response.status_code == status, html
    for word in words:
        assert word in html
    assert "_auth_user_id" not in client.session
    assert counts() == before
    assert client.get(reverse("home")).status_code == 302  # still signed out


def test_an_unknown_person_is_refused_with_a_clear_page(client, oidc_provider, officer, counts):
    before = counts()
    oidc_provider.claims = {"sub": "stranger", "email": "stranger@example.com", "employeeid": "9"}
    response = sign_in(client, oidc_provider)
    _assert_refused(
        response,
        client,
        counts,
        before,
        "You cannot sign in to the portal",
        "Nobody in the portal has your staff number or e-mail address.",
        "stranger@example.com",
        "Contact the IT service desk",
    )


def test_a_leaver_is_refused(client, oidc_provider, officer, counts):
    officer.status = Officer.Status.LEFT
    officer.status_changed_on = datetime.date(2026, 3, 31)
    officer.save()
    before = counts()
    oidc_provider.claims = {"sub": "entra-oid-1", "email": officer.user.email}
    response = sign_in(client, oidc_provider)
    _assert_refused(
        response, client, counts, before, "you left the force on 31 March 2026", "still with"
    )


def test_a_leaver_already_linked_is_refused(client, oidc_provider, officer, counts, settings):
    oidc_provider.claims = {"sub": "entra-oid-1", "email": officer.user.email}
    sign_in(client, oidc_provider)
    client.logout()
    officer.status = Officer.Status.LEFT
    officer.status_changed_on = datetime.date(2026, 3, 31)
    officer.save()
    before = counts()
    _assert_refused(sign_in(client, oidc_provider), client, counts, before, "left the force")


def test_a_switched_off_login_is_refused(client, oidc_provider, officer, counts):
    officer.user.is_active = False
    officer.user.save()
    before = counts()
    oidc_provider.claims = {"sub": "entra-oid-1", "email": officer.user.email}
    response = sign_in(client, oidc_provider)
    _assert_refused(response, client, counts, before, "Your portal login has been switched off.")


def test_staff_number_and_email_of_two_people_are_refused(
    client, oidc_provider, officer, other_officer, counts
):
    before = counts()
    oidc_provider.claims = {
        "sub": "entra-oid-1",
        "email": officer.user.email,
        "employeeid": other_officer.staff_number,
    }
    response = sign_in(client, oidc_provider)
    _assert_refused(response, client, counts, before, "two different people")


def test_an_email_two_records_share_is_refused(client, oidc_provider, officer, counts):
    OfficerFactory(user__email=officer.user.email.upper())
    before = counts()
    oidc_provider.claims = {"sub": "entra-oid-1", "email": officer.user.email}
    _assert_refused(sign_in(client, oidc_provider), client, counts, before, "More than one")


def test_a_refusal_signs_out_whoever_was_signed_in(client, oidc_provider, officer, login):
    login(officer)
    oidc_provider.claims = {"sub": "stranger", "email": "stranger@example.com"}
    response = sign_in(client, oidc_provider)
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


# Tokens the portal must not accept ------------------------------------------------------------


@pytest.fixture
def attempt(client, oidc_provider, officer, counts):
    """Sign in as `officer` with the provider misbehaving as the test has set it up; assert
    the error page, nobody signed in and no user or link created."""
    oidc_provider.claims = {"sub": "entra-oid-1", "email": officer.user.email}

    def _attempt():
        before = counts()
        response = sign_in(client, oidc_provider)
        _assert_refused(response, client, counts, before, "Single sign-on did not work", status=401)
        return response

    return _attempt


def test_a_token_for_another_audience_is_refused(oidc_provider, attempt):
    oidc_provider.id_token_changes = {"aud": "some-other-application"}
    attempt()


def test_an_expired_token_is_refused(oidc_provider, attempt):
    oidc_provider.id_token_changes = {"exp": 1_700_000_000, "iat": 1_699_990_000}
    attempt()


def test_a_token_from_another_issuer_is_refused(oidc_provider, attempt):
    oidc_provider.id_token_changes = {"iss": "https://login.microsoftonline.com/other/v2.0"}
    attempt()


def test_a_bad_signature_is_refused(oidc_provider, attempt):
    oidc_provider.sign_with = new_rsa_key()  # same kid, another key
    attempt()


def test_a_token_without_this_attempts_nonce_is_refused(oidc_provider, attempt):
    oidc_provider.id_token_changes = {"nonce": "replayed-from-another-sign-in"}
    attempt()


def test_userinfo_about_someone_else_is_refused(oidc_provider, attempt):
    oidc_provider.userinfo_changes = {"sub": "someone-else"}
    attempt()


def test_a_code_injected_into_another_browsers_sign_in_fails_pkce(
    client, oidc_provider, officer, counts
):
    """An attacker's code (issued for the attacker's PKCE challenge) fed to a victim's callback:
    the victim's code_verifier does not match, so the provider refuses the token request."""
    oidc_provider.claims = {"sub": "entra-oid-1", "email": officer.user.email}
    attacker = Client()
    attacker_callback = urlsplit(oidc_provider.send_browser(start(attacker)))
    stolen_code = parse_qs(attacker_callback.query)["code"][0]

    victim_authorize = start(client)
    victim_state = parse_qs(urlsplit(victim_authorize).query)["state"][0]
    before = counts()
    response = client.get(
        reverse("openid_connect_callback", kwargs={"provider_id": "entra"}),
        {"code": stolen_code, "state": victim_state},
    )
    _assert_refused(response, client, counts, before, "Single sign-on did not work", status=401)
    assert oidc_provider.token_requests[-1]["status"] == 400
    assert oidc_provider.token_requests[-1]["body"]["error_description"] == "PKCE check failed"


def test_a_callback_with_an_unknown_state_is_refused(client, oidc_provider, officer, counts):
    oidc_provider.claims = {"sub": "entra-oid-1", "email": officer.user.email}
    callback = urlsplit(oidc_provider.send_browser(start(Client())))  # another browser's state
    before = counts()
    response = client.get(f"{callback.path}?{callback.query}")
    _assert_refused(response, client, counts, before, "Single sign-on did not work", status=401)
    assert oidc_provider.token_requests == []  # the code was never even tried


def test_a_callback_used_twice_is_refused(client, oidc_provider, officer, counts):
    oidc_provider.claims = {"sub": "entra-oid-1", "email": officer.user.email}
    callback = urlsplit(oidc_provider.send_browser(start(client)))
    assert client.get(f"{callback.path}?{callback.query}").status_code == 302
    client.logout()
    before = counts()
    response = client.get(f"{callback.path}?{callback.query}")
    _assert_refused(response, client, counts, before, "Single sign-on did not work", status=401)


def test_cancelling_at_the_provider_says_so(client, oidc_provider):
    state = parse_qs(urlsplit(start(client)).query)["state"][0]
    callback = reverse("openid_connect_callback", kwargs={"provider_id": "entra"})
    response = client.get(callback, {"error": "access_denied", "state": state}, follow=True)
    assert "Sign-in cancelled" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_get_on_the_start_url_asks_to_continue_rather_than_redirecting(client, oidc_provider):
    """A link cannot start a sign-in (login CSRF): only the page's POST does."""
    response = client.get(SSO_LOGIN)
    assert response.status_code == 200
    assert "Sign in with Microsoft Entra ID" in response.content.decode()
    assert oidc_provider.authorizations == []


def test_an_unreachable_provider_gives_the_error_page_not_a_500(client, oidc_provider, settings):
    from portal.settings.sso import openid_connect_provider

    settings.SOCIALACCOUNT_PROVIDERS = openid_connect_provider(
        issuer="http://127.0.0.1:9",  # nothing listens on the discard port
        client_id="portal-test-client",
        client_secret="test-secret",
    )
    response = client.post(SSO_LOGIN)
    assert response.status_code == 401
    assert "Single sign-on did not work" in response.content.decode()
