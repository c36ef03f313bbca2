"""Thin tasks: one service call each. The schedule is CELERY_BEAT_SCHEDULE in
portal/settings/base.py."""

from celery import shared_task

from people import services


@shared_task(name="people.training_expiry_remind", acks_late=True, reject_on_worker_lost=True)
def training_expiry_remind() -> int:
    return services.training_expiry_remind()
