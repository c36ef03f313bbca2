"""Writing the audit trail. Services call `audit_record` inside their own transaction, so an
audit row exists exactly when the change it describes was committed."""

import contextlib
import contextvars
import datetime
import decimal
import functools
import hashlib
import json
import re
import secrets
import uuid
from collections.abc import Iterable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from audit.models import (
    CANONICAL,
    DETAIL_FIELDS,
    GENESIS_HASH,
    REDACTED,
    SKELETON_KEYS,
    AuditEvent,
    ChainTemplate,
    detail_digest,
    encode_string,
    new_salt,
)
from core import bulk

# Field names that can hold a secret. Their values never reach the trail, whatever a caller passes.
SECRET_FIELD = re.compile(
    r"secret|password|passcode|token|ciphertext|nonce|credential_value|key$", re.IGNORECASE
)
_CHAIN_LOCK = 7_250_001  # PostgreSQL advisory lock id serialising appends to the hash chain


PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})


def _plain(value):
    """A JSON-friendly, stable rendering of a field value."""
    if type(value) in PLAIN_TYPES:
        return value
    if type(value) is list:  # most often [before, after]
        return [v if type(v) in PLAIN_TYPES else _plain(v) for v in value]
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


@functools.lru_cache(maxsize=1024)
def _secret(key: str) -> bool:
    return bool(SECRET_FIELD.search(key))


def _scrub(changes: dict) -> dict:
    return {
        key: (REDACTED if _secret(str(key)) else _plain(value))
        for key, value in (changes or {}).items()
    }


# A machine acting with a person's rights (an API client): named on every event it causes, as
# "<machine> for <person>", so the trail says both what acted and whose rights it used.
_acting_through: contextvars.ContextVar[str] = contextvars.ContextVar("audit_via", default="")


@contextlib.contextmanager
def acting_through(label: str):
    """Every event recorded inside this block names `label` as the actor, on behalf of the
    `actor` the service was given."""
    token = _acting_through.set(label)
    try:
        yield
    finally:
        _acting_through.reset(token)


def _actor_label(actor) -> str:
    via = _acting_through.get()
    if actor is None:
        return via or "system"
    officer = getattr(actor, "officer", None)
    person = (
        f"{officer.full_name} ({officer.staff_number})"
        if officer is not None
        else actor.get_username()
    )
    return f"{via} for {person}" if via else person


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
        hash_version=2,
        detail_salt=new_salt(),
    )
    event.detail_digest = detail_digest(event.detail_salt, event.detail())
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
    """One event per (object, changes) pair, chained in order and inserted in bulk, for services
    that write many rows at once. Same trail, same hashes as `audit_record`."""
    return audit_record_rows(
        actor=actor,
        action=action,
        entries=[(obj._meta.label_lower, obj.pk, str(obj), changes) for obj, changes in entries],
        reason=reason,
        batch_size=batch_size,
    )


class CanonicalChanges(str):
    """An event's changes already scrubbed and written as canonical JSON (made by
    `ChangesTemplate`): the bulk writer hashes and stores the text as it is."""


class ChangesTemplate:
    """The changes of many events of one shape, scrubbed and encoded once: `changes` with
    `ChangesTemplate.slot(n)` where each event has its own string; calling the template with
    those strings (the n-th for slot n) gives the event's `CanonicalChanges`, what
    `CANONICAL.encode` of the scrubbed dict would give. A slot under a secret-named key is
    redacted with the rest of its value, and its string never used."""

    SLOT = re.compile(r'"\\u0000slot(\d+)\\u0000"')  # a slot as CANONICAL encodes it

    @staticmethod
    def slot(n: int = 0) -> str:
        return f"\x00slot{n}\x00"

    def __init__(self, changes: dict):
        text = CANONICAL.encode(_scrub(changes))
        parts = self.SLOT.split(text)  # text, slot number, text, slot number, ..., text
        self.template = "%s".join(piece.replace("%", "%%") for piece in parts[::2])
        self.order = [int(n) for n in parts[1::2]]

    def __call__(self, *values: str) -> CanonicalChanges:
        if self.order == [0]:  # the common shape, without a tuple to build
            return CanonicalChanges(self.template % encode_string(values[0]))
        return CanonicalChanges(self.template % tuple(encode_string(values[n]) for n in self.order))


