"""The lifecycle played by the four people, each clicking from their home page with no address
typed after signing in: a case returned, changed and resubmitted, approved, signed off, set up
(login details lodged from the case, and back to it), confirmed; then the account reported
hacked and the press office lodging new details from the incident (and back to it). Mail: one
per person per event. axe finds nothing on any page on the way. The business case itself is
also written and submitted by keyboard alone."""

import re

import pytest
from django.core import mail

from tests.browser.axe import axe_violations
from tests.browser.test_pages import _sign_in, demo_force  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Person:
    """One person's browser: signs in once, then only clicks; axe runs on every page."""

    def __init__(self, browser, base, username):
        self.base = base
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.problems = {}
        _sign_in(self.page, base, username)

    def check(self):
        self.page.wait_for_load_state()
        found = axe_violations(self.page)
        if found:
            self.problems[self.page.url] = found

    def home(self):
        self.page.get_by_role("link", name="Home", exact=True).first.click()
        self.check()

    def click(self, name, role="link", exact=False):
        self.page.get_by_role(role, name=name, exact=exact).first.click()
        self.check()

    def close(self):
        self.context.close()
        assert self.problems == {}, self.problems


def _to(*emails):
    return sorted(address for m in mail.outbox for address in m.to if address in emails)


def test_the_lifecycle_as_four_people_from_their_home_pages(browser, live_server, demo_force):  # noqa: F811
    from django.conf import settings

    from accounts.models import SocialAccount
    from people.models import Officer

    base = live_server.url
    priya = Officer.objects.get(user__username="officer")
    dan = Officer.objects.get(user__username="supervisor")
    mailbox = settings.PRESS_OFFICE_EMAIL

    # The supervisor returns Priya's case with a comment, from the to-do on his home page.
    supervisor = Person(browser, base, "supervisor")
    supervisor.click("Decide on the business case for @PriyaSharmaWMP")
    supervisor.page.get_by_label("Return for changes").check()
    supervisor.page.get_by_label("Comment").fill(
        "Say who covers the account when you are on leave."
    )
    mail.outbox.clear()
    supervisor.click("Record the decision", role="button")
    assert _to(priya.user.email, dan.user.email) == [priya.user.email]  # not to himself

    # Priya sees the return called out at home; the edit form shows the comment.
    officer = Person(browser, base, "officer")
    waiting = officer.page.locator(".app-todo-list")
    assert "Returned" in waiting.inner_text()
    officer.click("Change and resubmit your business case for @PriyaSharmaWMP")
    assert "Say who covers the account when you are on leave." in officer.page.content()
    plan = officer.page.get_by_label("Communications plan")
    plan.fill(plan.input_value() + " PC Khan covers my leave.")
    officer.click("Save your changes", role="button")
    officer.click("Resubmit the case", role="button")
    # The policy has not changed: nothing to tick again.
    assert officer.page.get_by_role("checkbox").count() == 0
    mail.outbox.clear()
    officer.click("Resubmit the case to your supervisor", role="button")
    assert "Your case is with your supervisor" in officer.page.content()
    assert _to(priya.user.email, dan.user.email) == [dan.user.email]

    # The supervisor approves; the press office's mailbox hears once, no member separately.
    supervisor.home()
    supervisor.click("Decide on the business case for @PriyaSharmaWMP")
    supervisor.page.get_by_label("Approve and send to the press office").check()
    mail.outbox.clear()
    supervisor.click("Record the decision", role="button")
    press_members = list(
        Officer.objects.filter(user__groups__name="Press office").values_list(
            "user__email", flat=True
        )
    )
    sent = [a for m in mail.outbox for a in m.to]
    assert sent.count(mailbox) == 1 and not set(press_members) & set(sent)
    assert len(sent) == len(set(sent))  # one mail per person

    # The press office signs it off from its home page.
    press = Person(browser, base, "press")
    press.click("Sign off the business case for @PriyaSharmaWMP")
    press.page.get_by_label("Sign off: put the account in the register").check()
    press.click("Record the decision", role="button")
    # From the case to its account, and back.
    press.click("@PriyaSharmaWMP (X (Twitter))")
    assert "/register/" in press.page.url
    press.page.go_back()

    # Priya sets it up: lodges the login details from the case and comes back to it.
    officer.home()
    officer.click("Set up @PriyaSharmaWMP and complete its checklist")
    case_url = officer.page.url.split("#")[0]
    officer.click("Lodge the account's login details with the press office")
    officer.page.get_by_label("Login (username or e-mail address)").fill(
        "priya.sharma@police.example"
    )
    officer.page.get_by_label("Password", exact=True).fill("Str0ng-unique-Passw0rd!")
    officer.click("Lodge login details", role="button")
    assert officer.page.url.split("#")[0] == case_url  # back where she came from
    for box in officer.page.locator("form[action*=setup] input[type=checkbox]").all():
        box.check()
    mail.outbox.clear()
    officer.click("Send to the press office to confirm", role="button")
    assert _to(mailbox) == [mailbox]

    # The press office confirms the set-up: the account is active.
    press.home()
    press.click("Confirm the set-up of @PriyaSharmaWMP")
    press.click("Confirm the set-up and make the account active", role="button")
    account = SocialAccount.objects.get(handle="PriyaSharmaWMP")
    assert account.status == SocialAccount.Status.ACTIVE

    # The account is hacked: Priya reports it from her home page.
    officer.home()
    officer.click("Report a hacked account")
    officer.page.get_by_label("Platform").select_option("x")
    officer.page.get_by_label("Handle").fill("PriyaSharmaWMP")
    officer.page.get_by_label("What happened").fill("Posts I did not write about a giveaway.")
    officer.page.get_by_label("Yes", exact=True).check()
    mail.outbox.clear()
    officer.click("Report the account as hacked", role="button")
    sent = [a for m in mail.outbox for a in m.to]
    assert priya.user.email not in sent  # not told of her own report
    assert sent.count(mailbox) == 1 and dan.user.email in sent
    assert len(sent) == len(set(sent))

    # The press office lodges new login details from the incident and comes back to it.
    press.home()
    press.click("Contain the hack of @PriyaSharmaWMP")
    incident_url = press.page.url
    press.page.get_by_role("link", name=re.compile("^Lodge")).first.click()
    press.check()
    press.page.get_by_label("Login (username or e-mail address)").fill(
        "priya.sharma@police.example"
    )
    press.page.get_by_label("Password", exact=True).fill("N3w-unique-Passw0rd!")
    press.click("Lodge login details", role="button")
    assert press.page.url == incident_url

    for person in (supervisor, officer, press):
        person.close()


