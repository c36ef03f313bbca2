"""Reminders: the dormancy ladder, decisions waiting too long, yearly re-certification and
orphaned accounts.

Every run is set-based: a fixed handful of queries whatever the number of accounts or cases.
It writes one Reminder row per subject, per kind, per period (a dormant spell, a wait for a
decision, a re-certification year, a week of orphanhood); the unique constraint makes a second
run, a retried task or a dead worker harmless. Delivery happens after commit, in batches, and
`reminder_deliver` sends each reminder's notifications exactly once."""

import array
import collections
import csv
import dataclasses
import datetime
import io
import itertools
import time
import uuid
from collections.abc import Callable

import rules
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import ActivityObservation, SocialAccount
from accounts.platforms import configured_platforms
from accounts.selectors import account_editors, orphaned_accounts
from approvals.models import BusinessCase, Stage
from audit.services import ChangesTemplate, audit_record, audit_record_rows
from core.errors import DomainError
from core.phases import phase
from core.queue import send_now
from core.workdays import working_days_before
from notifications.services import notify
from pauses.selectors import latest_lift, paused_now
from people.models import Leave, Officer
from people.selectors import press_office_recipients, supervisors_to_tell
from reminders.models import Recertification, Reminder

Kind = Reminder.Kind
Subject = Reminder.SubjectType
DELIVERY_BATCH = 200


def _chunk() -> int:
    """Rows per INSERT: SQLite caps a statement at 32,766 parameters; PostgreSQL (psycopg2
    sends values inline) does not."""
    return 2000 if connection.vendor == "sqlite" else 50000


# --------------------------------------------------------------------------- the ledger

COLUMNS = "kind, subject_type, subject_id, period_start, account_id, run_id, created_at"
RETURNING = "RETURNING id, kind, subject_id"


def _record(
    rows: list[tuple], run_id: uuid.UUID, *, deliver: bool = True
) -> list[tuple[int, str, int]]:
    """Insert the reminders that do not exist yet and return those this insert made, as
    (id, kind, subject_id). Rows are (kind, subject_type, subject_id, period_start, account_id).

    The unique constraint decides what is new, in the database, with no model instance per row:
    on PostgreSQL the rows are copied (COPY) into a temporary table and moved with one
    INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING; elsewhere (SQLite 3.35+) a multi-row
    INSERT ... ON CONFLICT DO NOTHING RETURNING per 2,000 rows. Delivery is queued after
    commit."""
    if not rows:
        return []
    run = Reminder._meta.get_field("run_id").get_db_prep_save(run_id, connection)
    now = timezone.now()
    created = (_record_copy if connection.vendor == "postgresql" else _record_values)(
        rows, run, now
    )
    if deliver:
        _deliver_after_commit([pk for pk, _, _ in created])
    return created


def _record_copy(rows, run, now) -> list[tuple[int, str, int]]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_NOTNULL, lineterminator="\n")
    for kind, subject_type, subject_id, period_start, account_id in rows:
        writer.writerow(
            [str(kind), str(subject_type), subject_id, period_start.isoformat(), account_id]
        )
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS reminder_incoming (kind text, subject_type text, "
            "subject_id bigint, period_start timestamptz, account_id bigint) ON COMMIT DROP"
        )
        cursor.execute("TRUNCATE reminder_incoming")
        cursor.copy_expert("COPY reminder_incoming FROM STDIN WITH (FORMAT csv)", buffer)
        # The table is the model's own db_table; the run and the time are parameters.
        insert = f"INSERT INTO {Reminder._meta.db_table} ({COLUMNS})"  # nosec B608
        select = "SELECT kind, subject_type, subject_id, period_start, account_id, %s, %s"
        conflict = f"FROM reminder_incoming ON CONFLICT DO NOTHING {RETURNING}"
        cursor.execute(f"{insert} {select} {conflict}", [run, now])
        return cursor.fetchall()


def _record_values(rows, run, now) -> list[tuple[int, str, int]]:
    ops = connection.ops
    now = ops.adapt_datetimefield_value(now)
    table = Reminder._meta.db_table
    created = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _chunk()):
            chunk = rows[start : start + _chunk()]
            params = []
            for kind, subject_type, subject_id, period_start, account_id in chunk:
                params += [
                    str(kind),
                    str(subject_type),
                    subject_id,
                    ops.adapt_datetimefield_value(period_start),
                    account_id,
                    run,
                    now,
                ]
            values = ",".join(["(%s,%s,%s,%s,%s,%s,%s)"] * len(chunk))
            # The table is the model's own db_table and every value a %s parameter.
            insert = f"INSERT INTO {table} ({COLUMNS}) VALUES {values}"  # noqa: S608  # nosec B608
            cursor.execute(f"{insert} ON CONFLICT DO NOTHING {RETURNING}", params)
            created += cursor.fetchall()
    return created


