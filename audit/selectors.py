from django.apps import apps
from django.core.paginator import Page, Paginator
from django.db import connection, models
from django.db.models import Max

from audit.models import REDACTED, AuditEvent, detail_digest


def object_types(model) -> list[str]:
    """The `object_type` values the trail holds for `model`: its label now, and any label it had
    before it moved app (a model lists those in `audit_former_labels`). Events are never
    rewritten, so a moved model's old events keep their old label and are found by it."""
    return [model._meta.label_lower, *getattr(model, "audit_former_labels", ())]


def history_for(obj: models.Model):
    """Every audit event about `obj`, oldest first, with the actor loaded."""
    return AuditEvent.objects.filter(
        object_type__in=object_types(type(obj)), object_id=str(obj.pk)
    ).select_related("actor")


def _model_labelled(object_type: str):
    return next((m for m in apps.get_models() if object_type in object_types(m)), None)


def labels_meaning(object_type: str) -> list[str]:
    """`object_type` and every other label the same model has had (for filtering the trail)."""
    model = _model_labelled(object_type)
    return object_types(model) if model else [object_type]


def object_of(event: AuditEvent) -> models.Model | None:
    """The object an event is about, if it still exists (under its label now or a former one)."""
    model = _model_labelled(event.object_type)
    return model._default_manager.filter(pk=event.object_id).first() if model else None


def verify_chain(batch_size: int = 2000) -> tuple[int, AuditEvent | None, str]:
    """Walk the whole trail in order. Returns (events checked, first broken event, why)."""
    expected_prev = None
    expected_sequence = 1
    checked = 0
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=batch_size):
        if event.sequence != expected_sequence:
            return checked, event, f"sequence {expected_sequence} is missing"
        if expected_prev is not None and event.prev_hash != expected_prev:
            return checked, event, "its previous-hash does not match the event before it"
        if event.compute_hash() != event.hash:
            return checked, event, "its content does not match its hash"
        if event.hash_version == 2:
            why = _detail_problem(event)
            if why:
                return checked, event, why
        expected_prev = event.hash
        expected_sequence += 1
        checked += 1
    return checked, None, ""


def _detail_problem(event: AuditEvent) -> str:
    """Why a version-2 event's detail does not match its digest ("" when it does). A redacted
    event's detail is gone by design: it must read as redacted, with no salt left."""
    if event.redacted_at is None:
        if detail_digest(event.detail_salt, event.detail()) != event.detail_digest:
            return "its content does not match its digest"
        return ""
    if event.detail_salt or event.actor_label != REDACTED or event.object_repr != REDACTED:
        return "it is marked redacted but its content is not"
    values = event.changes.values() if isinstance(event.changes, dict) else [event.changes]
    if event.reason not in ("", REDACTED) or any(value != REDACTED for value in values):
        return "it is marked redacted but its content is not"
    return ""


# The trail's object types without reading every event: a loose index scan over the
# (object_type, object_id, sequence) index, one index probe per type (PostgreSQL and SQLite).
OBJECT_TYPES_SQL = """
WITH RECURSIVE types(object_type) AS (
    SELECT min(object_type) FROM audit_auditevent
    UNION ALL
    SELECT (SELECT min(e.object_type) FROM audit_auditevent e WHERE e.object_type > t.object_type)
    FROM types t WHERE t.object_type IS NOT NULL
)
SELECT object_type FROM types WHERE object_type IS NOT NULL
"""


def trail_object_types() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(OBJECT_TYPES_SQL)
        return [row[0] for row in cursor.fetchall()]


def trail_page(number, *, object_type: str = "", action: str = "", per_page: int = 50) -> Page:
    """A page of the trail, newest first. Unfiltered, the trail is numbered without gaps (the
    chain's `sequence`, checked by `verify_chain`), so its size is the last number and page n
    starts at a known number: every page is an index range, the thousandth as cheap as the
    first, with no COUNT over the whole trail."""
    events = AuditEvent.objects.select_related("actor").order_by("-sequence")
    if object_type:
        events = events.filter(object_type__in=labels_meaning(object_type))
    if action:
        events = events.filter(action__icontains=action)
    paginator = Paginator(events, per_page)
    if object_type or action:
        return paginator.get_page(number)
    last = AuditEvent.objects.aggregate(last=Max("sequence"))["last"] or 0
    paginator.count = last
    page = paginator.get_page(number)
    top = last - (page.number - 1) * per_page
    page.object_list = list(events.filter(sequence__lte=top)[:per_page])
    return page
