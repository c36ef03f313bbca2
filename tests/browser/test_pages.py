"""Real pages in a real browser (Debian's Chromium through Playwright): each demo person signs
in through the form, walks their pages, and every page is checked with axe-core against WCAG
2.2 AA and for browser console errors (a blocked inline script or style would show there as a
Content Security Policy violation)."""

import os

import pytest
from django.core.management import call_command

from portal.management.commands.seed_demo import DEMO_TOTP_SECRET_DEFAULT as DEMO_SECRET
from tests.browser.axe import axe_violations
from tests.mfa import totp_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

# The pages each person uses, by URL, after signing in.
JOURNEYS = {
    "officer": [
        "/",
        "/cases/",
        "/cases/new/",
        "/register/",
        "/notifications/",
        "/reminders/leave/",
        "/cases/policy/",
        "/accounts/2fa/",
        "/accounts/2fa/totp/activate/",
        "/people/sessions/",
    ],
    "supervisor": [
        "/",
        "/cases/supervisor/",
        "/register/",
        "/cases/delegations/",
        "/reminders/recertifications/",
        "/reports/",
        "/reports/dormancy/",
        "/reports/waiting/",
        "/handovers/consolidations/",
    ],
    "press": [
        "/",
        "/cases/press-office/",
        "/register/",
        "/register/new/",
        "/credentials/",
        "/register/import/register/",
        "/audit/",
        "/reports/",
        "/reports/dormancy/",
        "/reports/orphans/",
        "/reports/waiting/",
        "/reports/credentials/",
        "/reports/recertifications/",
        "/reports/incidents/",
        "/reports/accounts-over-time/",
        "/handovers/consolidations/",
        "/accounts/2fa/",
        "/accounts/2fa/recovery-codes/",
    ],
    "auditor": [
        "/",
        "/register/",
        "/audit/",
        "/incidents/",
        "/reports/",
        "/reports/dormancy/",
        "/reports/orphans/",
        "/reports/waiting/",
        "/reports/credentials/",
        "/reports/recertifications/",
        "/reports/incidents/",
    ],
    "admin": [
        "/",
        "/handovers/leavers/",
        "/register/",
        "/people/roles/",
        "/people/roles/requests/",
        "/people/sessions/",
    ],
}


# The demo logins asked for a code at sign-in, with the axe findings on the code page.
SECOND_FACTOR = {"press": None, "admin": None}


@pytest.fixture
def demo_force(transactional_db):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


def _sign_in(page, base, username):
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo-portal-2026")
    page.get_by_role("button", name="Sign in").click()
    if username in SECOND_FACTOR:
        # The press office and the administrator type the code of the demo's authenticator
        # key (README, "Demo logins"); the code page is checked like any other.
        page.wait_for_url(f"{base}/accounts/2fa/authenticate/")
        SECOND_FACTOR[username] = axe_violations(page)
        page.get_by_label("Code from your authenticator app").fill(totp_code(DEMO_SECRET))
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/")


@pytest.mark.parametrize("username", list(JOURNEYS))
def test_each_persons_pages_are_accessible_and_error_free(
    browser, live_server, demo_force, username
):
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on(
        "console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    page.on(
        "response", lambda r: errors.append(f"{r.url}: {r.status}") if r.status >= 400 else None
    )
    _sign_in(page, live_server.url, username)
    problems = {}
    for path in JOURNEYS[username]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, f"{username} {path}: {response.status}"
        assert page.locator("h1").count() == 1, f"{path} needs exactly one h1"
        violations = axe_violations(page)
        if violations:
            problems[path] = violations
    context.close()
    if SECOND_FACTOR.get(username):
        problems["/accounts/2fa/authenticate/"] = SECOND_FACTOR[username]
    assert problems == {}, problems
    assert errors == [], errors


def test_an_administrator_changes_a_role_in_the_browser(browser, live_server, demo_force):
    """The Roles pages, their form with its error summary and the success banner all pass axe."""
    context = browser.new_context()
    page = context.new_page()
    _sign_in(page, live_server.url, "admin")
    page.get_by_role("link", name="Roles", exact=True).first.click()
    page.get_by_label("Search").fill("4471")
    page.get_by_role("button", name="Apply filters").click()
    page.get_by_role("link", name="Priya Sharma").click()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Change the role").click()  # nothing chosen
    assert page.locator(".govuk-error-summary").count() == 1
    assert axe_violations(page) == []
    page.get_by_label("Give the role").check()
    page.get_by_label("Supervisor").check()
    page.get_by_label("Why?").fill("Acting sergeant while PS Hughes is away")
    page.get_by_role("button", name="Change the role").click()
    assert page.get_by_text("Priya Sharma now holds the Supervisor role.").count() == 1
    assert axe_violations(page) == []
    context.close()