def _deliver_after_commit(ids: list[int]) -> None:
    """Queue `ids` for delivery once the transaction commits, DELIVERY_BATCH to a task. Until
    then they wait packed, eight bytes each: a cold scan's hundred thousand reminders hold
    about a megabyte until the commit, not seven."""
    packed = array.array("q", ids)
    if not packed:
        return

    def send():
        for start in range(0, len(packed), DELIVERY_BATCH):
            send_now("reminders.deliver", packed[start : start + DELIVERY_BATCH].tolist())

    transaction.on_commit(send)


def _counts(kinds, created) -> dict[str, int]:
    counts = {str(k): 0 for k in kinds}
    for _, kind, _ in created:
        counts[kind] += 1
    return counts


@dataclasses.dataclass
class RunResult:
    run_id: uuid.UUID
    created: dict[str, int]
    flagged: int = 0

    @property
    def total(self) -> int:
        return sum(self.created.values())


# --------------------------------------------------------------------------- dormancy


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


def _on_leave(today: datetime.date, officer_field: str):
    return Exists(
        Leave.objects.filter(
            officer=OuterRef(officer_field), starts_on__lte=today, ends_on__gte=today
        )
    )


# Accounts per step of the dormancy scan, and audit events per bulk append within a step: the
# scan's memory is one step's made reminders and one append's events, whatever the force's size.
# A step probes the ledger within its own accounts only, so smaller steps cost the database
# little more; at 10,000 a force of 10,000 accounts and one of 100,000 hold the same per step.
SCAN_BATCH = 10000
AUDIT_BATCH = 5000
_SCAN_LOCK = 7_250_002  # PostgreSQL advisory lock id: one dormancy scan at a time
SCAN_WORK_MEM = "32MB"
LAST_ID = 2**63 - 1  # the largest bigint: the last step's upper bound


def dormancy_scan(*, now: datetime.datetime | None = None) -> RunResult:
    """The daily scan. A spell starts at the last post (or the account's creation if it never
    posted); each rung fires once per spell, and only the highest reached (a spell whose
    reminder is at a higher rung never fires a lower one); an owner on leave is left alone
    until back.

    One transaction, stepping through the register SCAN_BATCH accounts at a time, so memory
    stays flat whatever the size of the force: each step's reminders are written (on
    PostgreSQL by one INSERT ... SELECT, no row passing through Python) and the accounts it
    flags (dormant, stale) are audited onto the chain, one event per reminder that flags."""
    now = now or timezone.now()
    rungs = ladder()
    run_id = uuid.uuid4()
    counts = _counts([r.kind for r in rungs], [])
    audited = 0
    steps = _dormancy_steps_sql if connection.vendor == "postgresql" else _dormancy_steps_python
    with transaction.atomic():
        for created in steps(now, rungs, run_id):
            with phase("deliveries queued for the commit"):
                _deliver_after_commit([row[0] for row in created])
                for kind, n in collections.Counter(row[1] for row in created).items():
                    counts[kind] += n
            flags = [row for row in created if row[1] in FLAGS]
            for start in range(0, len(flags), AUDIT_BATCH):
                with phase("audit entries made"):
                    entries = [_flag_entry(*row) for row in flags[start : start + AUDIT_BATCH]]
                with phase("audit events hashed and copied"):
                    audited += audit_record_rows(
                        actor=None,
                        action="account.dormancy_flagged",
                        entries=entries,
                        reason="Daily dormancy scan",
                    )
    return RunResult(run_id, counts, flagged=audited)


# The rungs that flag an account, and the dormancy level it is at once they fire.
FLAGS = {Kind.DORMANCY_DORMANT: "dormant", Kind.DORMANCY_STALE: "stale"}
ACCOUNT_LABEL = SocialAccount._meta.label_lower
# A flag's changes, scrubbed and encoded once per level: the last post is each event's own.
FLAG_CHANGES = {
    kind: ChangesTemplate(
        {"dormancy": [None, level], "last_post_at": [None, ChangesTemplate.slot(0)]}
    )
    for kind, level in FLAGS.items()
}


def _flag_entry(_id, kind, pk, reference, handle, platform):
    """The audit entry (object type, id, how it reads, changes) of a reminder that flags;
    `reference` (the last post) as `datetime.isoformat` writes it."""
    return (
        ACCOUNT_LABEL,
        pk,
        f"@{handle} ({PLATFORMS.get(platform, platform)})",  # str(SocialAccount)
        FLAG_CHANGES[kind](reference),
    )


