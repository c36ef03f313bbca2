"""Writes to the account register: registering accounts the force already runs, CSV imports,
recording activity, and the account's lifecycle. Each function is one action, run in one
transaction, audited."""

import datetime
import logging
from typing import NamedTuple

from django.conf import settings
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    IntegrityError,
    connection,
    connections,
    transaction,
)
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest, Lower
from django.urls import reverse
from django.utils import timezone

from accounts import imports, profile_checks
from accounts.handles import validate_handle
from accounts.models import ActivityObservation, ImportJob, ProfileCheck, SocialAccount
from accounts.platforms import Profile
from audit.services import audit_record, audit_record_rows, diff, snapshot
from core import bulk
from core.errors import DomainError, WorkflowError
from core.queue import send_now
from core.workflow import fire, lock
from notifications.services import notify
from people.models import Officer, Unit

logger = logging.getLogger(__name__)

UPDATE_CHUNK = 2000
IMPORT_STALE_AFTER = datetime.timedelta(minutes=30)


class RegisterError(DomainError):
    """An action on the register that the rules or the register's state do not allow."""


def _require(actor, perm: str, obj=None) -> None:
    if not actor.has_perm(perm, obj):
        raise RegisterError("You do not have permission to do that.")


def social_account_register(
    *,
    actor,
    platform: str,
    handle: str,
    display_name: str,
    kind: str,
    owner: Officer,
    unit: Unit | None = None,
    status: str = SocialAccount.Status.ACTIVE,
    activated_on: datetime.date | None = None,
    reason: str,
) -> SocialAccount:
    """The press office adds an account the force already runs to the register."""
    _require(actor, "accounts.register_socialaccount")
    if not reason.strip():
        raise RegisterError("Give the reason for registering this account.")
    if owner.status == Officer.Status.LEFT:
        raise RegisterError("The owner has left the force; choose a serving officer.")
    validate_handle(handle, platform)
    with transaction.atomic():
        clash = SocialAccount.objects.filter(platform=platform).annotate(h=Lower("handle"))
        if clash.filter(h=handle.lower()).exists():
            raise RegisterError(f"@{handle} is already in the register on this platform.")
        try:
            with transaction.atomic():  # a savepoint: a clash leaves the outer work intact
                account = SocialAccount.objects.create(
                    platform=platform,
                    handle=handle,
                    display_name=display_name,
                    kind=kind,
                    owner=owner,
                    unit=unit or owner.unit,
                    status=status,
                    activated_on=activated_on,
                )
        except IntegrityError:  # registered by someone else a moment ago
            raise RegisterError(f"@{handle} is already in the register on this platform.") from None
        audit_record(
            actor=actor,
            action="socialaccount.registered",
            obj=account,
            changes={k: [None, v] for k, v in snapshot(account).items() if v not in (None, "")},
            reason=reason,
        )
        notify(
            actor=actor,
            recipients=[owner.user],
            kind="account_registered",
            context={"account": account},
            link=reverse("accounts:detail", args=[account.pk]),
        )
    return account


# Lifecycle ------------------------------------------------------------------------------------
# The status moves only through SocialAccount's transitions. Each service below locks the row,
# fires one transition, saves what it changed and writes one audit row with the status before and
# after. A caller that already holds the row (in the same transaction) passes its instance: the
# lock is taken again without waiting, the transition runs on the row as stored, and the caller's
# instance gets the changed fields back, keeping any of its own changes to other fields.


class Move(NamedTuple):
    action: str  # the audit action
    fields: tuple[str, ...] = ()  # what the transition changes besides the status


LIFECYCLE = {
    "activate": Move("socialaccount.activated", ("activated_on",)),
    "start_handover": Move("socialaccount.handover_pending"),
    "complete_handover": Move("socialaccount.handed_over", ("owner", "handle", "display_name")),
    "end_handover": Move("socialaccount.handover_ended"),
    "mark_compromised": Move("socialaccount.compromised"),
    "restore": Move("socialaccount.recovered"),
    "close": Move("socialaccount.closed", ("closed_on",)),
    "consolidate": Move("socialaccount.consolidated", ("closed_on", "consolidated_into")),
}
OPENED_FROM_CASE = "socialaccount.registered_from_case"


def _not_open(account: SocialAccount) -> str:
    return f"@{account.handle} is {account.get_status_display().lower()}; that step is not open."


