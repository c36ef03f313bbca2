"""Suspending an account, pausing every account of a unit or of the force during a critical
incident, lifting either, and acknowledging one. Each is one transaction that locks what it
changes, checks the rule, writes the pause and its effect on each account, audits it (one event
on the pause, one on each account, so every account's history shows it) and tells everyone who
posts to the accounts through the notifications outbox: one message per person, however many of
the accounts they post to."""

import datetime

import rules
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import SocialAccount
from accounts.selectors import account_posters
from audit.services import audit_record, audit_record_rows
from core.errors import DomainError
from notifications.services import notify
from pauses.models import Pause, PausedAccount, PauseNotice
from pauses.selectors import COVERABLE_STATUSES, accounts_coverable
from people.models import Unit
from people.selectors import press_office_recipients

ACCOUNT_LABEL = SocialAccount._meta.label_lower


class PauseError(DomainError):
    """A suspension, pause, lift or acknowledgement that cannot happen now."""


def _link(pause: Pause) -> str:
    return reverse("pauses:mine")


def _posters(accounts) -> dict:
    """{officer: [accounts they post to]}, in the order first met."""
    by_officer: dict = {}
    for account in accounts:
        for officer in account_posters(account):
            by_officer.setdefault(officer, []).append(account)
    return by_officer


def _tell(*, actor, pause: Pause, accounts, kind: str, record: bool) -> int:
    """Tell each person who posts to `accounts` once, naming their accounts; with `record`,
    keep a notice per person for them to acknowledge."""
    now = timezone.now()
    by_officer = _posters(accounts)
    if record:
        notices = PauseNotice.objects.bulk_create(
            [PauseNotice(pause=pause, officer=o, told_at=now) for o in by_officer]
        )
        Through = PauseNotice.accounts.through
        Through.objects.bulk_create(
            [
                Through(pausenotice_id=n.pk, socialaccount_id=a.pk)
                for n, accs in zip(notices, by_officer.values(), strict=True)
                for a in accs
            ]
        )
    for officer, accs in by_officer.items():
        if officer.user_id is None:
            continue
        notify(
            actor=actor,
            recipients=[officer.user],
            kind=kind,
            context={"pause": pause, "accounts": accs, "officer": officer},
            link=_link(pause),
        )
    return len(by_officer)


def account_suspend(*, actor, account_id: int, reason: str, review_on: datetime.date) -> Pause:
    """The press office suspends one account: no posting until lifted."""
    reason = (reason or "").strip()
    if not reason:
        raise PauseError("Give the reason for the suspension.")
    with transaction.atomic():
        account = (
            SocialAccount.objects.select_for_update(of=("self",))
            .select_related("owner__user")
            .get(pk=account_id)
        )
        if not rules.test_rule("pauses.suspend_account", actor, account):
            raise PauseError("Only the press office can suspend an account.")
        if review_on <= timezone.localdate():
            raise PauseError("The review date must be in the future.")
        if account.status not in COVERABLE_STATUSES:
            raise PauseError(f"@{account.handle} is closed: there is nothing to suspend.")
        if Pause.objects.filter(
            account=account, kind=Pause.Kind.SUSPENSION, lifted_at__isnull=True
        ).exists():
            raise PauseError(f"@{account.handle} is already suspended.")
        now = timezone.now()
        pause = Pause.objects.create(
            kind=Pause.Kind.SUSPENSION,
            scope=Pause.Scope.ACCOUNT,
            account=account,
            reason=reason,
            review_on=review_on,
            started_at=now,
            started_by=actor,
        )
        PausedAccount.objects.create(pause=pause, account=account, status_then=account.status)
        audit_record(
            actor=actor,
            action="pause.started",
            obj=pause,
            changes={"kind": [None, pause.kind], "accounts": [None, 1]},
            reason=reason,
        )
        audit_record(
            actor=actor,
            action="socialaccount.suspended",
            obj=account,
            changes={"suspended": [False, True], "review_on": [None, review_on]},
            reason=reason,
        )
        _tell(actor=actor, pause=pause, accounts=[account], kind="pause.suspended", record=True)
        return pause