def _dormancy_accounts(now: datetime.datetime, rungs: list[Rung]):
    """Active accounts, not suspended or paused, owner not on leave, quiet for at least the
    lowest rung.

    A spell starts at the last post (or the account's creation), or at the latest lift of a
    suspension or pause if that is later: nobody is chased while the account may not post, and
    a lifted one starts a fresh spell at the lift, so the lift brings no burst of reminders for
    the quiet the pause itself caused. Set-based like the rest: the accounts paused now are one
    anti-join (NOT EXISTS on a partial index), and the latest lift one index step per account
    already quiet by its last post (`reference` only moves later, so the cheap condition on the
    last post filters first; each rung's own condition on `reference` follows in the step)."""
    lowest = now - datetime.timedelta(days=min(r.days for r in rungs))
    posted = Coalesce("last_post_at", "created_at")
    return (
        SocialAccount.objects.filter(status=SocialAccount.Status.ACTIVE)
        .annotate(posted=posted)
        .filter(posted__lte=lowest)
        .filter(~paused_now())
        .annotate(reference=Greatest(posted, Coalesce(latest_lift(), posted)))
        .annotate(on_leave=_on_leave(timezone.localdate(now), "owner_id"))
        .filter(on_leave=False)
        .order_by()
    )


# One step on PostgreSQL: the step's accounts (the ORM's query, so the rule is written once),
# each with the highest rung it has reached, less those whose spell already holds a reminder
# at that rung or above, inserted; what comes back is what this step made, with the account's
# last post, handle and platform for the rungs that flag (NULL for the others: nothing to convert
# that no one reads). Only the highest rung is written: an account first seen after 60 silent
# days gets one stale reminder, not a quiet, a dormant and a stale one (its message tells
# everyone the passed-over rungs would have told; `reminder_deliver`). A plain INSERT: the
# scan's lock keeps a second scan out until this one has committed, and the unique constraint
# stays the backstop. The ledger is probed within the step's range of accounts (implied by
# `r.subject_id = account.pk`, said again so the planner hashes the step's reminders, not the
# whole ledger, on a day with nothing new).
STEP_SQL = """
WITH account (pk, reference, handle, platform) AS ({accounts}),
top (pk, reference, kind, covering) AS (
    SELECT pk, reference, CASE {highest} END, CASE {covering} END FROM account
),
made AS (
    INSERT INTO {table} (kind, subject_type, subject_id, period_start, account_id, run_id,
                         created_at)
    SELECT top.kind, %s, top.pk, top.reference, top.pk, %s, %s
    FROM top
    WHERE top.kind IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM {table} r WHERE r.kind = ANY (top.covering) AND r.subject_type = %s
        AND r.subject_id = top.pk AND r.period_start = top.reference
        AND r.subject_id > %s AND r.subject_id <= %s AND r.kind IN ({kinds})
    )
    ORDER BY top.pk
    RETURNING id, kind, subject_id
)
SELECT made.id, made.kind, made.subject_id, {isoformat}, account.handle, account.platform
FROM made LEFT JOIN account ON account.pk = made.subject_id AND made.kind IN ({flags})
ORDER BY made.id
"""


# `account.reference` (UTC) as Python's `datetime.isoformat` writes an aware UTC datetime, so
# the flag's audit event reads as the ORM's would, without a datetime made per row: microseconds
# only when there are some, and the offset as +00:00.
ISOFORMAT_SQL = (
    "to_char(account.reference AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
    "date_part('microseconds', account.reference)::bigint %% 1000000 = 0 THEN '' "
    "ELSE to_char(account.reference AT TIME ZONE 'UTC', '.US') END || '+00:00'"
)


def covering(rungs: list[Rung], index: int) -> list[str]:
    """The kinds whose reminder in a spell means rung `index` is not to fire: itself and every
    rung above it (reached first, it passed this one over)."""
    return [r.kind for r in rungs[index:]]


