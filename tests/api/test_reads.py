"""Reads: a client sees what its owner's pages show, and nothing its owner's rules hide."""

import pytest

from accounts.services import social_account_mark_compromised
from api.models import Scope
from incidents.services import incident_report
from tests.factories import BusinessCaseFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_teams(officer, other_officer):
    mine = SocialAccountFactory(owner=officer, handle="StechfordCops")
    theirs = SocialAccountFactory(owner=other_officer, handle="OtherTeamCops")
    return mine, theirs


def test_a_client_cannot_read_an_account_its_owners_rules_hide(
    call, make_client, supervisor, two_teams
):
    mine, theirs = two_teams
    _, token = make_client(supervisor, [Scope.READ_REGISTER])
    listed = call(token, "get", "/accounts").json()
    assert [a["handle"] for a in listed["items"]] == ["StechfordCops"]
    assert listed["count"] == 1
    assert call(token, "get", f"/accounts/{mine.pk}").status_code == 200
    hidden = call(token, "get", f"/accounts/{theirs.pk}")
    assert hidden.status_code == 404
    assert "OtherTeamCops" not in hidden.content.decode()
    assert call(token, "get", "/accounts", None).json()["count"] == 1
    # Searching for it by name finds nothing either.
    assert call(token, "get", "/accounts?q=OtherTeam").json()["count"] == 0


def test_the_press_offices_client_sees_the_whole_register_filtered_and_paged(
    call, make_client, press_officer, two_teams
):
    _, token = make_client(press_officer, [Scope.READ_REGISTER])
    body = call(token, "get", "/accounts?sort=-handle").json()
    assert [a["handle"] for a in body["items"]] == ["StechfordCops", "OtherTeamCops"]
    assert call(token, "get", "/accounts?q=stechford").json()["count"] == 1
    assert call(token, "get", "/accounts?page=2").json()["items"] == []
    assert call(token, "get", "/accounts?status=nonsense").status_code == 422


def test_one_account_carries_its_status_history(call, make_client, press_officer, two_teams):
    mine, _ = two_teams
    social_account_mark_compromised(actor=press_officer.user, account=mine, reason="Hacked")
    _, token = make_client(press_officer, [Scope.READ_REGISTER])
    body = call(token, "get", f"/accounts/{mine.pk}").json()
    assert body["status"] == "compromised"
    assert [(h["status_from"], h["status_to"]) for h in body["status_history"]] == [
        ("active", "compromised")
    ]


def test_cases_and_their_decisions_follow_the_owners_rules(
    call, make_client, officer, other_officer, supervisor
):
    mine = BusinessCaseFactory(applicant=officer)
    theirs = BusinessCaseFactory(applicant=other_officer)
    _, token = make_client(supervisor, [Scope.READ_CASES])
    assert [c["id"] for c in call(token, "get", "/cases").json()["items"]] == [mine.pk]
    detail = call(token, "get", f"/cases/{mine.pk}").json()
    assert detail["decisions"] == [] and detail["applicant"]["id"] == officer.pk
    assert call(token, "get", f"/cases/{theirs.pk}").status_code == 404


def test_incidents_follow_the_owners_rules(call, make_client, officer, other_officer, supervisor):
    from django.utils import timezone

    mine = SocialAccountFactory(owner=officer)
    theirs = SocialAccountFactory(owner=other_officer)
    for account, reporter in ((mine, officer), (theirs, other_officer)):
        incident_report(
            actor=reporter.user,
            account_id=account.pk,
            what_happened="Odd posts",
            noticed_at=timezone.now(),
            link_clicked="no",
        )
    _, token = make_client(supervisor, [Scope.READ_INCIDENTS])
    items = call(token, "get", "/incidents").json()["items"]
    assert [i["account_id"] for i in items] == [mine.pk]
    their_incident = theirs.incidents.get()
    assert call(token, "get", f"/incidents/{their_incident.pk}").status_code == 404


def test_figures_need_an_owner_who_reads_reports(call, make_client, officer, supervisor, two_teams):
    _, officers = make_client(officer, [Scope.READ_REPORTS])
    assert call(officers, "get", "/reports/figures").status_code == 403
    _, supervisors = make_client(supervisor, [Scope.READ_REPORTS])
    body = call(supervisors, "get", "/reports/figures").json()
    assert [row["total"] for row in body["dormancy_by_unit"]] == [1]  # their team's account only
