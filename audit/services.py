"""Writing the audit trail. Services call `audit_record` inside their own transaction, so an
audit row exists exactly when the change it describes was committed."""

import csv
import datetime
import decimal
import io
import json
import re
import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from audit.models import GENESIS_HASH, AuditEvent

REDACTED = "[redacted]"
# Field names that can hold a secret. Their values never reach the trail, whatever a caller passes.
SECRET_FIELD = re.compile(
    r"secret|password|passcode|token|ciphertext|nonce|credential_value|key$", re.IGNORECASE
)
_CHAIN_LOCK = 7_250_001  # PostgreSQL advisory lock id serialising appends to the hash chain


def _plain(value):
    """A JSON-friendly, stable rendering of a field value."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict:
    """The current values of `fields` (default: every concrete field) of `obj`, secrets left out."""
    names = fields or [f.name for f in obj._meta.concrete_fields]
    values = {}
    for name in names:
        if SECRET_FIELD.search(name):
            continue
        field = obj._meta.get_field(name)
        if getattr(field, "choices", None):
            raw = getattr(obj, field.attname)
            values[name] = _plain(raw)
        elif field.is_relation:
            related = getattr(obj, name)
            values[name] = str(related) if related is not None else None
        else:
            values[name] = _plain(getattr(obj, name))
    return values


def diff(before: dict, after: dict) -> dict:
    """{field: [before, after]} for every field whose value changed."""
    keys = list(dict.fromkeys([*before, *after]))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def _scrub(changes: dict) -> dict:
    return {
        key: (REDACTED if SECRET_FIELD.search(str(key)) else _plain(value))
        for key, value in (changes or {}).items()
    }


def _actor_label(actor) -> str:
    if actor is None:
        return "system"
    officer = getattr(actor, "officer", None)
    if officer is not None:
        return f"{officer.full_name} ({officer.staff_number})"
    return actor.get_username()


def _lock_chain():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])


def _last_event():
    return AuditEvent.objects.order_by("-sequence").only("sequence", "hash").first()


@transaction.atomic
def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model,
    changes: dict | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one event to the trail and chain it to the previous one."""
    _lock_chain()
    last = _last_event()
    event = AuditEvent(
        sequence=(last.sequence + 1) if last else 1,
        created_at=timezone.now(),
        actor=actor if actor is not None and actor.pk else None,
        actor_label=_actor_label(actor),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        changes=_scrub(changes),
        reason=reason,
        prev_hash=last.hash if last else GENESIS_HASH,
    )
    event.hash = event.compute_hash()
    event.save()
    return event


@transaction.atomic
def audit_record_many(
    *,
    actor,
    action: str,
    entries: list[tuple[models.Model, dict]],
    reason: str = "",
    batch_size: int = 1000,
) -> int:
    """One event per (object, changes) pair, chained in order and inserted in bulk, for imports
    that write thousands of rows at once. Same trail, same hashes as `audit_record`."""
    if not entries:
        return 0
    _lock_chain()
    last = _last_event()
    sequence = last.sequence if last else 0
    prev_hash = last.hash if last else GENESIS_HASH
    now = timezone.now()
    label = _actor_label(actor)
    actor = actor if actor is not None and actor.pk else None
    events = []
    for obj, changes in entries:
        sequence += 1
        event = AuditEvent(
            sequence=sequence,
            created_at=now,
            actor=actor,
            actor_label=label,
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            object_repr=str(obj)[:300],
            changes=_scrub(changes),
            reason=reason,
            prev_hash=prev_hash,
        )
        event.hash = prev_hash = event.compute_hash()
        events.append(event)
    AuditEvent.objects.bulk_create(events, batch_size=batch_size)
    return len(events)


EVENT_COLUMNS = (
    "sequence",
    "created_at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "reason",
    "prev_hash",
    "hash",
)


class AuditAppender:
    """Appends events to the chain batch by batch inside the caller's transaction, for a job
    that writes tens of thousands (the daily dormancy scan) without holding them all: each
    `append` hashes its batch onto the chain and writes it (COPY on PostgreSQL), and keeps only
    the chain's last number and hash. The chain is locked from the first batch to the end of
    the transaction. Same trail, same hashes as `audit_record`.

    Entries are (object_type, object_id, object_repr, changes): a job that never loaded the
    objects need not build model instances to describe them."""

    def __init__(self, *, actor, action: str, reason: str = ""):
        self.action, self.reason = action, reason
        self.label = _actor_label(actor)
        self.actor_id = actor.pk if actor is not None and actor.pk else None
        self.now = timezone.now()
        self.sequence = self.prev_hash = None
        self.written = 0

    def _start(self):
        _lock_chain()
        last = _last_event()
        self.sequence = last.sequence if last else 0
        self.prev_hash = last.hash if last else GENESIS_HASH

    def append(self, entries) -> int:
        """entries: (object_type, object_id, object_repr, changes) tuples, in chain order."""
        rows = []
        for object_type, object_id, object_repr, changes in entries:
            if self.sequence is None:
                self._start()
            self.sequence += 1
            content = {
                "sequence": self.sequence,
                "created_at": self.now.isoformat(),
                "actor_id": self.actor_id,
                "actor_label": self.label,
                "action": self.action,
                "object_type": object_type,
                "object_id": str(object_id),
                "object_repr": str(object_repr)[:300],
                "changes": _scrub(changes),
                "reason": self.reason,
                "prev_hash": self.prev_hash,
            }
            content["hash"] = self.prev_hash = AuditEvent.hash_of(content)
            rows.append(content)
        _insert_events(rows)
        self.written += len(rows)
        return len(rows)


def _insert_events(rows: list[dict]) -> None:
    if not rows:
        return
    if connection.vendor != "postgresql":
        AuditEvent.objects.bulk_create(
            AuditEvent(**{**row, "created_at": datetime.datetime.fromisoformat(row["created_at"])})
            for row in rows
        )
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_NOTNULL, lineterminator="\n")
    for row in rows:
        writer.writerow(
            [
                json.dumps(row["changes"], cls=DjangoJSONEncoder)
                if column == "changes"
                else row[column]
                for column in EVENT_COLUMNS
            ]
        )
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {AuditEvent._meta.db_table} ({', '.join(EVENT_COLUMNS)}) "
            "FROM STDIN WITH (FORMAT csv)",
            buffer,
        )
