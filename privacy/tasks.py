from celery import shared_task


@shared_task(name="privacy.retention_run")
def retention_run():
    """Nightly (CELERY_BEAT_SCHEDULE): remove or anonymise what is past its retention."""
    from privacy.services import retention_run as run

    return run().counts
