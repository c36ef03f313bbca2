"""Reporting by handle, what a reporter who cannot see the account sees, the lists, the menu and
the home tiles."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import SocialAccount
from audit.models import AuditEvent
from incidents.models import Incident, Report
from tests.factories import IncidentFactory, IncidentStepFactory, OfficerFactory

pytestmark = pytest.mark.django_db

FORM = {
    "platform": "x",
    "handle": "@priyasharmawmp",
    "what_happened": "A resident showed me a strange post from this account.",
    "noticed_at": "2026-11-20 09:00",
    "link_clicked": "unsure",
    "rogue_posts": "A post offering free tickets.",
}


def test_an_unknown_handle_gets_a_clear_field_error(login, other_officer, account):
    client = login(other_officer)
    response = client.post(reverse("incidents:report"), {**FORM, "handle": "NoSuchAccount"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "@NoSuchAccount is not one of the force&#x27;s accounts" in page
    assert "govuk-error-summary" in page
    assert not Incident.objects.exists()


def test_a_reporter_who_cannot_see_the_account_sees_only_their_reports_status(
    login, other_officer, press_officer, account, django_capture_on_commit_callbacks
):
    client = login(other_officer)
    assert client.get(reverse("incidents:report")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("incidents:report"), FORM)
    assert response.status_code == 302
    assert response.url == reverse("incidents:mine")
    incident = Incident.objects.get()
    account.refresh_from_db()
    assert account.status == SocialAccount.Status.COMPROMISED
    assert any(settings.PRESS_OFFICE_EMAIL in m.to for m in mail.outbox)
    mine = client.get(reverse("incidents:mine")).content.decode()
    assert "@PriyaSharmaWMP" in mine and 'data-state="reported"' in mine
    # Nothing else: no link to the incident, which is a 404 for them, and not in their list.
    assert reverse("incidents:detail", args=[incident.pk]) not in mine
    assert client.get(reverse("incidents:detail", args=[incident.pk])).status_code == 404
    assert "@PriyaSharmaWMP" not in client.get(reverse("incidents:list")).content.decode()
    assert client.get(reverse("accounts:detail", args=[account.pk])).status_code == 404


def test_a_person_cannot_report_from_the_page_of_an_account_they_cannot_see(
    login, other_officer, account
):
    url = reverse("incidents:report_account", args=[account.pk])
    assert login(other_officer).get(url).status_code == 404


def test_the_account_page_offers_the_report_and_links_the_open_incident(login, supervisor, account):
    incident = IncidentFactory(account=account)
    page = login(supervisor).get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert reverse("incidents:report_account", args=[account.pk]) in page
    assert reverse("incidents:detail", args=[incident.pk]) in page


def test_the_lists_show_each_person_the_incidents_they_may_see_with_their_age(
    login, officer, supervisor, other_officer, press_officer, auditor, account
):
    mine = IncidentFactory(account=account, reported_at=timezone.now() - datetime.timedelta(days=3))
    theirs = IncidentFactory(account__owner=other_officer)
    for person, expected in [
        (officer, {mine}),
        (supervisor, {mine}),
        (other_officer, {theirs}),
        (press_officer, {mine, theirs}),
        (auditor, {mine, theirs}),
    ]:
        page = login(person).get(reverse("incidents:list")).content.decode()
        for incident in (mine, theirs):
            link = reverse("incidents:detail", args=[incident.pk])
            assert (link in page) == (incident in expected), (person, incident)
    page = login(press_officer).get(reverse("incidents:list")).content.decode()
    assert "3 d" in page  # the age of the older one


def test_the_list_filters_by_state(login, press_officer, account):
    open_one = IncidentFactory(account=account)
    page = login(press_officer).get(reverse("incidents:list") + "?state=resolved")
    assert reverse("incidents:detail", args=[open_one.pk]) not in page.content.decode()
    page = login(press_officer).get(reverse("incidents:list") + "?state=reported")
    assert reverse("incidents:detail", args=[open_one.pk]) in page.content.decode()


def test_the_checklist_shows_who_did_each_step_and_when(login, officer, account):
    incident = IncidentFactory(account=account)
    IncidentStepFactory(incident=incident, done_by=officer.user)
    page = login(officer).get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert officer.user.get_full_name() in page
    assert 'value="password_changed"' not in page  # done: no longer offered


def test_menu_and_home_tiles(login, officer, press_officer, auditor, account):
    IncidentFactory(account=account)
    staff = OfficerFactory(rank="staff")
    page = login(staff).get(reverse("home")).content.decode()
    assert reverse("incidents:report") in page  # anyone signed in can report
    for person in (press_officer, auditor):
        page = login(person).get(reverse("home")).content.decode()
        assert "Open incidents" in page
        assert reverse("incidents:list") in page
    assert "Open incidents" not in login(officer).get(reverse("home")).content.decode()


def test_reports_are_listed_for_their_reporter_only(login, officer, other_officer, account):
    incident = IncidentFactory(account=account)
    Report.objects.create(
        incident=incident,
        reported_by=officer.user,
        what_happened="x",
        noticed_at=timezone.now(),
        link_clicked="no",
    )
    assert "@PriyaSharmaWMP" in login(officer).get(reverse("incidents:mine")).content.decode()
    page = login(other_officer).get(reverse("incidents:mine")).content.decode()
    assert "@PriyaSharmaWMP" not in page


def test_a_report_with_the_password_in_it_is_kept_without_it_and_gives_nothing_away(
    login, officer, other_officer, account, django_capture_on_commit_callbacks
):
    """Anyone signed in can report, so the form must not say whether a text held the password
    (that would let them test guesses); the password is cut out and the press office told."""
    from tests.incidents.conftest import OLD_PASSWORD

    url = reverse("incidents:report")
    guess = {**FORM, "what_happened": "I typed wrong-guess-123 into a fake login page"}
    real = {**FORM, "what_happened": f"I typed {OLD_PASSWORD} into a fake login page"}
    client = login(other_officer)
    handle = {"platform": account.platform, "handle": account.handle}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {**guess, **handle}, follow=True)
        second = client.post(url, {**real, **handle}, follow=True)
    assert first.status_code == second.status_code == 200
    assert OLD_PASSWORD not in second.content.decode()
    texts = list(Report.objects.order_by("pk").values_list("what_happened", flat=True))
    assert texts[-1] == "I typed [password removed] into a fake login page"
    assert not any(OLD_PASSWORD in t for t in texts)
    assert AuditEvent.objects.filter(action="credential.exposed_in_incident_text").count() == 1
