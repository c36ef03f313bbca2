"""The dormancy ladder. The guidance: "don't leave your account without an update for weeks".

`dormancy_scan` is set-based: a fixed handful of queries whatever the number of accounts. It
writes one Reminder row per account, per rung, per dormant spell (a spell starts at the last
post; a new post starts a new one), then hands delivery to the worker after commit.
`reminder_deliver` sends one reminder's notifications exactly once."""

import dataclasses
import datetime
import time
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.models import SocialAccount
from accounts.roles import Role
from audit.services import audit_record_many
from notifications.services import notify
from portal.queue import enqueue_on_commit
from reminders.models import Reminder

Kind = Reminder.Kind
DELIVERY_BATCH = 200


@dataclasses.dataclass(frozen=True)
class Rung:
    kind: str
    days: int
    level: str  # the dormancy level an account is at once this rung fires


def ladder() -> list[Rung]:
    return [
        Rung(Kind.DORMANCY_WARN, settings.DORMANT_WARN_AFTER, "quiet"),
        Rung(Kind.DORMANCY_DORMANT, settings.DORMANT_AFTER, "dormant"),
        Rung(Kind.DORMANCY_STALE, settings.STALE_AFTER, "stale"),
    ]


def dormancy_reference():
    """When the current spell began: the last post, or the account's creation if it has none."""
    return Coalesce("last_post_at", "created_at")


def owners_on_leave(today: datetime.date):
    from accounts.models import Leave

    return Leave.objects.filter(
        officer=OuterRef("owner_id"), starts_on__lte=today, ends_on__gte=today
    )


@dataclasses.dataclass
class ScanResult:
    run_id: uuid.UUID
    created: dict[str, int]
    flagged: int

    @property
    def total(self) -> int:
        return sum(self.created.values())


def dormancy_scan(*, now: datetime.datetime | None = None) -> ScanResult:
    now = now or timezone.now()
    rungs = ladder()
    run_id = uuid.uuid4()
    first = min(r.days for r in rungs)
    fired = {
        r.kind: Exists(
            Reminder.objects.filter(
                kind=r.kind,
                subject_type=Reminder.SubjectType.ACCOUNT,
                subject_id=OuterRef("pk"),
                period_start=OuterRef("reference"),
            )
        )
        for r in rungs
    }
    due = Q()
    for r in rungs:
        due |= Q(reference__lte=now - datetime.timedelta(days=r.days), **{f"has_{r.kind}": False})
    candidates = (
        SocialAccount.objects.filter(status=SocialAccount.Status.ACTIVE)
        .annotate(reference=dormancy_reference())
        .filter(reference__lte=now - datetime.timedelta(days=first))
        .annotate(on_leave=Exists(owners_on_leave(timezone.localdate(now))))
        .filter(on_leave=False)
        .annotate(**{f"has_{k}": v for k, v in fired.items()})
        .filter(due)
        .values_list("pk", "reference", "handle", "platform", *[f"has_{r.kind}" for r in rungs])
    )
    new_rows, flagged = [], []
    with transaction.atomic():
        for pk, reference, handle, platform, *has in candidates.iterator(chunk_size=5000):
            age = now - reference
            for rung, already in zip(rungs, has, strict=True):
                if already or age < datetime.timedelta(days=rung.days):
                    continue
                new_rows.append(
                    Reminder(
                        kind=rung.kind,
                        subject_type=Reminder.SubjectType.ACCOUNT,
                        subject_id=pk,
                        period_start=reference,
                        account_id=pk,
                        run_id=run_id,
                    )
                )
                if rung.kind != Kind.DORMANCY_WARN:
                    flagged.append(
                        (
                            SocialAccount(pk=pk, handle=handle, platform=platform),
                            rung.level,
                            reference,
                        )
                    )
        Reminder.objects.bulk_create(new_rows, ignore_conflicts=True, batch_size=20000)
        created = list(
            Reminder.objects.filter(run_id=run_id).values_list("pk", "kind", "subject_id")
        )
        created_keys = {(kind, subject_id) for _, kind, subject_id in created}
        really_flagged = [f for f in flagged if (_kind_for(f[1]), f[0].pk) in created_keys]
        audit_record_many(
            actor=None,
            action="account.dormancy_flagged",
            entries=[
                (account, {"dormancy": [None, level], "last_post_at": [None, reference]})
                for account, level, reference in really_flagged
            ],
            reason="Daily dormancy scan",
            batch_size=5000,
        )
        ids = [pk for pk, _, _ in created]
        _deliver_after_commit(ids)
    counts = {r.kind: 0 for r in rungs}
    for _, kind, _ in created:
        counts[kind] += 1
    return ScanResult(run_id=run_id, created=counts, flagged=len(really_flagged))


