"""The retention job (privacy/retention.py, privacy/services.py): it removes or anonymises
exactly what is past each kind's retention and nothing else, a second run changes nothing, the
audit chain still verifies (with redacted events and events from before redaction existed),
and each batch is itself audited with counts and no personal data."""

import datetime
import json

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.db import InternalError, connection, transaction

from accounts.models import ImportJob, SocialAccount
from approvals.models import BusinessCase, CaseState, Decision
from audit.models import GENESIS_HASH, REDACTED, AuditEvent
from audit.selectors import verify_chain
from audit.services import audit_record, audit_redact
from handovers.models import CredentialDestruction
from notifications.models import Notification
from people.models import Leave, Officer
from people.roles import Role
from people.services import officer_mark_left
from privacy.models import RetentionRun
from privacy.services import retention_run
from reminders.models import Reminder
from tests.factories import (
    BusinessCaseFactory,
    CredentialDestructionFactory,
    ImportJobFactory,
    LeaveFactory,
    OfficerFactory,
    SocialAccountFactory,
)

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2030, 6, 1, 12, 0, tzinfo=datetime.UTC)


def _days_ago(days):
    return NOW - datetime.timedelta(days=days)


def _legacy_event(officer):
    """An event as the trail wrote them before redaction existed (hash version 1), first in
    the chain, seven years old."""
    event = AuditEvent(
        sequence=1,
        created_at=_days_ago(7 * 365),
        actor_label="system",
        action="officer.created",
        object_type="people.officer",
        object_id=str(officer.pk),
        object_repr="LEGACYNAME (1)",
        changes={"surname": [None, "LEGACYNAME"]},
        prev_hash=GENESIS_HASH,
    )
    event.hash = event.compute_hash()
    event.save()
    return event


def _notification(user, days, **kwargs):
    n = Notification.objects.create(
        recipient=user, email=user.email, subject=f"NOTE {days}", body="x", kind="t", **kwargs
    )
    Notification.objects.filter(pk=n.pk).update(created_at=_days_ago(days))
    return n


def _reminder(account, days):
    r = Reminder.objects.create(
        kind=Reminder.Kind.DORMANCY_WARN,
        subject_type=Reminder.SubjectType.ACCOUNT,
        subject_id=account.pk,
        period_start=_days_ago(days),
        account=account,
        run_id="00000000-0000-0000-0000-000000000001",
        notified_at=_days_ago(days),
    )
    Reminder.objects.filter(pk=r.pk).update(created_at=_days_ago(days))
    return r


def _import(days, status, user):
    job = ImportJobFactory(
        status=status, content="handle\nSECRETROW", data=b"handle\nROW", created_by=user
    )
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=_days_ago(days), errors=[{"line": 2, "message": "SECRETROW is taken"}]
    )
    return job


def _rejected_case(days, text):
    case = BusinessCaseFactory(state=CaseState.REJECTED, policing_purpose=text)
    BusinessCase.objects.filter(pk=case.pk).update(state_changed_at=_days_ago(days))
    Decision.objects.create(
        case=case,
        submission=1,
        stage="supervisor",
        outcome="rejected",
        comment=f"COMMENT {text}",
        decided_by=OfficerFactory().user,
        decided_by_label="Sgt Decider",
    )
    return case


def _leaver(days, *, owns_open_account=False):
    officer = OfficerFactory(
        status=Officer.Status.LEFT, status_changed_on=(NOW - datetime.timedelta(days=days)).date()
    )
    LeaveFactory(officer=officer, reason="LEAVEREASON")
    EmailAddress.objects.create(user=officer.user, email=officer.user.email, verified=True)
    if owns_open_account:
        SocialAccountFactory(owner=officer)
    return officer


