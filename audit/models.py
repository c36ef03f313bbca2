import hashlib
import json
import secrets

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from core.models import AppendOnlyModel

GENESIS_HASH = "0" * 64
REDACTED = "[redacted]"
# The fields of an event that may name a person. From hash version 2 the chain's hash covers a
# salted digest of them instead of the fields themselves, so they can be redacted when their
# retention ends (privacy app) while every hash, and so the chain, still verifies.
DETAIL_FIELDS = ("actor_label", "object_repr", "changes", "reason")


class AuditEvent(AppendOnlyModel):
    """One change to one object, by one person (or the system), never edited or deleted.

    Each event carries a SHA-256 over its own content and the previous event's hash, so any
    edit, deletion or insertion in the middle of the trail breaks the chain
    (`manage.py verify_audit_chain` names the first broken event).

    Hash version 1 (events written before redaction existed) hashes every field. Version 2
    hashes the skeleton (sequence, time, actor id, action, object, previous hash) and
    `detail_digest`, a SHA-256 over a random per-event salt and the detail fields (who by name,
    how the object read, the changes, the reason). While the detail is held the verifier
    recomputes the digest too, so editing it is caught as before; redaction replaces the detail
    with REDACTED and erases the salt (the one UPDATE the database's trigger allows, once), so
    the digest stays in the hash and can no longer be used to guess what the detail said."""

    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    created_at = models.DateTimeField(editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
        db_index=False,  # indexed below without the system's own events
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
    hash_version = models.PositiveSmallIntegerField(default=1, db_default=1, editable=False)
    detail_digest = models.CharField(max_length=64, blank=True, db_default="", editable=False)
    detail_salt = models.CharField(max_length=32, blank=True, db_default="", editable=False)
    redacted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["sequence"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "sequence"]),
            # A plain index (the field's db_index would add a second, `LIKE`-prefix index on
            # PostgreSQL that no query uses: the trail's filter is `icontains`).
            models.Index(fields=["action"], name="audit_event_action"),
            # What a person did (their subject-access export, the user's deletion guard). The
            # system's events (no actor: scans, imports) are most of a large trail and nothing
            # looks them up by actor, so a bulk append by the system writes one index fewer.
            models.Index(
                fields=["actor"],
                condition=models.Q(actor__isnull=False),
                name="audit_event_by_person",
            ),
        ]
        permissions = [("view_audit_trail", "Can read the whole audit trail")]

    def __str__(self):
        return f"#{self.sequence} {self.action} {self.object_repr} by {self.actor_label}"

    def content_for_hash(self) -> dict:
        if self.hash_version == 2:
            return skeleton(
                sequence=self.sequence,
                created_at=self.created_at.isoformat(),
                actor_id=self.actor_id,
                action=self.action,
                object_type=self.object_type,
                object_id=self.object_id,
                prev_hash=self.prev_hash,
                detail_digest=self.detail_digest,
            )
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

    def detail(self) -> dict:
        return {name: getattr(self, name) for name in DETAIL_FIELDS}

    @property
    def redacted(self) -> bool:
        return self.redacted_at is not None


def skeleton(**fields) -> dict:
    """What a version-2 hash covers: no field that names a person, and the detail's digest."""
    return {**fields, "hash_version": 2}


def new_salt() -> str:
    return secrets.token_hex(16)


def detail_digest(salt: str, detail: dict, *, plain: bool = False) -> str:
    """The salted digest of an event's detail fields (as `content_hash` canonicalises them)."""
    return content_hash({"salt": salt, "detail": detail}, plain=plain)


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


class ChainTemplate:
    """The canonical JSON of many dicts that share most of their values, built by joining
    pre-serialised pieces: the same text `content_hash` hashes (sorted keys, compact separators,
    ASCII) without encoding the shared values again for every event. `keys` are the dict's keys,
    `shared` the values every event has; `canonical(**encoded)` takes each other key's value
    already encoded as JSON text. A bulk append of 100,000 events spends its time in SHA-256,
    not in JSON."""

    def __init__(self, keys, **shared):
        pieces = []  # a %-template: the shared values encoded, a %s for each per-event one
        self.per_event = []
        for key in sorted(keys):
            if key in shared:
                value = CANONICAL.encode(shared[key]).replace("%", "%%")
            else:
                value = "%s"
                self.per_event.append(key)
            pieces.append(f"{json.dumps(key)}:{value}")
        self.template = "{" + ",".join(pieces) + "}"

    def canonical(self, **encoded: str) -> str:
        return self.template % tuple(encoded[key] for key in self.per_event)

    def hash(self, **encoded: str) -> str:
        return hashlib.sha256(self.canonical(**encoded).encode()).hexdigest()


# A version-2 event's hashed skeleton and its detail, as `content_for_hash` and `detail_digest`
# build them: the keys each template is made of.
SKELETON_KEYS = (
    "sequence",
    "created_at",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "prev_hash",
    "detail_digest",
    "hash_version",
)


encode_string = json.encoder.encode_basestring_ascii