def _move(
    account: SocialAccount | int, name: str, *, actor, reason: str, **arguments
) -> SocialAccount:
    move = LIFECYCLE[name]
    fields = ["status", *move.fields]
    with transaction.atomic():
        locked = lock(SocialAccount, getattr(account, "pk", account))
        before = snapshot(locked, fields)
        fire(locked, name, actor, field="status", not_open=_not_open, arguments=arguments)
        locked.save(update_fields=fields)
        audit_record(
            actor=actor,
            action=move.action,
            obj=locked,
            changes=diff(before, snapshot(locked, fields)),
            reason=reason,
        )
    if isinstance(account, SocialAccount):
        account.refresh_from_db(fields=fields)
        return account
    return locked


def social_account_open(
    *,
    actor,
    business_case_id: int,
    platform: str,
    handle: str,
    display_name: str,
    kind: str,
    owner: Officer,
    unit: Unit,
    reason: str = "",
) -> SocialAccount:
    """A signed-off business case puts its account in the register, pending set-up. (The case's
    service has checked the handle; a clash raises IntegrityError.)"""
    with transaction.atomic():
        account = SocialAccount.objects.create(
            platform=platform,
            handle=handle,
            display_name=display_name,
            kind=kind,
            owner=owner,
            unit=unit,
            status=SocialAccount.Status.PENDING_SETUP,
        )
        audit_record(
            actor=actor,
            action=OPENED_FROM_CASE,
            obj=account,
            changes={**diff({}, snapshot(account)), "business_case": [None, business_case_id]},
            reason=reason,
        )
    return account


def social_account_activate(*, actor, account: SocialAccount | int, reason: str) -> SocialAccount:
    """Pending set-up to active, activated today."""
    return _move(account, "activate", actor=actor, reason=reason, on=timezone.localdate())


def social_account_start_handover(
    *, actor, account: SocialAccount | int, reason: str
) -> SocialAccount:
    """Active to handover pending: a handover or closure has started."""
    return _move(account, "start_handover", actor=actor, reason=reason)


def social_account_complete_handover(
    *,
    actor,
    account: SocialAccount | int,
    owner: Officer,
    handle: str,
    display_name: str,
    reason: str,
) -> SocialAccount:
    """Handover pending to active, owned by `owner` under `handle` and `display_name` (checked
    by the caller; a handle taken meanwhile raises IntegrityError and changes nothing)."""
    return _move(
        account,
        "complete_handover",
        actor=actor,
        reason=reason,
        owner=owner,
        handle=handle,
        display_name=display_name,
    )


def social_account_end_handover(
    *, actor, account: SocialAccount | int, reason: str
) -> SocialAccount:
    """Handover pending to active: the handover or closure was declined or withdrawn."""
    return _move(account, "end_handover", actor=actor, reason=reason)


def social_account_mark_compromised(
    *, actor, account: SocialAccount | int, reason: str
) -> SocialAccount:
    """Pending set-up, active or handover pending to compromised."""
    return _move(account, "mark_compromised", actor=actor, reason=reason)


def social_account_restore(
    *, actor, account: SocialAccount | int, to: str, reason: str
) -> SocialAccount:
    """Compromised back to `to`: handover pending while a handover or closure is open, pending
    set-up if the account was never confirmed live, otherwise active (the caller, who can see
    the handovers, decides)."""
    if to not in SocialAccount.RESTORABLE:
        raise WorkflowError(f"A compromised account cannot go back to '{to}'.")
    return _move(account, "restore", actor=actor, reason=reason, to=to)


def social_account_close(
    *, actor, account: SocialAccount | int, closed_on: datetime.date, reason: str
) -> SocialAccount:
    """To closed, deactivated on the platform `closed_on`."""
    return _move(account, "close", actor=actor, reason=reason, on=closed_on)


def social_account_consolidate(
    *,
    actor,
    account: SocialAccount | int,
    into: SocialAccount,
    closed_on: datetime.date,
    reason: str,
) -> SocialAccount:
    """Handover pending to closed, folded into `into`: deactivated on the platform `closed_on`,
    its followers pointed to `into` (the caller checked that `into` is live)."""
    return _move(account, "consolidate", actor=actor, reason=reason, on=closed_on, into=into)


# Activity -------------------------------------------------------------------------------------


