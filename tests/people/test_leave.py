import pytest
from django.urls import reverse

from audit.models import AuditEvent
from people.models import Leave

pytestmark = pytest.mark.django_db


def test_supervisor_records_leave_for_their_officer(login, supervisor, officer):
    response = login(supervisor).post(
        reverse("reminders:leave"),
        {
            "officer": officer.pk,
            "starts_on": "2026-12-21",
            "ends_on": "2027-01-04",
            "reason": "Annual leave",
        },
    )
    assert response.status_code == 302
    leave = Leave.objects.get()
    assert (leave.officer, leave.created_by) == (officer, supervisor.user)
    assert AuditEvent.objects.filter(action="leave.recorded", object_id=str(officer.pk)).exists()


def test_officer_cannot_record_leave_for_another_team(login, officer, other_officer):
    response = login(officer).post(
        reverse("reminders:leave"),
        {"officer": other_officer.pk, "starts_on": "2026-12-21", "ends_on": "2027-01-04"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Leave.objects.exists()


def test_end_before_start_is_refused_next_to_the_field(login, officer):
    response = login(officer).post(
        reverse("reminders:leave"),
        {"officer": officer.pk, "starts_on": "2026-12-21", "ends_on": "2026-12-01"},
    )
    assert "The last day must be on or after the first day" in response.content.decode()
    assert not Leave.objects.exists()
