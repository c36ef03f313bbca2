"""Celery tasks for the register: thin, take ids, call a service, safe to run twice."""

import logging

from celery import shared_task

from accounts.models import SocialAccount
from accounts.platforms import (
    PlatformAccountNotFound,
    PlatformAuthError,
    PlatformRateLimited,
    PlatformUnavailable,
    adapter_for,
)
from accounts.services import activity_poll, import_job_run

logger = logging.getLogger(__name__)

MAX_POLL_RETRIES = 5


@shared_task(name="accounts.tasks.run_import")
def run_import(job_id: int) -> str:
    return import_job_run(job_id=job_id).status


@shared_task(bind=True, name="accounts.tasks.poll_account_activity", max_retries=MAX_POLL_RETRIES)
def poll_account_activity(self, account_id: int) -> str:
    account = SocialAccount.objects.filter(pk=account_id).first()
    if account is None or account.status == SocialAccount.Status.CLOSED:
        return "skipped"
    adapter = adapter_for(account.platform)
    if adapter is None:
        return "no adapter"
    try:
        activity_poll(account=account, adapter=adapter)
    except PlatformRateLimited as exc:
        # Honour the platform's reset time rather than hammering it.
        raise self.retry(exc=exc, countdown=exc.retry_after) from None
    except PlatformUnavailable as exc:
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from None
    except PlatformAccountNotFound:
        logger.warning("Platform has no account for register entry %s", account_id)
        return "not found"
    except PlatformAuthError:
        logger.error("Platform refused the portal's API credentials; activity not read")
        return "auth error"
    return "observed"


@shared_task(name="accounts.tasks.poll_platform_activity")
def poll_platform_activity() -> int:
    """Queue a read of every live account on a platform that has an adapter configured."""
    live = SocialAccount.objects.exclude(status=SocialAccount.Status.CLOSED)
    queued = 0
    for platform in live.values_list("platform", flat=True).distinct().order_by():
        if adapter_for(platform) is None:
            continue
        for account_id in live.filter(platform=platform).values_list("pk", flat=True):
            poll_account_activity.delay(account_id)
            queued += 1
    return queued