def _encoded_changes(changes) -> str:
    if type(changes) is CanonicalChanges:
        return changes
    changes = _scrub(changes)
    try:
        return CANONICAL.encode(changes)
    except TypeError:  # a value JSON has no type for: the long way, as `content_hash` goes
        return CANONICAL.encode(json.loads(json.dumps(changes, cls=DjangoJSONEncoder)))


# The columns a bulk append writes, in the order of `_copy_line`'s fields (the id and
# redacted_at are left to the database: its identity and NULL).
COPY_COLUMNS = [
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
    "hash_version",
    "detail_digest",
    "detail_salt",
]


def _chained(entries, *, sequence: int, prev_hash: str, label, reason, action, actor_id, stamp):
    """Each entry's event as (sequence, object type, object id, object repr, changes as
    canonical JSON, salt, detail digest, previous hash, hash), chained on from `sequence` and
    `prev_hash`. The two SHA-256 inputs are %-templates of pre-serialised pieces (the same text
    `detail_digest` and `content_hash` hash, see `ChainTemplate`), so an event costs two string
    formats and two hashes."""
    chain = ChainTemplate(
        SKELETON_KEYS, action=action, actor_id=actor_id, created_at=stamp, hash_version=2
    )
    detail = ChainTemplate(DETAIL_FIELDS, actor_label=label, reason=reason)
    # The per-event slots are filled in the templates' (sorted) order: the skeleton's detail
    # digest, object id, object type, previous hash, sequence; the detail's changes, object repr.
    digest_of = '{"detail":' + detail.template + ',"salt":"%s"}'  # = detail_digest(salt, ...)
    skeleton = chain.template
    sha256 = hashlib.sha256
    salts = secrets.token_bytes(16 * len(entries)).hex()  # = new_salt() for each event
    encoded_types = {}
    for n, (object_type, object_id, object_repr, changes) in enumerate(entries):
        sequence += 1
        object_id, object_repr = str(object_id), str(object_repr)[:300]
        changes = _encoded_changes(changes)
        salt = salts[32 * n : 32 * n + 32]
        digest = sha256((digest_of % (changes, encode_string(object_repr), salt)).encode())
        digest = digest.hexdigest()
        if (quoted_type := encoded_types.get(object_type)) is None:
            quoted_type = encoded_types[object_type] = encode_string(object_type)
        row_hash = sha256(
            (
                skeleton
                % (
                    f'"{digest}"',
                    encode_string(object_id),
                    quoted_type,
                    f'"{prev_hash}"',
                    sequence,
                )
            ).encode()
        ).hexdigest()
        yield (
            sequence,
            object_type,
            object_id,
            object_repr,
            changes,
            salt,
            digest,
            prev_hash,
            row_hash,
        )
        prev_hash = row_hash


def _copy_lines(events, *, label, reason, action, actor_id, stamp):
    """The events as lines of COPY's text format, fields in COPY_COLUMNS order."""
    shared = [bulk.copy_text(str(v)).replace("%", "%%") for v in (stamp, label, action, reason)]
    stamp, label, action, reason = shared
    actor = "\\N" if actor_id is None else str(actor_id)
    line = f"%s\t{stamp}\t{actor}\t{label}\t{action}\t%s\t%s\t%s\t%s\t{reason}\t%s\t%s\t2\t%s\t%s\n"
    text = bulk.copy_text
    for sequence, object_type, object_id, repr_, changes, salt, digest, prev, row_hash in events:
        # Canonical JSON is ASCII with no raw control character: only backslashes to double.
        if "\\" in changes:
            changes = changes.replace("\\", "\\\\")
        yield line % (
            sequence,
            text(object_type),
            text(object_id),
            text(repr_),
            changes,
            prev,
            row_hash,
            digest,
            salt,
        )