def refresh_latest_activity(account_ids) -> int:
    """Set each account's last post date (and follower count) from its observations, in a few
    set-based UPDATEs: the latest post date seen by any source wins, never an older one."""
    latest_post = (
        ActivityObservation.objects.filter(account=OuterRef("pk"), last_post_at__isnull=False)
        .order_by("-last_post_at")
        .values("last_post_at")[:1]
    )
    latest_followers = (
        ActivityObservation.objects.filter(account=OuterRef("pk"), followers__isnull=False)
        .order_by("-observed_at", "-pk")
        .values("followers")[:1]
    )
    ids = list(dict.fromkeys(account_ids))
    updated = 0
    for start in range(0, len(ids), UPDATE_CHUNK):
        chunk = ids[start : start + UPDATE_CHUNK]
        updated += SocialAccount.objects.filter(pk__in=chunk).update(
            # Greatest is NULL on SQLite when either side is; Coalesce each side first.
            last_post_at=Greatest(
                Coalesce(Subquery(latest_post), F("last_post_at")),
                Coalesce(F("last_post_at"), Subquery(latest_post)),
            ),
            followers=Coalesce(Subquery(latest_followers), F("followers")),
        )
    return updated


def activity_record_many(*, observations: list[ActivityObservation], batch_size=2000) -> int:
    """Keep every observation and move each account's latest forward, set-based: one bulk
    INSERT and a chunked UPDATE however many observations arrive."""
    if not observations:
        return 0
    ActivityObservation.objects.bulk_create(observations, batch_size=batch_size)
    refresh_latest_activity(o.account_id for o in observations)
    return len(observations)


@transaction.atomic
def activity_report(*, actor, rows: list[dict]) -> imports.Checked:
    """A social-media management tool reports the last post and follower count of accounts it
    manages (rows of platform, handle, last_post_at, followers). The activity import's rule
    (who may) and checks; all or nothing; one audit event per account observed."""
    _require(actor, IMPORT_PERMISSION[ImportJob.Kind.ACTIVITY])
    checked = imports.Checked()
    good = imports.check_activity_rows(rows, checked)
    if checked.errors or not good:
        return checked
    now = timezone.now()
    activity_record_many(
        observations=[
            ActivityObservation(
                account_id=r["account_id"],
                source=ActivityObservation.Source.IMPORT,
                observed_at=now,
                last_post_at=r["last_post_at"],
                followers=r["followers"],
                recorded_by=actor,
            )
            for r in good
        ]
    )
    handles = dict(
        SocialAccount.objects.filter(pk__in=[r["account_id"] for r in good]).values_list(
            "pk", "handle"
        )
    )
    audit_record_rows(
        actor=actor,
        action="socialaccount.activity_reported",
        entries=[
            (
                SocialAccount._meta.label_lower,
                r["account_id"],
                f"@{handles[r['account_id']]}",
                {
                    "last_post_at": [None, r["last_post_at"].isoformat()],
                    **({"followers": [None, r["followers"]]} if r["followers"] is not None else {}),
                },
            )
            for r in good
        ],
    )
    return checked


def social_account_check_in(
    *, actor, account: SocialAccount, last_post_on: datetime.date, followers: int | None = None
) -> ActivityObservation:
    """The owner says when they last posted."""
    _require(actor, "accounts.check_in_socialaccount", account)
    today = timezone.localdate()
    if last_post_on > today:
        raise RegisterError("The date of your last post cannot be in the future.")
    with transaction.atomic():
        account = SocialAccount.objects.select_for_update().get(pk=account.pk)
        if account.status == SocialAccount.Status.CLOSED:
            raise RegisterError("This account is closed; there is no activity to record.")
        before = account.last_post_at
        moment = timezone.make_aware(datetime.datetime.combine(last_post_on, datetime.time(0, 0)))
        if last_post_on == today:
            moment = timezone.now()
        observation = ActivityObservation(
            account=account,
            source=ActivityObservation.Source.CHECK_IN,
            last_post_at=moment,
            followers=followers,
            recorded_by=actor,
        )
        activity_record_many(observations=[observation])
        account.refresh_from_db(fields=["last_post_at", "followers"])
        audit_record(
            actor=actor,
            action="socialaccount.checked_in",
            obj=account,
            changes={
                "last_post_at": [
                    before.isoformat() if before else None,
                    account.last_post_at.isoformat() if account.last_post_at else None,
                ],
                **({"followers": [None, followers]} if followers is not None else {}),
            },
        )
    return observation


# Imports --------------------------------------------------------------------------------------

IMPORT_PERMISSION = {
    ImportJob.Kind.REGISTER: "accounts.import_socialaccounts",
    ImportJob.Kind.ACTIVITY: "accounts.import_activity",
}