@pytest.fixture
def held():
    """Records on both sides of every retention line (defaults: settings.RETENTION_DAYS)."""
    officer = OfficerFactory(surname="Subject")
    o = {"legacy": _legacy_event(officer)}
    with time_machine.travel(_days_ago(400), tick=False):  # sign-in events: 365 days
        o["old_sign_in"] = audit_record(
            actor=None,
            action="sign_in.failed",
            obj=officer.user,
            changes={"address": "203.0.113.9", "user_agent": "OLDBROWSER"},
            reason="TYPEDNAME",
        )
        o["old_case_event"] = audit_record(
            actor=None, action="business_case.submitted", obj=officer
        )
    with time_machine.travel(_days_ago(10), tick=False):
        o["new_sign_in"] = audit_record(
            actor=None, action="sign_in.succeeded", obj=officer.user, changes={"address": "1"}
        )
    o["notes"] = {
        "old_sent": [_notification(officer.user, 400, emailed_at=_days_ago(400)) for _ in range(3)],
        "old_waiting": _notification(officer.user, 400),
        "new": _notification(officer.user, 10, emailed_at=_days_ago(10)),
    }
    closed = SocialAccountFactory(status=SocialAccount.Status.CLOSED)
    active = SocialAccountFactory()
    o["reminders"] = {
        "old_closed": _reminder(closed, 800),
        "old_active": _reminder(active, 800),
        "new_closed": _reminder(closed, 100),
    }
    o["imports"] = {
        "old_done": _import(100, ImportJob.Status.REJECTED, officer.user),
        "old_queued": _import(100, ImportJob.Status.QUEUED, officer.user),
        "new_done": _import(10, ImportJob.Status.SUCCEEDED, officer.user),
    }
    o["cases"] = {"old": _rejected_case(800, "OLDCASE"), "new": _rejected_case(100, "NEWCASE")}
    o["destructions"] = {
        "old": CredentialDestructionFactory(account=closed, destroyed_at=_days_ago(7 * 365)),
        "new": CredentialDestructionFactory(account=closed, destroyed_at=_days_ago(365)),
    }
    o["leavers"] = {
        "old": _leaver(7 * 365),
        "old_owner": _leaver(7 * 365, owns_open_account=True),
        "new": _leaver(365),
    }
    return o


def _state():
    """Everything the job may touch, as plain values (to compare two runs)."""
    return {
        "events": list(
            AuditEvent.objects.exclude(action__startswith="retention.")
            .order_by("pk")
            .values_list("pk", "actor_label", "object_repr", "changes", "reason", "detail_salt")
        ),
        "notes": sorted(Notification.objects.values_list("pk", flat=True)),
        "reminders": sorted(Reminder.objects.values_list("pk", flat=True)),
        "imports": list(ImportJob.objects.order_by("pk").values_list("pk", "content", "errors")),
        "cases": list(BusinessCase.objects.order_by("pk").values_list("pk", "policing_purpose")),
        "decisions": list(Decision.objects.order_by("pk").values_list("pk", "comment")),
        "destructions": sorted(CredentialDestruction.objects.values_list("pk", flat=True)),
        "officers": list(
            Officer.objects.order_by("pk").values_list("pk", "surname", "staff_number")
        ),
    }


