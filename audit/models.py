import hashlib
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from core.models import AppendOnlyModel

GENESIS_HASH = "0" * 64


class AuditEvent(AppendOnlyModel):
    """One change to one object, by one person (or the system), never edited or deleted.

    Each event carries a SHA-256 over its own content and the previous event's hash, so any
    edit, deletion or insertion in the middle of the trail breaks the chain
    (`manage.py verify_audit_chain` names the first broken event)."""

    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    created_at = models.DateTimeField(editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    actor_label = models.CharField(max_length=200, help_text="Who acted, as they were named then.")
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=100, help_text="app_label.model")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=300)
    changes = models.JSONField(default=dict, encoder=DjangoJSONEncoder, blank=True)
    reason = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    # Not unique, not indexed: nothing looks an event up by its hash (the chain is walked by
    # sequence, which is unique), and an index of random 64-character keys made every bulk
    # append several times slower. Two events cannot share a hash: each covers its sequence.
    hash = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["sequence"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "sequence"]),
            # A plain index (the field's db_index would add a second, `LIKE`-prefix index on
            # PostgreSQL that no query uses: the trail's filter is `icontains`).
            models.Index(fields=["action"], name="audit_event_action"),
        ]
        permissions = [("view_audit_trail", "Can read the whole audit trail")]

    def __str__(self):
        return f"#{self.sequence} {self.action} {self.object_repr} by {self.actor_label}"

    def content_for_hash(self) -> dict:
        return {
            "sequence": self.sequence,
            "created_at": self.created_at.isoformat(),
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "changes": self.changes,
            "reason": self.reason,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        return content_hash(self.content_for_hash())


CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def content_hash(content: dict, *, plain: bool = False) -> str:
    """SHA-256 over an event's content in canonical JSON. The content is round-tripped through
    JSON so the hash is over exactly what the database keeps; `plain` says it is already only
    JSON's own types with string keys (as the audit services make it), which skips the trip."""
    if plain:
        try:
            return hashlib.sha256(CANONICAL.encode(content).encode()).hexdigest()
        except TypeError:  # a value JSON has no type for after all: the long way
            pass
    content = json.loads(json.dumps(content, cls=DjangoJSONEncoder))
    return hashlib.sha256(CANONICAL.encode(content).encode()).hexdigest()


# The keys of the hashed content in canonical (sorted) order, and what varies from event to event
# in a bulk append; `ChainTemplate` pre-serialises the rest once.
HASHED_KEYS = sorted(
    [
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
    ]
)
PER_EVENT = ("changes", "object_id", "object_repr", "object_type", "prev_hash", "sequence")


class ChainTemplate:
    """The canonical JSON of many events that share actor, action, time and reason, built by
    joining pre-serialised pieces: the same bytes `content_hash` hashes (sorted keys, compact
    separators, ASCII), without encoding the shared fields again for every event. A bulk append
    of 100,000 events spends its time in SHA-256, not in JSON."""

    def __init__(self, **shared):
        text = []  # a %-template: the shared fields encoded, a %s for each per-event one
        for key in HASHED_KEYS:
            value = "%s" if key in PER_EVENT else CANONICAL.encode(shared[key]).replace("%", "%%")
            text.append(f"{json.dumps(key)}:{value}")
        self.template = "{" + ",".join(text) + "}"

    def canonical(self, changes_json: str, **event) -> str:
        """`changes_json`: CANONICAL.encode(changes), also what the database is sent."""
        return self.template % (
            changes_json,
            encode_string(event["object_id"]),
            encode_string(event["object_repr"]),
            encode_string(event["object_type"]),
            encode_string(event["prev_hash"]),
            event["sequence"],
        )

    def hash(self, changes_json: str, **event) -> str:
        return hashlib.sha256(self.canonical(changes_json, **event).encode()).hexdigest()


encode_string = json.encoder.encode_basestring_ascii
