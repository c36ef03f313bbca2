"""The audit trail as a stream for a SIEM: events after a cursor, one JSON object a line, each
with its hash, the previous event's hash and the exact content the hash is over, so the receiver
can verify every line and the links between them (README: "The audit stream")."""

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


def line(event: AuditEvent) -> dict:
    hashed = json.loads(json.dumps(event.content_for_hash(), cls=DjangoJSONEncoder))
    changes = hashed["changes"] if isinstance(hashed["changes"], dict) else {}
    address = changes.get("address")
    return {
        "cursor": event.sequence,
        "time": hashed["created_at"],
        "actor": {"id": event.actor_id, "name": event.actor_label},
        "action": event.action,
        "object": {"type": event.object_type, "id": event.object_id, "name": event.object_repr},
        "outcome": outcome(event.action),
        "source_address": address if isinstance(address, str) and address else None,
        "reason": event.reason,
        "changes": hashed["changes"],
        "hash": event.hash,
        "prev_hash": event.prev_hash,
        "hashed": hashed,
    }


def lines(after: int, limit: int):
    """(JSON Lines text, the cursor to ask from next: the last event's sequence, or `after`)."""
    events = events_after(after, limit)
    text = "".join(
        json.dumps(line(e), sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder) + "\n"
        for e in events
    )
    return text, events[-1].sequence if events else after
