"""Thin tasks: one service call, safe to run twice (the schedule is CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from pauses import services


@shared_task(name="pauses.suspension_review", acks_late=True, reject_on_worker_lost=True)
def suspension_review() -> int:
    return services.suspension_review_reminders()