def pause_start(*, actor, unit: Unit | None, reason: str) -> Pause:
    """The press office pauses every account of `unit` and the units below it, or of the whole
    force (`unit` None), during a critical incident: one record, one row per account, one event
    per account, one message per person who posts to any of them."""
    reason = (reason or "").strip()
    if not reason:
        raise PauseError("Give the reason for the pause.")
    if not rules.test_rule("pauses.start_pause", actor):
        raise PauseError("Only the press office can pause accounts.")
    with transaction.atomic():
        # The accounts are locked so none closes (or is registered into the unit's list) half
        # way: what the pause covers is what was live when it began.
        accounts = list(accounts_coverable(unit).select_for_update(of=("self",)))
        if not accounts:
            where = unit.name if unit else "the force"
            raise PauseError(f"{where} has no live accounts to pause.")
        pause = Pause.objects.create(
            kind=Pause.Kind.INCIDENT,
            scope=Pause.Scope.UNIT if unit else Pause.Scope.FORCE,
            unit=unit,
            reason=reason,
            started_at=timezone.now(),
            started_by=actor,
        )
        PausedAccount.objects.bulk_create(
            [PausedAccount(pause=pause, account=a, status_then=a.status) for a in accounts]
        )
        audit_record(
            actor=actor,
            action="pause.started",
            obj=pause,
            changes={
                "kind": [None, pause.kind],
                "unit": [None, unit.name if unit else "the whole force"],
                "accounts": [None, len(accounts)],
            },
            reason=reason,
        )
        audit_record_rows(
            actor=actor,
            action="socialaccount.paused",
            entries=(
                (ACCOUNT_LABEL, a.pk, str(a), {"paused": [False, True], "pause": [None, pause.pk]})
                for a in accounts
            ),
            reason=reason,
        )
        _tell(actor=actor, pause=pause, accounts=accounts, kind="pause.started", record=True)
        return pause


def pause_lift(*, actor, pause_id: int, reason: str) -> Pause:
    """The press office lifts a suspension or a pause: its accounts may post again (unless
    another pause still covers them), everyone told of it is told again, and each account's
    dormancy clock starts again now."""
    reason = (reason or "").strip()
    if not reason:
        raise PauseError("Say why the pause can be lifted.")
    with transaction.atomic():
        pause = Pause.objects.select_for_update().get(pk=pause_id)
        if not rules.test_rule("pauses.lift_pause", actor, pause):
            raise PauseError("Only the press office can lift a suspension or a pause.")
        if not pause.is_open:
            raise PauseError("This was lifted already.")
        now = timezone.now()
        pause.lifted_at, pause.lifted_by, pause.lift_reason = now, actor, reason
        pause.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        pause.effects.update(lifted_at=now)
        accounts = list(
            SocialAccount.objects.filter(pause_effects__pause=pause)
            .select_related("owner", "owner__user")
            .order_by("pk")
        )
        audit_record(
            actor=actor,
            action="pause.lifted",
            obj=pause,
            changes={"lifted": [False, True], "accounts": [None, len(accounts)]},
            reason=reason,
        )
        action = (
            "socialaccount.suspension_lifted"
            if pause.is_suspension
            else ("socialaccount.pause_lifted")
        )
        flag = "suspended" if pause.is_suspension else "paused"
        audit_record_rows(
            actor=actor,
            action=action,
            entries=(
                (ACCOUNT_LABEL, a.pk, str(a), {flag: [True, False], "pause": [pause.pk, None]})
                for a in accounts
            ),
            reason=reason,
        )
        kind = "pause.suspension_lifted" if pause.is_suspension else "pause.lifted"
        _tell(actor=actor, pause=pause, accounts=accounts, kind=kind, record=False)
        return pause


def pause_acknowledge(*, actor, pause_id: int) -> PauseNotice:
    """The person acknowledges they were told of the pause (their own notice, never another's)."""
    with transaction.atomic():
        pause = Pause.objects.get(pk=pause_id)
        if not rules.test_rule("pauses.acknowledge_pause", actor, pause):
            raise PauseError("Only someone told of this pause can acknowledge it.")
        notice = PauseNotice.objects.select_for_update().get(pause=pause, officer__user=actor)
        if notice.acknowledged_at is not None:
            raise PauseError("You have already acknowledged this.")
        notice.acknowledged_at = timezone.now()
        notice.save(update_fields=["acknowledged_at"])
        audit_record(
            actor=actor,
            action="pause.acknowledged",
            obj=pause,
            changes={"acknowledged_by": [None, str(notice.officer)]},
        )
        return notice


def suspension_review_reminders(*, now: datetime.datetime | None = None) -> int:
    """Daily. Each open suspension whose review date has come reminds the press office, once:
    the reminder is claimed by a conditional UPDATE in the same transaction as the message is
    written, so a second run, or two at once, send nothing more."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    with transaction.atomic():
        due = list(
            Pause.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                kind=Pause.Kind.SUSPENSION,
                lifted_at__isnull=True,
                review_on__lte=today,
                review_reminded_at__isnull=True,
            )
            .select_related("account", "started_by")
            .order_by("review_on", "pk")
        )
        for pause in due:
            claimed = Pause.objects.filter(pk=pause.pk, review_reminded_at__isnull=True).update(
                review_reminded_at=now
            )
            if not claimed:
                continue
            notify(
                recipients=press_office_recipients(),
                kind="pause.review_due",
                context={"pause": pause, "account": pause.account},
                link=reverse("pauses:detail", args=[pause.pk]),
            )
            audit_record(
                actor=None,
                action="pause.review_reminded",
                obj=pause,
                changes={"review_on": [None, pause.review_on]},
                reason="Daily suspension review check",
            )
            sent += 1
    return sent
