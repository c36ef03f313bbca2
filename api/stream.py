"""The audit trail as a stream for a SIEM: events after a cursor, one JSON object a line, each
with its hash, the previous event's hash and the exact content the hash is over, so the receiver
can verify every line and the links between them (README: "The audit stream"). For events
written since redaction existed (hash version 2) the hash covers a skeleton and a salted digest
of the detail; the line carries the salt and the detail so the receiver checks those too."""

import json

from django.core.serializers.json import DjangoJSONEncoder

from audit.models import AuditEvent

MAX_LIMIT = 5000
# Actions that record something refused or failed rather than done (the SIEM's outcome field).
FAILURE_WORDS = ("fail", "refused", "locked", "throttled", "denied", "rejected")


def events_after(after: int, limit: int) -> list[AuditEvent]:
    limit = max(1, min(limit, MAX_LIMIT))
    return list(AuditEvent.objects.filter(sequence__gt=after).order_by("sequence")[:limit])


def outcome(action: str) -> str:
    return "failure" if any(word in action for word in FAILURE_WORDS) else "success"


def _plain(value):
    """`value` as JSON gives it back (dates as ISO text, decimals as text): what was hashed."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _detail(event: AuditEvent) -> dict | None:
    """For a version-2 event, what its `detail_digest` is over: the salt and the detail fields,
    so the receiver can check them too; None once redacted (the digest alone remains)."""
    if event.hash_version != 2 or event.redacted:
        return None
    return {"salt": event.detail_salt, "fields": _plain(event.detail())}


def line(event: AuditEvent) -> dict:
    hashed = _plain(event.content_for_hash())
    changes = _plain(event.changes)
    address = changes.get("address") if isinstance(changes, dict) else None
    return {
        "cursor": event.sequence,
        "time": hashed["created_at"],
        "actor": {"id": event.actor_id, "name": event.actor_label},
        "action": event.action,
        "object": {"type": event.object_type, "id": event.object_id, "name": event.object_repr},
        "outcome": outcome(event.action),
        "source_address": address if isinstance(address, str) and address else None,
        "reason": event.reason,
        "changes": changes,
        "hash": event.hash,
        "prev_hash": event.prev_hash,
        "hashed": hashed,
        "detail": _detail(event),
        "redacted": event.redacted,
    }


def lines(after: int, limit: int):
    """(JSON Lines text, the cursor to ask from next: the last event's sequence, or `after`)."""
    events = events_after(after, limit)
    text = "".join(
        json.dumps(line(e), sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder) + "\n"
        for e in events
    )
    return text, events[-1].sequence if events else after