def _dormancy_steps_sql(now, rungs, run_id):
    """PostgreSQL: each step's made reminders as (id, kind, account, reference, handle,
    platform) rows, after taking the scan's lock (held until the transaction ends)."""
    with connection.cursor() as cursor:
        # A step's sort and its hash of the ledger hold a few MB each at SCAN_BATCH accounts:
        # enough work memory, for this transaction only, that they do not spill to disk.
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s), set_config('work_mem', %s, true)",
            [_SCAN_LOCK, SCAN_WORK_MEM],
        )
    accounts = _dormancy_accounts(now, rungs)
    run = Reminder._meta.get_field("run_id").get_db_prep_save(run_id, connection)
    table = connection.ops.quote_name(Reminder._meta.db_table)
    # Each account's highest rung reached, and the kinds that cover it: two CASEs, highest
    # rung first, on the moment each rung is reached (`reference` on or before it).
    highest_first = list(reversed(list(enumerate(rungs))))
    when = " ".join(["WHEN reference <= %s THEN %s"] * len(rungs))
    highest = [x for i, r in highest_first for x in (now - datetime.timedelta(days=r.days), r.kind)]
    covers = [
        x
        for i, r in highest_first
        for x in (now - datetime.timedelta(days=r.days), covering(rungs, i))
    ]
    flagging = ", ".join(["%s"] * len(FLAGS))
    kinds = ", ".join(["%s"] * len(rungs))
    after = 0
    while True:
        # The step: the next SCAN_BATCH accounts of the register by primary key (a short walk
        # along its index), the last step open-ended.
        ahead = SocialAccount.objects.filter(pk__gt=after).order_by("pk").values_list("pk")
        with phase("step bounds"):
            bound = next(iter(ahead[SCAN_BATCH - 1 : SCAN_BATCH]), (None,))[0]
        step = accounts.filter(pk__gt=after)
        if bound is not None:
            step = step.filter(pk__lte=bound)
        sql, params = step.values_list(
            "pk", "reference", "handle", "platform"
        ).query.sql_with_params()
        with phase("reminders selected and inserted"), connection.cursor() as cursor:
            cursor.execute(
                STEP_SQL.format(
                    accounts=sql,
                    isoformat=ISOFORMAT_SQL,
                    highest=when,
                    covering=when,
                    table=table,
                    flags=flagging,
                    kinds=kinds,
                ),
                [
                    *params,
                    *highest,
                    *covers,
                    Subject.ACCOUNT,
                    run,
                    now,
                    Subject.ACCOUNT,
                    after,
                    LAST_ID if bound is None else bound,
                    *(r.kind for r in rungs),
                    *FLAGS,
                ],
            )
            made = cursor.fetchall()
        yield made
        if bound is None:
            return
        after = bound


def _dormancy_steps_python(now, rungs, run_id):
    """Elsewhere (SQLite): the candidates streamed, the rows made in Python, `_record`."""
    candidates = _dormancy_candidates(now, rungs).iterator(chunk_size=SCAN_BATCH)
    while batch := list(itertools.islice(candidates, SCAN_BATCH)):
        details = {
            pk: (reference, handle, platform) for pk, reference, handle, platform, *_ in batch
        }
        created = _record(_dormancy_rows(batch, rungs, now), run_id, deliver=False)
        yield [
            (pk, kind, subject, details[subject][0].isoformat(), *details[subject][1:])
            for pk, kind, subject in created
        ]


def _dormancy_candidates(now: datetime.datetime, rungs: list[Rung]):
    """Active accounts, owner not on leave, quiet long enough for a rung whose spell holds no
    reminder at that rung or above: (pk, reference, handle, platform, then one has-fired flag
    per rung) rows."""
    fired = {
        f"has_{r.kind}": Exists(
            Reminder.objects.filter(
                kind=r.kind,
                subject_type=Subject.ACCOUNT,
                subject_id=OuterRef("pk"),
                period_start=OuterRef("reference"),
            )
        )
        for r in rungs
    }
    due = Q()
    for i, r in enumerate(rungs):
        due |= Q(
            reference__lte=now - datetime.timedelta(days=r.days),
            **{f"has_{kind}": False for kind in covering(rungs, i)},
        )
    return (
        _dormancy_accounts(now, rungs)
        .annotate(**fired)
        .filter(due)
        .order_by("pk")
        .values_list("pk", "reference", "handle", "platform", *fired)
    )


PLATFORMS = dict(SocialAccount.Platform.choices)


def _dormancy_rows(candidates, rungs: list[Rung], now: datetime.datetime) -> list[tuple]:
    """The ledger row of each account's highest rung reached, unless its spell holds a reminder
    at that rung or above (as STEP_SQL)."""
    rows = []
    for pk, reference, _handle, _platform, *has in candidates:
        quiet = now - reference
        reached = [i for i, rung in enumerate(rungs) if quiet >= datetime.timedelta(days=rung.days)]
        if reached and not any(has[reached[-1] :]):
            rows.append((rungs[reached[-1]].kind, Subject.ACCOUNT, pk, reference, pk))
    return rows


# --------------------------------------------------------------------------- decisions