def test_removes_exactly_what_is_past_retention_and_a_second_run_changes_nothing(held):
    run = retention_run(now=NOW, batch_size=2)

    assert run.counts == {
        "closed_cases": 1,
        "notifications": 3,
        "reminders": 1,
        "sign_in_events": 1,
        "import_files": 1,
        "credential_metadata": 1,
        "leavers": 1,
        "api_replies": 0,  # none stored (test_the_apis_stored_answers_go_after_thirty_days)
        "audit_detail": 0,  # the only event past six years is from before redaction existed
    }
    # Sign-in events: the old one's detail is redacted, its skeleton kept; the new one is whole.
    old = AuditEvent.objects.get(pk=held["old_sign_in"].pk)
    assert (old.actor_label, old.object_repr, old.reason) == (REDACTED, REDACTED, REDACTED)
    assert old.changes == {"address": REDACTED, "user_agent": REDACTED}
    assert (old.action, old.hash, old.detail_salt) == (
        "sign_in.failed",
        held["old_sign_in"].hash,
        "",
    )
    assert AuditEvent.objects.get(pk=held["new_sign_in"].pk).redacted_at is None
    assert AuditEvent.objects.get(pk=held["old_case_event"].pk).redacted_at is None
    assert AuditEvent.objects.get(pk=held["legacy"].pk).object_repr == "LEGACYNAME (1)"
    # Notifications: the sent old ones go; one still waiting in the outbox and a new one stay.
    notes = held["notes"]
    assert set(Notification.objects.values_list("pk", flat=True)) == {
        notes["old_waiting"].pk,
        notes["new"].pk,
    }
    reminders = held["reminders"]
    assert set(Reminder.objects.values_list("pk", flat=True)) == {
        reminders["old_active"].pk,
        reminders["new_closed"].pk,
    }
    imports = {k: ImportJob.objects.get(pk=v.pk) for k, v in held["imports"].items()}
    assert (
        imports["old_done"].content,
        bytes(imports["old_done"].data),
        imports["old_done"].errors,
    ) == ("", b"", [])
    assert imports["old_queued"].content and imports["new_done"].content
    cases = held["cases"]
    old_case = BusinessCase.objects.get(pk=cases["old"].pk)
    assert old_case.policing_purpose == old_case.handle == REDACTED
    assert (
        old_case.applicant_id == cases["old"].applicant_id and old_case.state == CaseState.REJECTED
    )
    assert Decision.objects.get(case=old_case).comment == REDACTED
    assert BusinessCase.objects.get(pk=cases["new"].pk).policing_purpose == "NEWCASE"
    assert Decision.objects.get(case=cases["new"]).comment == "COMMENT NEWCASE"
    assert set(CredentialDestruction.objects.values_list("pk", flat=True)) == {
        held["destructions"]["new"].pk
    }
    leavers = held["leavers"]
    gone = Officer.objects.select_related("user").get(pk=leavers["old"].pk)
    assert (gone.first_name, gone.surname, gone.staff_number) == (
        "Former",
        f"officer {gone.pk}",
        f"anon-{gone.pk}",
    )
    assert (gone.user.email, gone.user.is_active, gone.user.has_usable_password()) == (
        "",
        False,
        False,
    )
    assert not EmailAddress.objects.filter(user=gone.user).exists()
    assert not Leave.objects.filter(officer=gone).exists()
    for kept in (leavers["old_owner"], leavers["new"]):
        assert Officer.objects.get(pk=kept.pk).surname == kept.surname
        assert Leave.objects.filter(officer=kept).exists()

    # The chain verifies, with a version-1 event, redacted events and the job's own events.
    assert verify_chain()[1] is None
    call_command("verify_audit_chain")

    before = _state()
    again = retention_run(now=NOW, batch_size=2)
    assert set(again.counts.values()) == {0}
    assert _state() == before
    assert verify_chain()[1] is None


def test_each_batch_is_audited_with_counts_and_no_personal_data(held):
    run = retention_run(now=NOW, batch_size=2)

    events = AuditEvent.objects.filter(object_type="privacy.retentionrun", object_id=str(run.pk))
    batches = [e.changes for e in events.filter(action="retention.applied")]
    notes = [b["records"] for b in batches if b["kind"] == "notifications"]
    assert notes == [2, 1]  # two batches of at most two, one transaction each
    assert {b["kind"] for b in batches} == {k for k, n in run.counts.items() if n}
    assert sum(b["records"] for b in batches) == sum(run.counts.values())
    finished = events.get(action="retention.finished")
    assert finished.changes == {"records": run.counts}
    assert events.filter(action="retention.started").count() == 1
    assert RetentionRun.objects.get().finished_at is not None
    leaver = held["leavers"]["old"]
    text = str([(e.object_repr, e.changes, e.reason, e.actor_label) for e in events])
    for personal in ("TYPEDNAME", "OLDCASE", "LEAVEREASON", leaver.surname, leaver.staff_number):
        assert personal not in text


def test_the_database_allows_only_a_one_way_redaction_of_detail(held):
    retention_run(now=NOW)
    redacted = held["old_sign_in"]
    whole = held["new_sign_in"]
    for sql, pk in (
        ("UPDATE audit_auditevent SET reason = 'forged' WHERE id = %s", redacted.pk),
        # A "redaction" that also changes what the event says happened.
        (
            "UPDATE audit_auditevent SET action = 'x', actor_label = '[redacted]', "
            "object_repr = '[redacted]', reason = '', detail_salt = '', redacted_at = now() "
            "WHERE id = %s",
            whole.pk,
        ),
        ("DELETE FROM audit_auditevent WHERE id = %s", redacted.pk),
    ):
        if connection.vendor != "postgresql":
            pytest.skip("the trigger is PostgreSQL's")
        with (
            pytest.raises(InternalError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [pk])


def test_editing_an_unredacted_events_detail_is_caught_by_its_digest(held):
    event = held["new_sign_in"]
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("SET LOCAL session_replication_role = replica")  # past the trigger
        cursor.execute("UPDATE audit_auditevent SET reason = 'forged' WHERE id = %s", [event.pk])
        if postgres:
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    _, broken, why = verify_chain()
    assert broken.pk == event.pk and "digest" in why


def test_retention_periods_are_settings(held, settings):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "notifications": 500}
    run = retention_run(now=NOW)
    assert run.counts["notifications"] == 0
    assert Notification.objects.count() == 5


