from celery import shared_task

from notifications.models import Notification
from notifications.services import notification_deliver

MAX_ATTEMPTS = 10


@shared_task(name="notifications.tasks.deliver")
def deliver(ids: list[int]) -> int:
    return sum(notification_deliver(notification_id=i) for i in ids)


@shared_task(name="notifications.tasks.deliver_pending")
def deliver_pending(batch: int = 500) -> int:
    """Sweep the outbox: anything not yet e-mailed (broker was down, mail server failed)."""
    ids = list(
        Notification.objects.filter(emailed_at__isnull=True, email_attempts__lt=MAX_ATTEMPTS)
        .order_by("created_at")
        .values_list("pk", flat=True)[:batch]
    )
    return sum(notification_deliver(notification_id=i) for i in ids)