def decision_reminders(*, now: datetime.datetime | None = None) -> RunResult:
    """A case waiting on its supervisor, or on the press office, for more than
    DECISION_SLA_WORKING_DAYS working days reminds them; twice that escalates (to the
    supervisor's own supervisor; for the press office, to its manager's mailbox). A new
    submission starts a new wait."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sla = settings.DECISION_SLA_WORKING_DAYS
    tz = timezone.get_current_timezone()
    cutoff = {
        Kind.DECISION_OVERDUE: datetime.datetime.combine(
            working_days_before(today, sla), datetime.time.min, tz
        ),
        Kind.DECISION_ESCALATED: datetime.datetime.combine(
            working_days_before(today, 2 * sla), datetime.time.min, tz
        ),
    }
    fired = {
        f"has_{kind}": Exists(
            Reminder.objects.filter(
                kind=kind,
                subject_type=Subject.CASE,
                subject_id=OuterRef("pk"),
                period_start=OuterRef("state_changed_at"),
            )
        )
        for kind in cutoff
    }
    due = Q()
    for kind, moment in cutoff.items():
        due |= Q(state_changed_at__lt=moment, **{f"has_{kind}": False})
    waiting = (
        BusinessCase.objects.waiting_for_decision()
        .filter(state_changed_at__lt=cutoff[Kind.DECISION_OVERDUE])
        .annotate(**fired)
        .filter(due)
        .values_list("pk", "state_changed_at", *fired)
    )
    run_id = uuid.uuid4()
    with transaction.atomic():
        rows = [
            (kind, Subject.CASE, pk, changed_at, None)
            for pk, changed_at, *has in waiting
            for kind, already in zip(cutoff, has, strict=True)
            if not already and changed_at < cutoff[kind]
        ]
        created = _record(rows, run_id)
    return RunResult(run_id, _counts(cutoff, created))


# --------------------------------------------------------------------------- orphans


def week_start(now: datetime.datetime) -> datetime.datetime:
    today = timezone.localdate(now)
    monday = today - datetime.timedelta(days=today.weekday())
    return datetime.datetime.combine(monday, datetime.time.min, timezone.get_current_timezone())


def orphan_check(*, now: datetime.datetime | None = None) -> RunResult:
    """Nightly. An account whose owner has moved or left and that is still live: the former
    supervisor and the press office are told, once a week, until it is handed over or closed."""
    now = now or timezone.now()
    period = week_start(now)
    run_id = uuid.uuid4()
    already = Reminder.objects.filter(
        kind=Kind.ORPHAN,
        subject_type=Subject.ACCOUNT,
        subject_id=OuterRef("pk"),
        period_start=period,
    )
    with transaction.atomic():
        rows = [
            (Kind.ORPHAN, Subject.ACCOUNT, pk, period, pk)
            for pk in orphaned_accounts().filter(~Exists(already)).values_list("pk", flat=True)
        ]
        created = _record(rows, run_id)
    return RunResult(run_id, _counts([Kind.ORPHAN], created))


# --------------------------------------------------------------------------- monthly check-in

CHECK_IN_STATUSES = (SocialAccount.Status.ACTIVE, SocialAccount.Status.HANDOVER_PENDING)


def month_start(now: datetime.datetime) -> datetime.datetime:
    first = timezone.localdate(now).replace(day=1)
    return datetime.datetime.combine(first, datetime.time.min, timezone.get_current_timezone())


def check_in_monthly(*, now: datetime.datetime | None = None) -> RunResult:
    """Daily. A live account on a platform whose activity the portal cannot read (no adapter,
    or an adapter without credentials) depends on its owner: the owner is asked once a month,
    unless they have already recorded its activity this month. One Reminder row per account
    per month, so a second run (or a retried task) asks nobody twice."""
    now = now or timezone.now()
    period = month_start(now)
    run_id = uuid.uuid4()
    already = Reminder.objects.filter(
        kind=Kind.CHECK_IN_MONTHLY,
        subject_type=Subject.ACCOUNT,
        subject_id=OuterRef("pk"),
        period_start=period,
    )
    seen_this_month = ActivityObservation.objects.filter(
        account=OuterRef("pk"), observed_at__gte=period
    )
    with transaction.atomic():
        rows = [
            (Kind.CHECK_IN_MONTHLY, Subject.ACCOUNT, pk, period, pk)
            for pk in SocialAccount.objects.filter(status__in=CHECK_IN_STATUSES)
            .exclude(platform__in=configured_platforms())
            .filter(~Exists(already), ~Exists(seen_this_month), ~paused_now())
            .order_by("pk")
            .values_list("pk", flat=True)
        ]
        created = _record(rows, run_id)
    return RunResult(run_id, _counts([Kind.CHECK_IN_MONTHLY], created))


# --------------------------------------------------------------------------- re-certification


def recertification_run(*, now: datetime.datetime | None = None) -> RunResult:
    """Daily. Opens the year's re-certification for every active account due within
    RECERT_NOTICE_DAYS (asking the owner), and chases overdue ones once a week: the owner while
    they have not confirmed, then the supervisor."""
    now = now or timezone.now()
    run_id = uuid.uuid4()
    with transaction.atomic():
        _recertifications_open(timezone.localdate(now))
        created = _record(_recertification_rows(now), run_id)
    return RunResult(run_id, _counts([Kind.RECERT_DUE, Kind.RECERT_OVERDUE], created))


def _recertifications_open(today: datetime.date) -> None:
    """Open a cycle for every active account without one that falls due within the notice: due
    a year after the last completed cycle, or after activation."""
    interval = datetime.timedelta(days=settings.RECERT_INTERVAL_DAYS)
    notice = datetime.timedelta(days=settings.RECERT_NOTICE_DAYS)
    open_cycle = Recertification.objects.filter(
        account=OuterRef("pk"), supervisor_confirmed_at__isnull=True
    )
    accounts = (
        SocialAccount.objects.filter(status=SocialAccount.Status.ACTIVE)
        .filter(~Exists(open_cycle))
        .annotate(
            last_done=Coalesce(_last_completed_due(), "activated_on", TruncDate("created_at"))
        )
        .values_list("pk", "last_done")
    )
    cycles = [
        Recertification(account_id=pk, due_on=last_done + interval)
        for pk, last_done in accounts
        if last_done + interval - notice <= today
    ]
    Recertification.objects.bulk_create(cycles, ignore_conflicts=True, batch_size=5000)


def _recertification_rows(now: datetime.datetime) -> list[tuple]:
    """The ledger rows that ask the owner once per open cycle, and chase an overdue cycle once
    a week."""
    today = timezone.localdate(now)
    pending = Recertification.objects.filter(
        supervisor_confirmed_at__isnull=True,
        account__status=SocialAccount.Status.ACTIVE,
    )
    asked = Reminder.objects.filter(
        kind=Kind.RECERT_DUE, subject_type=Subject.RECERTIFICATION, subject_id=OuterRef("pk")
    )
    period = week_start(now)
    chased = Reminder.objects.filter(
        kind=Kind.RECERT_OVERDUE,
        subject_type=Subject.RECERTIFICATION,
        subject_id=OuterRef("pk"),
        period_start=period,
    )
    tz = timezone.get_current_timezone()
    return [
        (
            Kind.RECERT_DUE,
            Subject.RECERTIFICATION,
            pk,
            datetime.datetime.combine(due_on, datetime.time.min, tz),
            account_id,
        )
        for pk, account_id, due_on in pending.filter(~Exists(asked)).values_list(
            "pk", "account_id", "due_on"
        )
    ] + [
        (Kind.RECERT_OVERDUE, Subject.RECERTIFICATION, pk, period, account_id)
        for pk, account_id in pending.filter(due_on__lt=today)
        .filter(~Exists(chased))
        .values_list("pk", "account_id")
    ]


def _last_completed_due():
    """The due date of the account's latest completed re-certification."""
    return Subquery(
        Recertification.objects.filter(
            account=OuterRef("pk"), supervisor_confirmed_at__isnull=False
        )
        .order_by("-due_on")
        .values("due_on")[:1]
    )


