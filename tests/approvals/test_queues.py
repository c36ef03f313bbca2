"""Queues with the age of each case, the menu and the home-page tiles."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from approvals import services
from tests.factories import BusinessCaseFactory

pytestmark = pytest.mark.django_db


def test_supervisor_queue_shows_only_their_teams_cases_with_their_age(
    login, client, officer, other_officer, supervisor, policy
):
    policy.published_on = timezone.localdate() - datetime.timedelta(days=30)
    policy.save()
    mine = BusinessCaseFactory(applicant=officer, handle="TeamCaseWMP")
    theirs = BusinessCaseFactory(applicant=other_officer, handle="OtherTeamWMP")
    ten_days_ago = timezone.now() - datetime.timedelta(days=10)
    with time_machine.travel(ten_days_ago, tick=False):
        for case in (mine, theirs):
            services.business_case_submit(
                actor=case.applicant.user,
                case_id=case.pk,
                policy_id=policy.pk,
                personal_use_read=True,
            )
    html = login(supervisor).get(reverse("approvals:supervisor_queue")).content.decode()
    assert "TeamCaseWMP" in html and "OtherTeamWMP" not in html
    assert 'data-age-days="10"' in html
    home = client.get(reverse("home")).content.decode()
    assert "Decide on the business case for @TeamCaseWMP" in home
    assert "OtherTeamWMP" not in home
    assert "waiting 10 days" in home


def test_press_office_queue_holds_approved_cases_only(
    login, supervisor_approved, press_officer, other_officer
):
    BusinessCaseFactory(applicant=other_officer, handle="StillDraftWMP")
    html = login(press_officer).get(reverse("approvals:press_office_queue")).content.decode()
    assert supervisor_approved.handle in html and "StillDraftWMP" not in html


def test_officer_cannot_open_the_queues(login, client, officer):
    login(officer)
    assert client.get(reverse("approvals:press_office_queue")).status_code == 403
    assert client.get(reverse("approvals:supervisor_queue")).status_code == 403


def test_menu_by_role(login, client, officer, supervisor, press_officer):
    login(officer)
    html = client.get(reverse("home")).content.decode()
    assert reverse("approvals:mine") in html
    assert reverse("approvals:supervisor_queue") not in html
    assert reverse("approvals:press_office_queue") not in html
    client.logout()
    login(supervisor)
    assert reverse("approvals:supervisor_queue") in client.get(reverse("home")).content.decode()
    client.logout()
    login(press_officer)
    assert reverse("approvals:press_office_queue") in client.get(reverse("home")).content.decode()


def test_my_cases_lists_the_officers_own(login, draft):
    html = login(draft.applicant).get(reverse("approvals:mine")).content.decode()
    assert draft.handle in html and "Draft" in html