def test_the_nightly_beat_entry_runs_the_job(settings):
    from privacy.tasks import retention_run as task

    entry = settings.CELERY_BEAT_SCHEDULE["retention-nightly"]
    assert entry["task"] == task.name
    counts = task.apply().get()
    assert set(counts) == set(settings.RETENTION_DAYS)
    assert RetentionRun.objects.get().counts == counts


def test_events_from_before_redaction_existed_are_never_redacted(held):
    from audit.services import audit_redact

    assert audit_redact(event_ids=[held["legacy"].pk, held["new_sign_in"].pk]) == 1
    assert AuditEvent.objects.get(pk=held["legacy"].pk).object_repr == "LEGACYNAME (1)"
    assert AuditEvent.objects.get(pk=held["new_sign_in"].pk).redacted_at is not None
    assert audit_redact(event_ids=[held["new_sign_in"].pk]) == 0  # once only
    assert verify_chain()[1] is None


def test_a_forged_redaction_that_rewrites_the_changes_is_refused(held):
    """A database writer marking an event redacted while putting new values in `changes` (or a
    new reason) is refused: a redaction writes "[redacted]" under the same keys, nothing else."""
    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's")
    whole = held["new_sign_in"]
    forged = (
        "UPDATE audit_auditevent SET changes = %s, actor_label = '[redacted]', "
        "object_repr = '[redacted]', reason = %s, detail_salt = '', redacted_at = now() "
        "WHERE id = %s"
    )
    keys = dict.fromkeys(whole.changes, REDACTED) if isinstance(whole.changes, dict) else {}
    for changes, reason in (
        ('{"approved_by": "Chief Constable"}', "[redacted]" if whole.reason else ""),
        (json.dumps(keys), "Approved by the Chief Constable"),
    ):
        with (
            pytest.raises(InternalError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(forged, [changes, reason, whole.pk])
    # The real redaction still goes through, and the chain verifies.
    assert audit_redact(event_ids=[whole.pk]) == 1
    assert verify_chain()[1] is None


@pytest.fixture
def administrator(db):
    return OfficerFactory(rank="staff", roles=[Role.ADMINISTRATOR])


def test_a_backdated_leaving_date_does_not_anonymise_anyone_the_same_night(administrator):
    officer = OfficerFactory(surname="Backdated", staff_number="BD-4471")
    with time_machine.travel(NOW, tick=False):
        officer_mark_left(
            actor=administrator.user, officer_id=officer.pk, on=datetime.date(2001, 1, 1)
        )
        retention_run(now=NOW)
    officer.refresh_from_db()
    assert (officer.surname, officer.staff_number) == ("Backdated", "BD-4471")
    # Six years after the portal recorded it, it is anonymised.
    later = NOW + datetime.timedelta(days=6 * 365 + 1)
    with time_machine.travel(later, tick=False):
        retention_run(now=later)
    officer.refresh_from_db()
    assert officer.staff_number.startswith("anon-")


def test_the_apis_stored_answers_go_after_thirty_days(administrator):
    from api.models import ApiClient, IdempotentWrite

    client = ApiClient.objects.create(
        name="HR",
        owner=administrator.user,
        scopes=["people:write"],
        token_prefix="abcdef012345",
        token_hash="0" * 64,
        expires_at=NOW + datetime.timedelta(days=300),
        created_by=administrator.user,
    )

    def write(key, days):
        return IdempotentWrite.objects.create(
            client=client,
            key=key,
            operation="people.changes",
            request_digest="d" * 64,
            status_code=200,
            response={"rows": [{"staff_number": "10002"}]},
            created_at=NOW - datetime.timedelta(days=days),
        )

    old, new = write("old-key-1", 31), write("new-key-1", 29)
    retention_run(now=NOW)
    assert list(IdempotentWrite.objects.values_list("pk", flat=True)) == [new.pk]
    assert old.pk != new.pk
