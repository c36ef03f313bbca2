"""Units, officers, delegations and leave moved from `accounts` to `people` without losing a row:
build the old schema, write rows and audit events the old way, migrate, and find them all."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from audit.selectors import history_for, labels_meaning, object_of, verify_chain
from audit.services import audit_record
from people.models import Delegation, Leave, Officer, Unit

BEFORE_THE_MOVE = [("people", None)]  # unapplies people.0001 and every migration that needs it


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_rows_and_audit_events_survive_the_move_to_people():
    user = get_user_model().objects.create_user("old.timer", "old.timer@example.org", "x")
    boss_user = get_user_model().objects.create_user("old.boss", "old.boss@example.org", "x")
    try:
        _migrate(BEFORE_THE_MOVE)
        old = MigrationExecutor(connection).loader.project_state(("accounts", "0004_leave")).apps
        OldUnit = old.get_model("accounts", "Unit")
        OldOfficer = old.get_model("accounts", "Officer")
        OldDelegation = old.get_model("accounts", "Delegation")
        OldLeave = old.get_model("accounts", "Leave")
        unit = OldUnit.objects.create(name="Old Team", code="old-team", kind="team")
        boss = OldOfficer.objects.create(
            user_id=boss_user.pk, staff_number="B1", first_name="Ann", surname="Boss", unit=unit
        )
        officer = OldOfficer.objects.create(
            user_id=user.pk,
            staff_number="O1",
            first_name="Olly",
            surname="Timer",
            unit=unit,
            supervisor=boss,
        )
        today = datetime.date(2026, 11, 2)
        OldDelegation.objects.create(
            supervisor=boss,
            acting=officer,
            starts_on=today,
            ends_on=today,
            reason="Course",
            created_by_id=boss_user.pk,
        )
        OldLeave.objects.create(
            officer=officer, starts_on=today, ends_on=today, created_by_id=user.pk
        )
        event = audit_record(actor=None, action="officer.marked_moved", obj=officer)
        assert event.object_type == "accounts.officer"  # as the old code wrote it
    finally:
        _migrate(_latest())

    moved = Officer.objects.get(staff_number="O1")
    assert moved.supervisor.staff_number == "B1"
    assert moved.unit == Unit.objects.get(code="old-team")
    assert Delegation.objects.get(acting=moved).reason == "Course"
    assert Leave.objects.filter(officer=moved).count() == 1
    # The old event still belongs to the officer, under its old label, and the chain is whole.
    assert [e.action for e in history_for(moved)] == ["officer.marked_moved"]
    assert object_of(history_for(moved).get()) == moved
    assert set(labels_meaning("people.officer")) == {"people.officer", "accounts.officer"}
    checked, broken, why = verify_chain()
    assert broken is None, why
    assert checked >= 1
    assert ContentType.objects.get_for_model(Officer).app_label == "people"
