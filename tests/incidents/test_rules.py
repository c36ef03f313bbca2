"""Who may do what with an incident, each rule over its cases, and the auditor read-only."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from incidents import services
from incidents.models import Incident, Step
from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(officer, account, report):
    return report(officer, account)[0].incident


WRITE_PERMS = [
    "incidents.add_note",
    "incidents.record_step",
    "incidents.record_press_office_step",
    "incidents.record_lessons",
    "incidents.contain_incident",
    "incidents.resolve_incident",
]


def test_the_auditor_sees_everything_and_changes_nothing(auditor, incident):
    user = auditor.user
    assert user.has_perm("incidents.view_incident", incident)
    assert user.has_perm("incidents.list_incidents")
    for perm in WRITE_PERMS:
        assert not user.has_perm(perm, incident), perm
    with pytest.raises(PermissionDenied):
        services.incident_add_note(actor=user, incident_id=incident.pk, text="Looked at it")
    with pytest.raises(PermissionDenied):
        services.incident_record_step(
            actor=user, incident_id=incident.pk, step=Step.PASSWORD_CHANGED
        )
    with pytest.raises(PermissionDenied):
        services.incident_contain(actor=user, incident_id=incident.pk)


@pytest.mark.parametrize("name", ["step", "note", "lessons", "contain", "resolve"])
def test_the_auditors_posts_are_refused_with_403(login, auditor, incident, name):
    client = login(auditor)
    data = {"step": "password_changed", "text": "x", "lessons": "x", "version": incident.version}
    response = client.post(reverse(f"incidents:{name}", args=[incident.pk]), data)
    assert response.status_code == 403
    assert incident.timeline.count() == 1  # the report only


def test_the_auditors_page_has_no_action_buttons(login, auditor, incident):
    page = login(auditor).get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert "@PriyaSharmaWMP" in page
    assert "Mark the incident contained" not in page
    assert reverse("custody:lodge", args=[incident.account_id]) not in page
    for name in ["step", "note", "lessons", "contain", "resolve"]:
        assert reverse(f"incidents:{name}", args=[incident.pk]) not in page


def test_the_officer_cannot_contain_or_resolve(officer, incident):
    user = officer.user
    assert user.has_perm("incidents.record_step", incident)
    assert user.has_perm("incidents.add_note", incident)
    assert not user.has_perm("incidents.contain_incident", incident)
    assert not user.has_perm("incidents.resolve_incident", incident)
    services.incident_record_step(actor=user, incident_id=incident.pk, step=Step.PASSWORD_CHANGED)
    with pytest.raises(PermissionDenied):
        services.incident_contain(actor=user, incident_id=incident.pk)
    with pytest.raises(PermissionDenied):
        services.incident_resolve(actor=user, incident_id=incident.pk)
    incident.refresh_from_db()
    assert incident.state == Incident.State.REPORTED


@pytest.mark.parametrize("who", ["officer", "supervisor"])
def test_only_the_press_office_records_the_press_office_step(request, who, press_officer, incident):
    user = request.getfixturevalue(who).user
    assert not user.has_perm("incidents.record_press_office_step", incident)
    assert press_officer.user.has_perm("incidents.record_press_office_step", incident)
    with pytest.raises(PermissionDenied):
        services.incident_record_step(
            actor=user, incident_id=incident.pk, step=Step.PRESS_OFFICE_TOLD
        )
    assert not incident.steps.exists()


def test_a_posted_press_office_step_from_the_owner_is_a_403(login, officer, incident):
    response = login(officer).post(
        reverse("incidents:step", args=[incident.pk]),
        {"step": "press_office_told", "version": incident.version},
    )
    assert response.status_code == 403
    assert not incident.steps.exists()


def test_the_supervisor_works_on_their_officers_incident(supervisor, incident):
    assert supervisor.user.has_perm("incidents.view_incident", incident)
    assert supervisor.user.has_perm("incidents.record_step", incident)
    assert not supervisor.user.has_perm("incidents.contain_incident", incident)


def test_another_officer_and_supervisor_see_nothing(
    login, other_officer, other_supervisor, incident
):
    for person in (other_officer, other_supervisor):
        assert not person.user.has_perm("incidents.view_incident", incident)
        assert not person.user.has_perm("incidents.record_step", incident)
        client = login(person)
        assert client.get(reverse("incidents:detail", args=[incident.pk])).status_code == 404
        response = client.post(reverse("incidents:note", args=[incident.pk]), {"text": "x"})
        assert response.status_code == 404


def test_anyone_signed_in_may_report(db):
    staff = OfficerFactory(rank="staff")
    assert staff.user.has_perm("incidents.report_incident")