def import_job_start(
    *, actor, kind: str, filename: str, content: bytes | str, reason: str = ""
) -> ImportJob:
    """Record an uploaded file (its bytes as sent, or text) and queue its import once this
    transaction commits."""
    _require(actor, IMPORT_PERMISSION[kind])
    if kind == ImportJob.Kind.REGISTER and not reason.strip():
        raise RegisterError("Give the reason for registering these accounts.")
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind,
            filename=filename[:255],
            data=content.encode("utf-8") if isinstance(content, str) else content,
            reason=reason,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="import.uploaded",
            obj=job,
            changes={"kind": [None, kind], "filename": [None, job.filename]},
            reason=reason,
        )
        transaction.on_commit(lambda: _enqueue_import(job.pk))
    return job


def _enqueue_import(job_id: int) -> None:
    if not send_now("accounts.tasks.run_import", job_id):
        # Broker down: run it here rather than leave the file waiting.
        logger.warning("Broker unavailable; running import %s in the web process", job_id)
        import_job_run(job_id=job_id)  # a job already taken by a worker is not run twice


class _Progress:
    """Rows read so far, written through a database connection of the import's own, in
    autocommit: the status page sees them while the import's one transaction is still open.
    Best effort: a progress write that fails or waits is skipped, never the import. (SQLite
    allows one writer at a time, so there progress is only written when the job finishes.)"""

    SQL = (
        "UPDATE {table} SET processed_rows = %s, total_rows = %s, encoding = %s, delimiter = %s "
        "WHERE id = %s AND started_at = %s"
    )

    def __init__(self, job_id: int, claim: datetime.datetime):
        self.job_id, self.claim = job_id, claim
        self.db = None
        self.started = False
        if connection.vendor == "postgresql":
            self.db = connections.create_connection(DEFAULT_DB_ALIAS)
            self.sql = self.SQL.format(table=self.db.ops.quote_name(ImportJob._meta.db_table))

    def __call__(self, checked: imports.Checked) -> None:
        if self.db is None:
            return
        try:
            with self.db.cursor() as cursor:
                if not self.started:  # never wait long on a lock for a progress figure
                    cursor.execute("SET lock_timeout = '1s'")
                    self.started = True
                cursor.execute(
                    self.sql,
                    [
                        checked.read,
                        checked.total,
                        checked.encoding,
                        checked.delimiter,
                        self.job_id,
                        self.claim,
                    ],
                )
        except DatabaseError:
            logger.warning("Progress of import %s not recorded", self.job_id, exc_info=True)

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None


def _claim(job_id: int) -> tuple[ImportJob | None, datetime.datetime | None]:
    """Take a queued job, or one whose worker died (no progress for IMPORT_STALE_AFTER). The
    start time is the claim: only the run holding it may write."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        stale = job.started_at is not None and job.started_at < timezone.now() - IMPORT_STALE_AFTER
        running = job.status in (ImportJob.Status.VALIDATING, ImportJob.Status.WRITING)
        if job.status != ImportJob.Status.QUEUED and not (running and stale):
            return job, None
        job.status = ImportJob.Status.VALIDATING
        job.started_at = timezone.now()
        job.processed_rows = 0
        job.save(update_fields=["status", "started_at", "processed_rows"])
        return job, job.started_at


class _Undo(Exception):
    """Leave the import's transaction without keeping anything it wrote."""

    def __init__(self, job: ImportJob | None = None):
        self.job = job


def import_job_run(*, job_id: int) -> ImportJob:
    """Read the file as a stream, checking each batch of rows and writing it while no row so far
    was bad, all in one transaction: if any row is bad, every bad row is recorded and nothing is
    kept; otherwise every row is. Safe to run twice: a job another run holds, or that has
    finished, is left alone; a job whose worker died is taken over (nothing it did was
    committed)."""
    job, claim = _claim(job_id)
    if claim is None:
        return job
    batches, write = IMPORTS[job.kind]
    checked = imports.Checked()
    progress = _Progress(job.pk, claim)
    try:
        with transaction.atomic():
            written = 0
            for batch in batches(bytes(job.data) or job.content, checked):
                if not checked.errors:
                    written += write(job, batch)
                progress(checked)
            progress.close()  # before the job's row is locked: it would wait on that lock
            if checked.errors or not checked.good:
                raise _Undo
            locked = ImportJob.objects.select_for_update().get(pk=job.pk)
            if locked.started_at != claim or locked.finished:
                raise _Undo(locked)  # another run took the job over; it writes, not us
            return _finish(job, claim, ImportJob.Status.SUCCEEDED, [], checked, written=written)
    except _Undo as undo:
        if undo.job is not None:
            return undo.job
        errors = [e.as_dict() for e in checked.errors] or [
            {"line": None, "message": "The file has no rows to import."}
        ]
        return _finish(job, claim, ImportJob.Status.REJECTED, errors, checked)
    except IntegrityError:
        logger.warning("Import %s clashed with a change made while it ran", job.pk)
        return _finish(
            job,
            claim,
            ImportJob.Status.FAILED,
            [
                {
                    "line": None,
                    "message": "Another change to the register clashed with this file while it "
                    "was being saved (for example the same handle was registered). Nothing was "
                    "imported; upload the file again.",
                }
            ],
            checked,
        )
    except Exception:
        logger.exception("Import %s failed", job.pk)
        return _finish(
            job,
            claim,
            ImportJob.Status.FAILED,
            [{"line": None, "message": "Unexpected error."}],
            checked,
        )
    finally:
        progress.close()