def _kind_for(level: str) -> str:
    return {r.level: r.kind for r in ladder()}[level]


def _deliver_after_commit(ids: list[int]) -> None:
    from reminders.tasks import deliver

    for start in range(0, len(ids), DELIVERY_BATCH):
        enqueue_on_commit(deliver, ids[start : start + DELIVERY_BATCH])


def _press_office():
    users = get_user_model().objects.filter(groups__name=Role.PRESS_OFFICE.value, is_active=True)
    return [*users, settings.PRESS_OFFICE_EMAIL]


def _recipients(reminder: Reminder) -> list:
    owner = reminder.account.owner
    supervisor = owner.supervisor.user if owner.supervisor_id else None
    if reminder.kind == Kind.DORMANCY_WARN:
        return [owner.user]
    if reminder.kind == Kind.DORMANCY_DORMANT:
        return [owner.user, supervisor] if supervisor else [owner.user, *_press_office()]
    return [*_press_office(), owner.user]


SUBJECTS = {
    Kind.DORMANCY_WARN: "@{handle} has not posted for {days} days",
    Kind.DORMANCY_DORMANT: "@{handle} is dormant: no post for {days} days",
    Kind.DORMANCY_STALE: "@{handle} is stale: review for closure or handover",
}


def reminder_deliver(*, reminder_id: int, now: datetime.datetime | None = None) -> bool:
    """Send one reminder's notifications. Exactly once: the row is locked, skipped by anyone
    else holding it, and marked in the same transaction as the notifications are written."""
    now = now or timezone.now()
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("account__owner__user", "account__owner__supervisor__user")
            .filter(pk=reminder_id, notified_at__isnull=True)
            .first()
        )
        if reminder is None:
            return False
        account = reminder.account
        days = (now - reminder.period_start).days
        link = _account_link(account)
        notify(
            recipients=_recipients(reminder),
            subject=SUBJECTS[reminder.kind].format(handle=account.handle, days=days),
            template=f"mail/{reminder.kind}.txt",
            context={
                "account": account,
                "days": days,
                "reminder": reminder,
                "thresholds": {r.kind: r.days for r in ladder()},
            },
            kind=reminder.kind,
            link=link,
        )
        Reminder.objects.filter(pk=reminder.pk).update(notified_at=now)
        return True


def _account_link(account) -> str:
    from django.urls import NoReverseMatch

    try:
        return reverse("register:detail", args=[account.pk])
    except NoReverseMatch:  # the register's pages are not mounted (yet)
        return ""


def reminder_deliver_many(ids: list[int]) -> int:
    """Deliver a batch, pausing REMINDER_DELIVERY_PAUSE seconds between reminders so that a
    large first scan does not flood the mail relay."""
    sent = 0
    for i in ids:
        sent += reminder_deliver(reminder_id=i)
        if settings.REMINDER_DELIVERY_PAUSE:
            time.sleep(settings.REMINDER_DELIVERY_PAUSE)
    return sent


def dormancy_level(account: SocialAccount, now: datetime.datetime | None = None) -> str:
    """'active', 'quiet' (past the warning), 'dormant' or 'stale', from the last post."""
    now = now or timezone.now()
    reference = account.last_post_at or account.created_at
    level = "active"
    for rung in ladder():
        if reference and now - reference >= datetime.timedelta(days=rung.days):
            level = rung.level
    return level


def unnotified_reminder_ids(limit: int = 5000) -> list[int]:
    return list(
        Reminder.objects.filter(notified_at__isnull=True)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