@transaction.atomic
def audit_record_rows(
    *,
    actor,
    action: str,
    entries: Iterable[tuple[str, object, str, dict]],
    reason: str = "",
    batch_size: int = 1000,
) -> int:
    """One event per (object type "app.model", object id, how the object reads, changes), for
    imports that write thousands of rows without building their objects. The events are chained
    on from the trail's last one under the chain's lock (held until the caller's transaction
    ends, so nothing else is appended in between) and written in one bulk insert (`core.bulk`:
    on PostgreSQL one COPY, streamed while the events are hashed; elsewhere `batch_size` rows
    per INSERT). `changes` may be a dict or `CanonicalChanges` from a `ChangesTemplate`. Same
    trail, same hashes as `audit_record`."""
    entries = list(entries)
    if not entries:
        return 0
    _lock_chain()
    last = _last_event()
    created_at = timezone.now()
    # Version 2 (redactable): the hash covers the skeleton and a salted digest of the detail.
    shared = {
        "label": _actor_label(actor),
        "reason": reason,
        "action": action,
        "actor_id": actor.pk if actor is not None and actor.pk else None,
        "stamp": created_at.isoformat(),
    }
    events = _chained(
        entries,
        sequence=last.sequence if last else 0,
        prev_hash=last.hash if last else GENESIS_HASH,
        **shared,
    )
    if connection.vendor == "postgresql":
        # The time and the canonical JSON of the changes (jsonb keeps the same value) are sent
        # as they were hashed, as text.
        lines = _copy_lines(events, **shared)
        bulk.insert(AuditEvent, bulk.Lines(COPY_COLUMNS, len(entries), lines))
        return len(entries)
    names = ["sequence", "object_type", "object_id", "object_repr", "changes", "detail_salt"]
    names += ["detail_digest", "prev_hash", "hash"]
    rows = []
    for event in events:
        row = dict(zip(names, event, strict=True))
        row["changes"] = json.loads(row["changes"])
        rows.append(
            {
                **row,
                "created_at": created_at,
                "actor_id": shared["actor_id"],
                "actor_label": shared["label"],
                "action": action,
                "reason": reason,
                "hash_version": 2,
                "redacted_at": None,
            }
        )
    bulk.insert(AuditEvent, rows, batch_size=batch_size)
    return len(rows)


def _redacted_changes(changes) -> dict:
    """The changes with every value redacted and the field names kept (they name no one)."""
    if isinstance(changes, dict):
        return dict.fromkeys(changes, REDACTED)
    return {}


@transaction.atomic
def audit_redact(*, event_ids: list[int], at=None) -> int:
    """Redact the detail of these (version-2, not yet redacted) events: the names, how the
    object read, the values changed and the reason become REDACTED and the salt is erased; the
    skeleton, the digest and the hash stay, so `verify_chain` still verifies every one. The
    only UPDATE the trail's trigger lets through, and only once per event. Returns how many were
    redacted. The caller audits the redaction (counts, never what was redacted)."""
    at = at or timezone.now()
    events = list(
        AuditEvent.objects.filter(pk__in=event_ids, hash_version=2, redacted_at__isnull=True)
        .only("pk", "changes", "reason")
        .order_by("pk")
    )
    for event in events:
        values = {
            "actor_label": REDACTED,
            "object_repr": REDACTED,
            "changes": _redacted_changes(event.changes),
            "reason": REDACTED if event.reason else "",
            "detail_salt": "",
            "redacted_at": at,
        }
        # The append-only queryset refuses updates; this is the one sanctioned path, and the
        # database trigger checks it changes nothing but the detail (audit migration 0003).
        models.QuerySet(AuditEvent).filter(pk=event.pk).update(**values)
    return len(events)
