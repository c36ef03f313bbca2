"""Thin tasks. The schedule is CELERY_BEAT_SCHEDULE in portal/settings/base.py."""

from celery import shared_task

from reports import services


@shared_task(name="reports.weekly_summaries", acks_late=True, reject_on_worker_lost=True)
def weekly_summaries() -> dict:
    return services.weekly_summaries_send()
