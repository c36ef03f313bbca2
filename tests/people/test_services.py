"""The people services refuse what the forms cannot catch, with words a person can act on."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from audit.models import AuditEvent
from core.errors import DomainError
from people import services
from people.models import Delegation, Leave, Officer
from people.roles import Role
from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 24)


@pytest.fixture
def acting(db):
    return OfficerFactory(rank="sergeant", roles=[Role.OFFICER, Role.SUPERVISOR])


def _delegate(supervisor, acting, starts_on=TODAY, ends_on=TODAY):
    return services.delegation_create(
        actor=supervisor.user, acting=acting, starts_on=starts_on, ends_on=ends_on, reason="Leave"
    )


def test_a_delegation_names_someone_else_who_serves_for_dates_in_order(supervisor, acting):
    with pytest.raises(DomainError, match="You cannot name yourself"):
        _delegate(supervisor, supervisor)
    with pytest.raises(DomainError, match="The end date must be on or after the start date"):
        _delegate(supervisor, acting, ends_on=TODAY - datetime.timedelta(days=1))
    Officer.objects.filter(pk=acting.pk).update(status="moved", status_changed_on=TODAY)
    acting.refresh_from_db()
    with pytest.raises(DomainError, match="is no longer serving"):
        _delegate(supervisor, acting)
    assert not Delegation.objects.exists()


def test_only_a_supervisor_names_an_acting_supervisor(officer, acting):
    with pytest.raises(PermissionDenied):
        _delegate(officer, acting)


def test_a_delegation_ends_once(supervisor, acting):
    delegation = _delegate(supervisor, acting)
    services.delegation_revoke(actor=supervisor.user, delegation_id=delegation.pk)
    with pytest.raises(DomainError, match="This delegation has already ended"):
        services.delegation_revoke(actor=supervisor.user, delegation_id=delegation.pk)
    assert AuditEvent.objects.filter(action="delegation.revoked").count() == 1


def test_leave_is_recorded_for_oneself_or_ones_team_and_ends_after_it_starts(
    officer, supervisor, other_officer
):
    with pytest.raises(DomainError, match="only for yourself or for your team"):
        services.leave_record(
            actor=officer.user, officer=other_officer, starts_on=TODAY, ends_on=TODAY, reason=""
        )
    with pytest.raises(DomainError, match="must end on or after the day it starts"):
        services.leave_record(
            actor=supervisor.user,
            officer=officer,
            starts_on=TODAY,
            ends_on=TODAY - datetime.timedelta(days=1),
            reason="",
        )
    assert not Leave.objects.exists()


def test_marking_is_refused_twice_and_returns_the_status_before(administrator, officer):
    moved = services.officer_mark_moved(actor=administrator.user, officer_id=officer.pk)
    assert (moved.officer.status, moved.was) == (Officer.Status.MOVED, Officer.Status.SERVING)
    with pytest.raises(DomainError, match="is already marked as moved"):
        services.officer_mark_moved(actor=administrator.user, officer_id=officer.pk)
    left = services.officer_mark_left(actor=administrator.user, officer_id=officer.pk)
    assert left.was == Officer.Status.MOVED
    with pytest.raises(DomainError, match="is already marked as having left"):
        services.officer_mark_left(actor=administrator.user, officer_id=officer.pk)


def test_only_an_administrator_imports_the_hr_file(supervisor):
    with pytest.raises(PermissionDenied, match="Only an administrator imports"):
        services.leavers_import(actor=supervisor.user, content="staff_number,status,date\n")


def test_a_file_without_rows_or_with_missing_columns_is_reported(administrator):
    empty = services.leavers_import(actor=administrator.user, content="staff_number,status,date\n")
    assert empty.errors == [{"line": 1, "message": "The file has no rows."}]
    wrong = services.leavers_import(actor=administrator.user, content="staff_number,when\n")
    assert wrong.errors == [{"line": 1, "message": "Missing column(s): status, date"}]
    assert not AuditEvent.objects.filter(action__startswith="officer.marked").exists()