def _finish(job, claim, status, errors, checked: imports.Checked, *, written=0) -> ImportJob:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.started_at != claim or job.finished:
            return job  # another run holds the job now
        before = job.status
        job.status = status
        job.errors = errors
        job.written_rows = written
        job.total_rows = job.processed_rows = checked.total
        job.encoding, job.delimiter = checked.encoding, checked.delimiter
        job.finished_at = timezone.now()
        job.save()
        audit_record(
            actor=job.created_by,
            action=f"import.{status}",
            obj=job,
            changes={
                "status": [before, status],
                "written_rows": [None, written],
                "bad_rows": [None, len(errors)],
            },
        )
        notify(
            recipients=[job.created_by],
            kind="import_finished",
            context={"job": job, "written": written, "problems": len(errors)},
            link=reverse("accounts:import_status", args=[job.pk]),
        )
    return job


def _write_register_rows(job: ImportJob, rows: list[dict]) -> int:
    """One batch of checked rows: the accounts, their first activity observation and one audit
    event each (what `snapshot` would say of the new account), in three bulk inserts."""
    now = timezone.now()
    names: dict[tuple[type, int], str] = {}  # owners and units, named once per batch

    def name(obj) -> str:
        key = (type(obj), obj.pk)
        if key not in names:
            names[key] = str(obj)
        return names[key]

    accounts = [
        {
            "platform": r["platform"],
            "handle": r["handle"],
            "display_name": r["display_name"],
            "kind": r["kind"],
            "owner_id": r["owner"].pk,
            "unit_id": r["unit"].pk,
            "status": r["status"],
            "created_at": now,
            "activated_on": r["activated_on"],
            "closed_on": None,
            "last_post_at": r["last_post_at"],
            "followers": None,
            "credentials_required_since": None,
        }
        for r in rows
    ]
    bulk.insert(SocialAccount, accounts, with_ids=True)
    bulk.insert(
        ActivityObservation,
        [
            {
                "account_id": a["id"],
                "source": ActivityObservation.Source.IMPORT.value,
                "observed_at": now,
                "last_post_at": a["last_post_at"],
                "followers": None,
                "recorded_by_id": job.created_by_id,
                "import_job_id": job.pk,
            }
            for a in accounts
            if a["last_post_at"] is not None
        ],
    )
    platforms = dict(SocialAccount.Platform.choices)
    audit_record_rows(
        actor=job.created_by,
        action="socialaccount.imported",
        entries=(
            (
                SocialAccount._meta.label_lower,
                a["id"],
                f"@{a['handle']} ({platforms[a['platform']]})",
                _imported_changes(a, owner=name(r["owner"]), unit=name(r["unit"])),
            )
            for a, r in zip(accounts, rows, strict=True)
        ),
        reason=f"{job.reason} (import {job.pk}, {job.filename})",
    )
    return len(accounts)


def _imported_changes(account: dict, *, owner: str, unit: str) -> dict:
    """{field: [None, value]} for each field of a new account that has a value: what
    `{k: [None, v] for k, v in snapshot(account).items() if v}` says, without the object."""
    values = {
        "id": account["id"],
        "platform": account["platform"],
        "handle": account["handle"],
        "display_name": account["display_name"],
        "kind": account["kind"],
        "owner": owner,
        "unit": unit,
        "status": account["status"],
        "created_at": account["created_at"].isoformat(),
        "activated_on": account["activated_on"] and account["activated_on"].isoformat(),
        "last_post_at": account["last_post_at"] and account["last_post_at"].isoformat(),
    }
    return {k: [None, v] for k, v in values.items() if v not in (None, "")}


