"""Single sign-on in a real browser against the local OpenID Connect provider: the button's POST
is redirected to the provider and back (which the Content Security Policy's form-action must
allow), and the pages on the way are accessible."""

import pytest

from tests.browser.axe import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.errors = []
    page.on(
        "console",
        lambda m: page.errors.append(f"{page.url}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: page.errors.append(f"{page.url}: {e}"))
    yield page
    context.close()


def test_an_officer_signs_in_with_single_sign_on(page, live_server, oidc_provider, officer):
    oidc_provider.claims = {"sub": "entra-oid-browser", "email": officer.user.email}
    page.goto(f"{live_server.url}/login/")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Sign in with Microsoft Entra ID").click()
    page.wait_for_url(f"{live_server.url}/")
    assert officer.full_name in page.content()
    assert oidc_provider.token_requests[-1]["status"] == 200
    assert page.errors == []


def test_an_unknown_person_sees_why_they_cannot_sign_in(page, live_server, oidc_provider):
    oidc_provider.claims = {"sub": "stranger", "email": "stranger@example.com"}
    page.goto(f"{live_server.url}/login/")
    page.get_by_role("button", name="Sign in with Microsoft Entra ID").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "You cannot sign in to the portal"
    assert "stranger@example.com" in page.content()
    assert axe_violations(page) == []
    assert [e for e in page.errors if "403" not in e] == []