def recertification_confirm_owner(
    *, actor, recertification_id: int, still_needed: bool, statement: str
) -> Recertification:
    with transaction.atomic():
        recert = (
            Recertification.objects.select_for_update(of=("self",))
            .select_related("account__owner")
            .get(pk=recertification_id)
        )
        if not rules.test_rule("reminders.confirm_recert_as_owner", actor, recert):
            raise DomainError("Only the account's owner can confirm it is still needed.")
        if recert.owner_confirmed_at:
            raise DomainError("You have already confirmed this re-certification.")
        if not still_needed:
            raise DomainError(
                "If the account is no longer needed, close it or hand it over "
                "from the account page instead."
            )
        recert.owner_confirmed_at = timezone.now()
        recert.owner_confirmed_by = actor
        recert.owner_statement = statement
        recert.save(update_fields=["owner_confirmed_at", "owner_confirmed_by", "owner_statement"])
        audit_record(
            actor=actor,
            action="recertification.owner_confirmed",
            obj=recert.account,
            changes={
                "recertification_due": [None, recert.due_on],
                "owner_statement": [None, statement],
            },
        )
        supervisor = recert.account.owner.supervisor
        notify(
            actor=actor,
            recipients=[supervisor.user] if supervisor else _press_office(),
            kind="recert_supervisor",
            context={"account": recert.account, "recert": recert},
            link=_account_link(recert.account),
        )
        return recert


def recertification_confirm_supervisor(
    *, actor, recertification_id: int, comment: str
) -> Recertification:
    with transaction.atomic():
        recert = (
            Recertification.objects.select_for_update(of=("self",))
            .select_related("account__owner")
            .get(pk=recertification_id)
        )
        if not rules.test_rule("reminders.confirm_recert_as_supervisor", actor, recert):
            raise DomainError("Only the owner's supervisor can confirm this re-certification.")
        if recert.owner_confirmed_at is None:
            raise DomainError("The owner has to confirm first.")
        if recert.supervisor_confirmed_at:
            raise DomainError("This re-certification is already complete.")
        recert.supervisor_confirmed_at = timezone.now()
        recert.supervisor_confirmed_by = actor
        recert.supervisor_comment = comment
        recert.save(
            update_fields=[
                "supervisor_confirmed_at",
                "supervisor_confirmed_by",
                "supervisor_comment",
            ]
        )
        audit_record(
            actor=actor,
            action="recertification.completed",
            obj=recert.account,
            changes={
                "recertified_until": [
                    None,
                    recert.due_on + datetime.timedelta(days=settings.RECERT_INTERVAL_DAYS),
                ]
            },
            reason=comment,
        )
        return recert


