"""The data-protection actions: the retention job and the subject access export. Each writes
the audit trail (counts and ids only, never the personal data it removed or exported)."""

import datetime
import json

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from audit.services import audit_record
from privacy.models import RetentionRun
from privacy.retention import KINDS, Kind
from privacy.selectors import section_counts, subject_data

_RETENTION_LOCK = 7_250_003  # PostgreSQL advisory lock id: one retention batch at a time


def _lock_retention():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_RETENTION_LOCK])


def cutoff_for(kind: Kind, now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(days=kind.days)


def _apply_batch(*, run: RetentionRun, kind: Kind, cutoff, now, batch_size: int) -> tuple[int, int]:
    """One batch of `kind` in one transaction, with its audit event: (records found, records
    done). The keys are read under the lock, so two runs at once never do one record twice."""
    with transaction.atomic():
        _lock_retention()
        ids = list(kind.due(cutoff).order_by("pk")[:batch_size])
        if not ids:
            return 0, 0
        done = kind.apply(ids, now)
        audit_record(
            actor=None,
            action="retention.applied",
            obj=run,
            changes={
                "kind": kind.name,
                "records": done,
                "retention_days": kind.days,
                "cutoff": cutoff.isoformat(),
            },
        )
        return len(ids), done


def retention_run(*, now=None, batch_size: int | None = None) -> RetentionRun:
    """Remove or anonymise every record past its kind's retention (privacy/retention.py), in
    batches of `batch_size` (settings.RETENTION_BATCH_SIZE), one transaction and one audit
    event per batch, so memory stays flat and a crash loses at most the batch in hand. Safe to
    run again at once: what was done no longer matches, so a second run changes nothing."""
    now = now or timezone.now()
    batch_size = batch_size or settings.RETENTION_BATCH_SIZE
    with transaction.atomic():
        run = RetentionRun.objects.create(started_at=now)
        audit_record(
            actor=None,
            action="retention.started",
            obj=run,
            changes={"retention_days": {k.name: k.days for k in KINDS}},
        )
    counts = {}
    for kind in KINDS:
        cutoff = cutoff_for(kind, now)
        total = 0
        while True:
            found, done = _apply_batch(
                run=run, kind=kind, cutoff=cutoff, now=now, batch_size=batch_size
            )
            total += done
            if found < batch_size or not done:  # the last batch, or one that could not be done
                break
        counts[kind.name] = total
    with transaction.atomic():
        run.finished_at = timezone.now()
        run.counts = counts
        run.save(update_fields=["finished_at", "counts"])
        audit_record(actor=None, action="retention.finished", obj=run, changes={"records": counts})
    return run


def subject_access_export(*, actor, officer) -> tuple[str, bytes]:
    """Everything held about `officer` as one JSON file (name, bytes), for an administrator,
    audited in the same transaction (who asked, about whom, when, and how many records of each
    section: never the content)."""
    if not actor.has_perm("privacy.export_subject_data"):
        raise PermissionDenied
    with transaction.atomic():
        data = subject_data(officer)
        audit_record(
            actor=actor,
            action="subject_access.exported",
            obj=officer,
            changes={"records": section_counts(data)},
        )
    content = json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False).encode()
    stamp = timezone.localtime(data["export"]["generated_at"]).strftime("%Y%m%d-%H%M")
    return f"subject-access-officer-{officer.pk}-{stamp}.json", content
