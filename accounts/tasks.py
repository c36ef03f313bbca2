"""Celery tasks for the register: thin, take ids, call a service, safe to run twice."""

import datetime
import logging

from celery import shared_task
from django.conf import settings

from accounts.models import SocialAccount
from accounts.platforms import (
    PlatformAccountNotFound,
    PlatformAuthError,
    PlatformRateLimited,
    PlatformUnavailable,
    adapter_for,
    configured_platforms,
)
from accounts.services import activity_poll, import_job_run, poll_slot

logger = logging.getLogger(__name__)

MAX_POLL_RETRIES = 5


@shared_task(name="accounts.tasks.run_import")
def run_import(job_id: int) -> str:
    return import_job_run(job_id=job_id).status


def _poll_one(account_id: int, adapter, slot) -> str:
    """Read one account. Returns what happened; raises the retryable platform errors."""
    account = SocialAccount.objects.select_related("owner__user").filter(pk=account_id).first()
    if account is None or account.status == SocialAccount.Status.CLOSED:
        return "skipped"
    try:
        observation = activity_poll(account=account, adapter=adapter, slot=slot)
    except PlatformAccountNotFound:
        logger.warning("Platform has no account for register entry %s", account_id)
        return "not found"
    return "observed" if observation is not None else "already observed"


@shared_task(bind=True, name="accounts.tasks.poll_account_activity", max_retries=MAX_POLL_RETRIES)
def poll_account_activity(self, account_id: int) -> str:
    account = SocialAccount.objects.filter(pk=account_id).only("platform").first()
    adapter = adapter_for(account.platform) if account else None
    if adapter is None:
        return "skipped" if account is None else "no adapter"
    try:
        return _poll_one(account_id, adapter, poll_slot())
    except PlatformRateLimited as exc:
        # Honour the platform's reset time rather than hammering it.
        raise self.retry(exc=exc, countdown=exc.retry_after) from None
    except PlatformUnavailable as exc:
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from None
    except PlatformAuthError:
        logger.error("Platform refused the portal's API credentials; activity not read")
        return "auth error"
    finally:
        adapter.close()


@shared_task(bind=True, name="accounts.tasks.poll_activity_batch", max_retries=MAX_POLL_RETRIES)
def poll_activity_batch(self, platform: str, account_ids: list[int], slot: str) -> dict:
    """Read a batch of one platform's accounts through one HTTP client. A rate limit or an
    outage retries the rest of the batch (from the account it stopped at) after the wait the
    platform asks for; the poll slot makes a retry, or a second run, read nobody twice. A
    refused token stops the batch: every account after it would be refused too."""
    adapter = adapter_for(platform)
    if adapter is None:
        return {"no adapter": len(account_ids)}
    moment = datetime.datetime.fromisoformat(slot)
    outcomes: dict[str, int] = {}
    try:
        for index, account_id in enumerate(account_ids):
            try:
                outcome = _poll_one(account_id, adapter, moment)
            except PlatformAuthError:
                logger.error("%s refused the portal's API credentials; batch stopped", platform)
                outcomes["auth error"] = len(account_ids) - index
                break
            except (PlatformRateLimited, PlatformUnavailable) as exc:
                countdown = (
                    exc.retry_after
                    if isinstance(exc, PlatformRateLimited)
                    else 60 * 2**self.request.retries
                )
                raise self.retry(
                    exc=exc, countdown=countdown, args=(platform, account_ids[index:], slot)
                ) from None
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    finally:
        adapter.close()
    return outcomes


@shared_task(name="accounts.tasks.poll_platform_activity")
def poll_platform_activity() -> int:
    """Queue reads of every live account on a platform whose adapter is configured, in batches
    of PLATFORM_POLL_BATCH, all for the current poll slot."""
    live = SocialAccount.objects.exclude(status=SocialAccount.Status.CLOSED)
    slot = poll_slot().isoformat()
    size = max(1, settings.PLATFORM_POLL_BATCH)
    queued = 0
    for platform in sorted(configured_platforms()):
        ids = list(live.filter(platform=platform).order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), size):
            poll_activity_batch.delay(platform, ids[start : start + size], slot)
        queued += len(ids)
    return queued