# --------------------------------------------------------------------------- delivery


def _press_office() -> list:
    return press_office_recipients()


def _account_link(account) -> str:
    try:
        return reverse("accounts:detail", args=[account.pk])
    except NoReverseMatch:
        return ""


@dataclasses.dataclass
class Message:
    """Who hears of a reminder, and the facts its kind's template words
    (`templates/notifications/<kind>.txt`)."""

    recipients: list
    context: dict
    link: str = ""


def _dormancy_message(reminder: Reminder, now) -> Message | None:
    account = (
        SocialAccount.objects.select_related("owner__user", "owner__supervisor__user", "unit")
        .annotate(paused=paused_now())
        .get(pk=reminder.subject_id)
    )
    if account.paused:
        return None  # suspended or paused since the scan made it: nobody is chased meanwhile
    owner = account.owner
    supervisor = owner.supervisor.user if owner.supervisor_id else None
    days = (now - reminder.period_start).days
    recipients = {
        Kind.DORMANCY_WARN: [owner.user],
        Kind.DORMANCY_DORMANT: [owner.user, supervisor]
        if supervisor
        else [owner.user, *_press_office()],
        Kind.DORMANCY_STALE: [*_press_office(), owner.user],
    }[reminder.kind]
    if reminder.kind != Kind.DORMANCY_STALE:
        # A shared account's editors post too, so they are copied on the owner's reminders; the
        # owner stays accountable (the escalations go to the owner's supervisor and the press
        # office, never an editor's). Read here, at delivery, not in the bulk scan.
        recipients += [e.officer.user for e in account_editors(account)]
    return Message(recipients, {"account": account, "days": days}, _account_link(account))


def _decision_message(reminder: Reminder, now) -> Message | None:
    case = BusinessCase.objects.select_related("applicant__supervisor__supervisor__user").get(
        pk=reminder.subject_id
    )
    if case.state_changed_at != reminder.period_start or case.decision_stage is None:
        return None  # decided since the reminder was made: nothing to chase
    with_supervisor = case.decision_stage == Stage.SUPERVISOR
    escalated = reminder.kind == Kind.DECISION_ESCALATED
    if with_supervisor:
        supervisor = case.applicant.supervisor
        above = supervisor.supervisor if supervisor else None
        recipients = (
            ([above.user] if above else _press_office())
            if escalated
            else supervisors_to_tell(case.applicant)
        )
    else:
        manager = settings.PRESS_OFFICE_MANAGER_EMAIL or settings.PRESS_OFFICE_EMAIL
        recipients = [manager] if escalated else _press_office()
    days = (now - case.state_changed_at).days
    try:
        link = reverse("approvals:detail", args=[case.pk])
    except NoReverseMatch:
        link = ""
    return Message(recipients, {"case": case, "days": days}, link)


def _orphan_message(reminder: Reminder, now) -> Message | None:
    account = SocialAccount.objects.select_related("owner__user", "owner__supervisor__user").get(
        pk=reminder.subject_id
    )
    if account.owner.status == Officer.Status.SERVING or account.status not in (
        SocialAccount.Status.ACTIVE,
        SocialAccount.Status.PENDING_SETUP,
    ):
        return None  # handed over, closed or the owner is back: nothing to chase
    supervisor = account.owner.supervisor
    return Message(
        [*([supervisor.user] if supervisor else []), *_press_office()],
        {"account": account},
        _account_link(account),
    )


def _check_in_message(reminder: Reminder, now) -> Message | None:
    account = (
        SocialAccount.objects.select_related("owner__user")
        .annotate(paused=paused_now())
        .get(pk=reminder.subject_id)
    )
    if (
        account.paused
        or account.status not in CHECK_IN_STATUSES
        or account.observations.filter(observed_at__gte=reminder.period_start).exists()
    ):
        return None  # closed, or activity recorded since: nothing to ask
    return Message(
        [account.owner.user],
        {"account": account, "month": reminder.period_start},
        _account_link(account),
    )


def _recert_message(reminder: Reminder, now) -> Message | None:
    recert = Recertification.objects.select_related(
        "account__owner__user", "account__owner__supervisor__user"
    ).get(pk=reminder.subject_id)
    if recert.complete:
        return None
    owner = recert.account.owner
    supervisor = owner.supervisor.user if owner.supervisor_id else None
    overdue = reminder.kind == Kind.RECERT_OVERDUE
    if recert.owner_confirmed_at is None:
        recipients = [owner.user, *([supervisor] if overdue and supervisor else [])]
    else:
        recipients = [supervisor] if supervisor else _press_office()
    return Message(
        recipients,
        {"account": recert.account, "recert": recert},
        _account_link(recert.account),
    )


