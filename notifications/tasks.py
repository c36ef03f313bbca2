from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from notifications.models import Notification
from notifications.services import MAX_ATTEMPTS, notification_deliver


@shared_task(name="notifications.tasks.deliver")
def deliver(ids: list[int]) -> int:
    return sum(notification_deliver(notification_id=i) for i in ids)


@shared_task(name="notifications.tasks.deliver_pending")
def deliver_pending(batch: int = 500) -> int:
    """Sweep the outbox: anything not yet e-mailed or posted to its chat channel (broker was
    down, mail server or chat service failed), and
    not parked as failed nor waiting out its back-off."""
    ids = list(
        Notification.objects.filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now()),
            Notification.HAS_COPY,
            emailed_at__isnull=True,
            failed_at__isnull=True,
            email_attempts__lt=MAX_ATTEMPTS,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:batch]
    )
    return sum(notification_deliver(notification_id=i) for i in ids)