def test_a_business_case_written_and_submitted_by_keyboard_alone(browser, live_server, demo_force):  # noqa: F811
    """Tab and type only: from the home page to a submitted case, no mouse."""
    from approvals.models import BusinessCase

    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _sign_in(page, base, "supervisor")  # Dan has no case of his own yet
    keys = page.keyboard

    def tab_to(name, limit=120):
        for _ in range(limit):
            keys.press("Tab")
            focused = page.evaluate(
                "() => { const e = document.activeElement; return (e.innerText || e.value ||"
                " e.getAttribute('aria-label') || '').trim() + '|' + (e.id || '') }"
            )
            if focused.split("|")[0] == name or focused.split("|")[1] == name:
                return
        raise AssertionError(f"could not reach {name} by keyboard")

    tab_to("Write a business case")
    with page.expect_navigation():
        keys.press("Enter")
    assert page.url == f"{base}/cases/new/"
    fields = {
        "id_handle": "DanHughesWMP",
        "id_display_name": "PS Dan Hughes",
        "id_policing_purpose": "Tell Stechford what its team is doing.",
        "id_audience": "Residents of Stechford.",
        "id_attracting_audience": "Cards at ward meetings.",
        "id_benefits_force": "A direct line to the community.",
        "id_benefits_public": "News of local priorities.",
        "id_expected_outcomes": "More reports through 101.",
        "id_communications_plan": "Three posts a week.",
        "id_hours_per_week": "3",
    }
    for field_id, text in fields.items():
        tab_to(field_id)
        keys.type(text)
    tab_to("id_is_event_or_campaign_1")  # "No" is chosen already; tabbing lands on it
    keys.press("Space")
    tab_to("Save as draft")
    with page.expect_navigation():
        keys.press("Enter")
    tab_to("Submit the case")
    with page.expect_navigation():
        keys.press("Enter")
    tab_to("id_read_policy")
    keys.press("Space")
    tab_to("id_read_personal_use")
    keys.press("Space")
    tab_to("Submit the case to your supervisor")
    with page.expect_navigation():
        keys.press("Enter")
    assert "Your case is with your supervisor" in page.content()
    assert BusinessCase.objects.get(handle="DanHughesWMP").state == "submitted"
    assert axe_violations(page) == []
    context.close()


def test_the_successor_is_found_by_typing_with_unit_rank_and_staff_number(
    browser,
    live_server,
    demo_force,  # noqa: F811
):
    """GOV.UK's accessible autocomplete (from npm, served from the portal's static files) on the
    successor: type part of a name, see rank, unit and staff number, choose by keyboard."""
    from handovers.models import AccountTransition
    from people.models import Officer

    base = live_server.url
    # The demo's press officer has no line supervisor to approve a handover: give her one.
    dan = Officer.objects.get(user__username="supervisor")
    Officer.objects.filter(user__username="press").update(supervisor=dan)
    press = Person(browser, base, "press")
    press.click("@WMPolice")
    press.click("Hand over, keep or close the account", role="button")
    assert "accessible-autocomplete" in press.page.content()
    press.page.get_by_label("Hand over to a successor").check()
    target = Officer.objects.get(user__username="officer")
    box = press.page.get_by_role("combobox", name="Successor")
    box.fill(target.surname)
    option = press.page.get_by_role("option", name=re.compile(target.staff_number))
    text = option.first.inner_text()
    assert target.first_name in text and str(target.unit) in text and target.staff_number in text
    press.check()
    option.first.click()
    assert target.staff_number in box.input_value()
    press.page.get_by_label("Reason").fill("Kate moves to the events team.")
    press.click("Start", role="button", exact=True)
    summary = press.page.locator(".govuk-error-summary, .govuk-notification-banner")
    assert AccountTransition.objects.filter(account__handle="WMPolice").exists(), (
        summary.all_inner_texts()
    )
    transition = AccountTransition.objects.get(account__handle="WMPolice")
    assert transition.successor == target
    press.close()