MESSAGES: dict[str, Callable[[Reminder, datetime.datetime], Message | None]] = {
    Kind.DORMANCY_WARN: _dormancy_message,
    Kind.DORMANCY_DORMANT: _dormancy_message,
    Kind.DORMANCY_STALE: _dormancy_message,
    Kind.DECISION_OVERDUE: _decision_message,
    Kind.DECISION_ESCALATED: _decision_message,
    Kind.ORPHAN: _orphan_message,
    Kind.RECERT_DUE: _recert_message,
    Kind.RECERT_OVERDUE: _recert_message,
    Kind.CHECK_IN_MONTHLY: _check_in_message,
}


# The rungs of each ladder, lowest first. Rungs reached together make one message, the highest
# rung's, to everyone any of them names: an account first seen after 60 silent days is quiet,
# dormant and stale at once. The dormancy scan writes only the highest (the lower ones are
# passed over: no row for that spell); the other ladders write each rung due, in one run.
LADDERS = (
    (Kind.DORMANCY_WARN, Kind.DORMANCY_DORMANT, Kind.DORMANCY_STALE),
    (Kind.DECISION_OVERDUE, Kind.DECISION_ESCALATED),
    (Kind.RECERT_DUE, Kind.RECERT_OVERDUE),
)
DORMANCY_LADDER = LADDERS[0]  # written highest rung only: a lower rung is passed over


def _reached_together(reminder: Reminder) -> tuple[list[Reminder], bool]:
    """The lower rungs of `reminder`'s ladder reached with it, and whether a higher one was
    (then that one's message tells of this one). Reached with it: made by the same run for
    the same subject, or (dormancy) passed over: a lower rung with no reminder for this spell
    at all, as an unsaved row for its message only."""
    ladder = next((rungs for rungs in LADDERS if reminder.kind in rungs), (reminder.kind,))
    rows = list(
        Reminder.objects.filter(
            Q(run_id=reminder.run_id) | Q(period_start=reminder.period_start),
            subject_type=reminder.subject_type,
            subject_id=reminder.subject_id,
            kind__in=ladder,
        ).exclude(pk=reminder.pk)
    )
    together = [r for r in rows if r.run_id == reminder.run_id]
    higher = any(ladder.index(r.kind) > ladder.index(reminder.kind) for r in together)
    present = {r.kind for r in rows if r.period_start == reminder.period_start}
    passed_over = [
        Reminder(
            kind=kind,
            subject_type=reminder.subject_type,
            subject_id=reminder.subject_id,
            period_start=reminder.period_start,
            run_id=reminder.run_id,
        )
        for kind in ladder[: ladder.index(reminder.kind)]
        if kind not in present and ladder is DORMANCY_LADDER
    ]
    return [*together, *passed_over], higher


def _message_with_lower_rungs(reminder: Reminder, lower: list[Reminder], now) -> Message | None:
    message = MESSAGES[reminder.kind](reminder, now)
    if message is None:
        return None
    for other in lower:
        also = MESSAGES[other.kind](other, now)
        if also is not None:
            message.recipients = [*message.recipients, *also.recipients]
    return message


def reminder_deliver(*, reminder_id: int, now: datetime.datetime | None = None) -> bool:
    """Send one reminder's notifications. Exactly once: the row is locked (and skipped by anyone
    else holding it) and marked in the same transaction as the notifications are written. A
    reminder whose reason has gone (the case was decided meanwhile) is marked and not sent, and
    so is a lower rung reached together with a higher one: the higher rung's message tells
    everyone either would have told, once (`notify` sends a person one message)."""
    now = now or timezone.now()
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(skip_locked=True)
            .filter(pk=reminder_id, notified_at__isnull=True)
            .first()
        )
        if reminder is None:
            return False
        others, covered = _reached_together(reminder)
        message = None if covered else _message_with_lower_rungs(reminder, others, now)
        if message is not None:
            notify(
                recipients=message.recipients,
                kind=reminder.kind,
                context=message.context,
                link=message.link,
            )
        Reminder.objects.filter(pk=reminder.pk).update(notified_at=now)
        return message is not None


def reminder_deliver_many(ids: list[int]) -> int:
    """Deliver a batch, pausing REMINDER_DELIVERY_PAUSE seconds between reminders so that a
    large first scan does not flood the mail relay."""
    sent = 0
    for i in ids:
        sent += reminder_deliver(reminder_id=i)
        if settings.REMINDER_DELIVERY_PAUSE:
            time.sleep(settings.REMINDER_DELIVERY_PAUSE)
    return sent


def unnotified_reminder_ids(limit: int = 5000) -> list[int]:
    return list(
        Reminder.objects.filter(notified_at__isnull=True)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
