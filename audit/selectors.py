from django.db import models

from audit.models import AuditEvent


def history_for(obj: models.Model):
    """Every audit event about `obj`, oldest first, with the actor loaded."""
    return AuditEvent.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).select_related("actor")


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
        expected_prev = event.hash
        expected_sequence += 1
        checked += 1
    return checked, None, ""