def _write_activity_rows(job: ImportJob, rows: list[dict]) -> int:
    """One batch of observations, and each account's latest activity moved on (set-based)."""
    now = timezone.now()
    bulk.insert(
        ActivityObservation,
        [
            {
                "account_id": r["account_id"],
                "source": ActivityObservation.Source.IMPORT.value,
                "observed_at": now,
                "last_post_at": r["last_post_at"],
                "followers": r["followers"],
                "recorded_by_id": job.created_by_id,
                "import_job_id": job.pk,
            }
            for r in rows
        ],
    )
    refresh_latest_activity(r["account_id"] for r in rows)
    return len(rows)


IMPORTS = {  # kind: (the file's checked rows batch by batch, how a batch is written)
    ImportJob.Kind.REGISTER: (imports.register_batches, _write_register_rows),
    ImportJob.Kind.ACTIVITY: (imports.activity_batches, _write_activity_rows),
}


def poll_slot(now: datetime.datetime | None = None) -> datetime.datetime:
    """The poll window `now` falls in (PLATFORM_POLL_HOURS long, from midnight UTC): an account
    is read from its platform at most once per window, however often the poll runs."""
    now = now or timezone.now()
    hours = max(1, min(settings.PLATFORM_POLL_HOURS, 24))
    moment = now.astimezone(datetime.UTC)
    return moment.replace(hour=moment.hour - moment.hour % hours, minute=0, second=0, microsecond=0)


def activity_poll(
    *, account: SocialAccount, adapter, slot: datetime.datetime | None = None
) -> ActivityObservation | None:
    """Read the account's latest post, followers and public profile from its platform; keep the
    observation and check the profile. With a `slot`, an account already read in that window is
    not read again (None): the platform's quota is spent once, and the unique constraint on
    (account, poll_slot) holds even when two workers race. Platform errors propagate to the
    caller (the Celery task decides whether to retry)."""
    if slot is not None and account.observations.filter(poll_slot=slot).exists():
        return None
    activity = adapter.fetch_activity(account.handle)
    with transaction.atomic():
        account = SocialAccount.objects.select_for_update().get(pk=account.pk)
        if slot is not None and account.observations.filter(poll_slot=slot).exists():
            return None
        observation = ActivityObservation(
            account=account,
            source=ActivityObservation.Source.API,
            last_post_at=activity.last_post_at,
            followers=activity.followers,
            poll_slot=slot,
        )
        activity_record_many(observations=[observation])
        if activity.profile is not None:
            profile_check_record(account=account, profile=activity.profile)
    return observation


# Profile checks -------------------------------------------------------------------------------


def profile_check_record(*, account: SocialAccount, profile: Profile) -> ProfileCheck:
    """Keep the result of checking the account's public profile. A change in which checks fail
    is audited; the owner is reminded when a check starts failing (once per change: the
    failing set they were told of is kept, so the next poll with the same failures is quiet).
    Runs inside the caller's transaction, the account row locked."""
    results = profile_checks.check_profile(account, profile)
    failing = [r.code for r in results if not r.ok]
    now = timezone.now()
    check = ProfileCheck.objects.select_for_update().filter(account=account).first()
    before = list(check.failing) if check else []
    if check is None:
        check = ProfileCheck(account=account)
    check.checked_at = now
    check.handle = profile.handle[:100]
    check.display_name = profile.display_name[:200]
    check.bio = profile.bio
    check.link = (profile.link or "")[:500]
    check.results = [r.as_dict() for r in results]
    check.failing = failing
    if not failing:
        check.failing_since = None
    elif not before:
        check.failing_since = now
    newly_failing = [code for code in failing if code not in check.notified]
    if newly_failing:
        labels = dict(ProfileCheck.Check.choices)
        notify(
            recipients=[account.owner.user],
            kind="profile_check_failing",
            context={
                "account": account,
                "failing": [
                    {"label": labels[r.code], "detail": r.detail} for r in results if not r.ok
                ],
            },
            link=reverse("accounts:detail", args=[account.pk]),
        )
    # What the owner was told stays until the checks pass again: a check that fails, passes
    # and fails again is a new change, and reminds again.
    check.notified = failing if newly_failing else [c for c in check.notified if c in failing]
    check.save()
    if sorted(before) != sorted(failing):
        audit_record(
            actor=None,
            action="socialaccount.profile_checked",
            obj=account,
            changes={"failing_profile_checks": [sorted(before), sorted(failing)]},
        )
    return check
