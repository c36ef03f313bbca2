"""The reports' reads. Each starts from the permission-filtered selector of the app that owns the
data (the whole force for the press office and auditors, their team for a supervisor) and is
built set-based: a constant number of queries whatever the size of the force."""

import datetime

from django.core.paginator import Paginator
from django.db.models import Count, F, Max, Q, QuerySet, Value
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.urls import reverse
from django.utils import timezone

from accounts.models import ActivityObservation, Dormancy, ProfileCheck, SocialAccount
from accounts.selectors import orphaned_accounts, social_accounts_visible_to, with_editor_count
from approvals.models import DECISION_STAGES, CaseState, Stage
from approvals.selectors import cases_visible_to
from core.workdays import working_days_between
from custody.selectors import accounts_needing_credentials
from handovers.models import State as TransitionState
from handovers.selectors import transitions_visible_to
from incidents.models import Incident
from incidents.selectors import incidents_visible_to, open_incidents, times_by_month
from people.predicates import sees_everything
from people.selectors import supervised_officer_ids
from reminders.selectors import overdue_recertifications

LEVELS = [Dormancy.CURRENT, Dormancy.WARNING, Dormancy.DORMANT, Dormancy.STALE, Dormancy.UNKNOWN]
# The drill-down's default: the levels that need someone to act.
NEEDS_ACTION = [Dormancy.DORMANT, Dormancy.STALE]


def report_accounts(user) -> QuerySet:
    """The accounts a report may show this person: every one for the press office, auditors and
    administrators; the accounts of the officers a supervisor supervises (or acts for)."""
    qs = social_accounts_visible_to(user)
    if sees_everything(user):
        return qs
    return qs.filter(owner_id__in=supervised_officer_ids(user))


def covered(qs: QuerySet, user, account_field: str = "pk") -> QuerySet:
    """`qs` limited to the accounts this person's reports cover (`report_accounts`). The press
    office, auditors and administrators see every account: no filter at all, rather than a
    join of every account with itself."""
    if sees_everything(user):
        return qs
    return qs.filter(**{f"{account_field}__in": report_accounts(user).values("pk")})


def _level_q(level: str, bounds: dict) -> Q:
    if level == Dormancy.UNKNOWN:
        return Q(last_post_at__isnull=True)
    after, before = bounds[level]
    q = Q(last_post_at__isnull=False)
    if after is not None:
        q &= Q(last_post_at__gte=after)
    if before is not None:
        q &= Q(last_post_at__lt=before)
    return q


def dormancy_by_unit(user, *, now=None) -> list[dict]:
    """Per unit: how many live (not closed) accounts are at each dormancy level. One query."""
    bounds = Dormancy.bounds(now)
    counts = {level.value: Count("pk", filter=_level_q(level, bounds)) for level in LEVELS}
    rows = (
        report_accounts(user)
        .exclude(status=SocialAccount.Status.CLOSED)
        .order_by()
        .values("unit_id", "unit__name")
        .annotate(total=Count("pk"), **counts)
        .order_by("unit__name", "unit_id")
    )
    return [
        {
            "unit_id": row["unit_id"],
            "unit": row["unit__name"],
            "total": row["total"],
            "counts": [(level, row[level.value]) for level in LEVELS],
            "needs_action": sum(row[level.value] for level in NEEDS_ACTION),
            **{level.value: row[level.value] for level in LEVELS},
        }
        for row in rows
    ]


def needs_action_q(now=None) -> Q:
    """Silent long enough to need someone to act: dormant or stale (live accounts only: the
    callers leave out closed ones)."""
    bounds = Dormancy.bounds(now)
    return _level_q(Dormancy.DORMANT, bounds) | _level_q(Dormancy.STALE, bounds)


def dormancy_accounts(user, *, unit_id=None, level: str = "", now=None) -> QuerySet:
    """The drill-down: live accounts at one level (default dormant or stale), optionally in one
    unit, longest silent first."""
    if level in Dormancy.values:
        q = _level_q(Dormancy(level), Dormancy.bounds(now))
    else:
        q = needs_action_q(now)
    qs = report_accounts(user).exclude(status=SocialAccount.Status.CLOSED).filter(q)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    return with_editor_count(qs).order_by("last_post_at", "handle", "pk")


def orphans_accounts(user) -> QuerySet:
    """Live accounts whose owner has moved or left, longest first."""
    return with_editor_count(covered(orphaned_accounts(), user)).order_by(
        "owner__status_changed_on", "handle", "pk"
    )


def orphans(user, *, today=None) -> list[SocialAccount]:
    """`orphans_accounts`, each with `days_since_change` (days since the owner's status
    changed)."""
    return with_days_since_change(orphans_accounts(user), today=today)


def with_days_since_change(accounts, *, today=None) -> list[SocialAccount]:
    today = today or timezone.localdate()
    accounts = list(accounts)
    for account in accounts:
        changed = account.owner.status_changed_on
        account.days_since_change = (today - changed).days if changed else None
    return accounts


WAITING_FOR_TRANSITION = {
    TransitionState.AWAITING_OWNER: "Owner",
    TransitionState.AWAITING_SUCCESSOR: "Successor",
    TransitionState.AWAITING_SUPERVISOR: "Supervisor",
    TransitionState.AWAITING_PRESS_OFFICE: "Press office",
}


def _covered_cases(user) -> QuerySet:
    """The business cases this person's reports cover, joined to what a row shows (the
    applicant, the unit, the set-up checklist that says whether a signed-off case waits):
    no other joins, which cost PostgreSQL planning time on every page."""
    cases = (
        cases_visible_to(user).select_related(None).select_related("applicant", "unit", "checklist")
    )
    if not sees_everything(user):
        cases = cases.filter(applicant_id__in=supervised_officer_ids(user))
    return cases


def _waiting(user) -> tuple[QuerySet, QuerySet]:
    """The business cases, and the handovers, repurposings and closures, waiting for someone
    that this person's reports cover."""
    cases = _covered_cases(user).waiting()
    transitions = (
        transitions_visible_to(user)
        .select_related(None)
        .select_related("account", "account__unit", "owner")
        .filter(state__in=list(WAITING_FOR_TRANSITION))
    )
    if not sees_everything(user):
        transitions = transitions.filter(owner_id__in=supervised_officer_ids(user))
    return cases, transitions


def _waiting_rows(cases, transitions, now) -> list[dict]:
    today = timezone.localdate(now)
    rows = []
    for case in cases:
        rows.append(
            {
                "kind": "Business case",
                "subject": f"@{case.handle}",
                "person": case.applicant.full_name,
                "unit": case.unit.name,
                "state": case.get_state_display(),
                "waiting_for": case.waiting_for.label,
                "since": case.state_changed_at,
                "url": reverse("approvals:detail", args=[case.pk]),
            }
        )
    for transition in transitions:
        rows.append(
            {
                "kind": transition.get_kind_display(),
                "subject": f"@{transition.account.handle}",
                "person": transition.owner.full_name,
                "unit": transition.account.unit.name,
                "state": transition.get_state_display(),
                "waiting_for": WAITING_FOR_TRANSITION[transition.state],
                "since": transition.state_changed_at,
                "url": reverse("handovers:detail", args=[transition.pk]),
            }
        )
    for row in rows:
        started = timezone.localdate(row["since"])
        row["days"] = (today - started).days
        row["working_days"] = working_days_between(started, today)
    rows.sort(key=lambda row: (row["since"], row["subject"]))
    return rows


def cases_waiting(user, *, now=None) -> list[dict]:
    """Business cases waiting for a supervisor or the press office, and handovers, repurposings
    and closures waiting for a successor, supervisor or the press office, oldest first, with
    their age in days and working days. Two queries."""
    cases, transitions = _waiting(user)
    return _waiting_rows(cases, transitions, now or timezone.now())


def cases_waiting_by_whom(user) -> list[tuple[str, int]]:
    """How many of `cases_waiting` wait for each person or team, by name. Two queries."""
    _, transitions = _waiting(user)
    by_whom: dict[str, int] = {}
    # Cases waiting for a decision, counted by state from the state index alone, and signed-off
    # cases whose set-up is complete (a handful, through their checklists): one query. Counting
    # `waiting()` itself would read every waiting case's row, its OR reaching the checklist.
    cases = _covered_cases(user).order_by()
    decisions = (
        cases.filter(state__in=list(DECISION_STAGES)).values_list("state").annotate(n=Count("*"))
    )
    set_up = (
        cases.filter(state=CaseState.SIGNED_OFF, checklist__completed_at__isnull=False)
        .values_list("state")
        .annotate(n=Count("*"))
    )
    for state, n in decisions.union(set_up, all=True).order_by():
        stage = DECISION_STAGES.get(state, Stage.PRESS_OFFICE)  # signed off: the press office
        by_whom[stage.label] = by_whom.get(stage.label, 0) + n
    for row in transitions.order_by().values("state").annotate(n=Count("pk")):
        who = WAITING_FOR_TRANSITION[row["state"]]
        by_whom[who] = by_whom.get(who, 0) + row["n"]
    return sorted((who, n) for who, n in by_whom.items() if n)


def cases_waiting_page(user, number, *, count: int, per_page=50, now=None):
    """One page of `cases_waiting`, oldest first, of `count` in all (the sum of
    `cases_waiting_by_whom`): the page's keys from one query over both kinds (a UNION ordered in
    the database), then the page's cases and transitions. Three queries, whatever the number
    waiting.

    Each kind gives only its first keys up to the page's end (`deep`), oldest first: PostgreSQL
    then reads the cases from the index on `state_changed_at` and stops, rather than sorting
    every waiting case in the force for each page."""
    cases, transitions = _waiting(user)
    number = Paginator(range(count), per_page).get_page(number).number  # as get_page shows it
    deep = number * per_page
    keys = (
        cases.order_by()
        .annotate(kind_key=Value("case"), since=F("state_changed_at"), subject=F("handle"))
        .values_list("kind_key", "pk", "since", "subject")
        .order_by("since", "subject")[:deep]
        .union(
            transitions.order_by()
            .annotate(
                kind_key=Value("transition"),
                since=F("state_changed_at"),
                subject=F("account__handle"),
            )
            .values_list("kind_key", "pk", "since", "subject")
            .order_by("since", "subject")[:deep],
            all=True,
        )
        .order_by("since", "subject")
    )
    paginator = Paginator(keys, per_page)
    paginator.count = count  # known already: no COUNT over the union
    page = paginator.page(number)
    wanted = list(page.object_list)
    case_ids = [pk for kind, pk, *_ in wanted if kind == "case"]
    transition_ids = [pk for kind, pk, *_ in wanted if kind == "transition"]
    page.object_list = _waiting_rows(
        cases.filter(pk__in=case_ids) if case_ids else [],
        transitions.filter(pk__in=transition_ids) if transition_ids else [],
        now or timezone.now(),
    )
    return page


def credentials_needed_accounts(user) -> QuerySet:
    """Live accounts with no lodged login details, or details lodged before the last handover or
    incident, that this person's reports cover. Never the secret (not even loaded)."""
    return (
        covered(accounts_needing_credentials(), user)
        .defer("credential__nonce", "credential__ciphertext", "credential__key_id")
        .order_by("unit__name", "handle", "pk")
    )


def with_credential_reason(accounts) -> list[SocialAccount]:
    """Each account with `credential_lodged_at` and `credential_reason`: only when it was lodged."""
    accounts = list(accounts)
    for account in accounts:
        credential = getattr(account, "credential", None)
        account.credential_lodged_at = credential.lodged_at if credential else None
        account.credential_reason = "Out of date" if credential else "Not lodged"
    return accounts


def credentials_needed(user) -> list[SocialAccount]:
    """Every account of `credentials_needed_accounts`, each with `credential_reason`."""
    return with_credential_reason(credentials_needed_accounts(user))


def recertifications_overdue_qs(user) -> QuerySet:
    """Re-certifications past their due date and not yet confirmed by the supervisor, most
    overdue first."""
    return covered(overdue_recertifications(), user, "account").order_by(
        "due_on", "account__handle", "pk"
    )


def recertifications_overdue(user, *, today=None) -> list:
    """`recertifications_overdue_qs`, each with `days_overdue` and who has yet to act."""
    return with_days_overdue(recertifications_overdue_qs(user), today=today)


def with_days_overdue(recerts, *, today=None) -> list:
    today = today or timezone.localdate()
    recerts = list(recerts)
    for recert in recerts:
        recert.days_overdue = (today - recert.due_on).days
        recert.waiting_for = "Supervisor" if recert.owner_confirmed_at else "Owner"
    return recerts


def incidents_open_qs(user) -> QuerySet:
    """Open incidents, oldest first."""
    return covered(open_incidents(user), user, "account").order_by("reported_at", "pk")


def incidents_open(user, *, now=None) -> list[Incident]:
    """`incidents_open_qs`, each with `age_days`."""
    return with_age_days(incidents_open_qs(user), now=now)


def with_age_days(incidents, *, now=None) -> list[Incident]:
    now = now or timezone.now()
    incidents = list(incidents)
    for incident in incidents:
        incident.age_days = (
            timezone.localdate(now) - timezone.localdate(incident.reported_at)
        ).days
    return incidents


def incident_times(user) -> list[dict]:
    """Per month reported: incidents and median/mean hours to contain and to resolve."""
    visible = covered(incidents_visible_to(user), user, "account")
    return times_by_month(Incident.objects.filter(pk__in=visible.values("pk")))


# --------------------------------------------------------------------------- platforms


def failing_profile_checks(user) -> QuerySet:
    """Accounts (live) whose public profile fails a check, longest failing first."""
    qs = ProfileCheck.objects.filter(failing_since__isnull=False).exclude(
        account__status=SocialAccount.Status.CLOSED
    )
    return (
        covered(qs, user, "account_id")
        .select_related("account__owner", "account__unit")
        .order_by("failing_since", "account_id")
    )


def failing_checks_by_kind(user) -> list[tuple[str, str, int]]:
    """[(code, label, accounts failing it)] for every check, in the account page's order."""
    counts = dict.fromkeys(ProfileCheck.Check.values, 0)
    for failing in failing_profile_checks(user).values_list("failing", flat=True):
        for code in failing:
            counts[code] = counts.get(code, 0) + 1
    labels = dict(ProfileCheck.Check.choices)
    return [(code, labels.get(code, code), n) for code, n in counts.items()]


def followers_by_month(user, *, months: int = 12, now=None) -> list[dict]:
    """Per month, oldest first: followers summed over the accounts this person's reports cover
    (each account's highest count seen that month) and how many accounts were counted. One
    query; months without a count are left out."""
    today = timezone.localdate(now or timezone.now())
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    since = datetime.datetime.combine(first, datetime.time.min, timezone.get_current_timezone())
    per_account = (
        covered(
            ActivityObservation.objects.filter(followers__isnull=False, observed_at__gte=since),
            user,
            "account_id",
        )
        .annotate(month=TruncMonth("observed_at"))
        .order_by()
        .values("month", "account_id")
        .annotate(top=Max("followers"))
    )
    totals: dict = {}
    for row in per_account:
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        total, accounts = totals.get(month, (0, 0))
        totals[month] = (total + row["top"], accounts + 1)
    return [
        {"month": month, "followers": total, "accounts": accounts}
        for month, (total, accounts) in sorted(totals.items())
    ]


# --------------------------------------------------------------------------- accounts over time


def _month_starts(months: int, today: datetime.date) -> list[datetime.date]:
    """The first day of each of the last `months` months, oldest first, this month last."""
    first = today.replace(day=1)
    starts = [first]
    for _ in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
        starts.append(first)
    return starts[::-1]


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def accounts_over_time(user, *, months: int = 24, now=None) -> list[dict]:
    """Per month, oldest first, over the last `months` months: the accounts live at the end of
    the month (or today, for this month), and the openings, closures and consolidations (closures
    into a unit's account) in it, among the accounts this person's reports cover. An account is
    live from the day it went live (`activated_on`, or the day it was registered when that was
    not recorded) until the day it was closed; one never live (pending set-up, or closed before
    set-up) is not counted. Three queries, grouped in the database, whatever the size of the
    force: those live before the first month, then openings by month, then closures by month."""
    today = timezone.localdate(now or timezone.now())
    starts = _month_starts(months, today)
    accounts = (
        covered(SocialAccount.objects.all(), user)
        .exclude(status=SocialAccount.Status.PENDING_SETUP)
        .exclude(status=SocialAccount.Status.CLOSED, activated_on__isnull=True)
        .annotate(opened_on=Coalesce("activated_on", TruncDate("created_at")))
        .order_by()
    )
    before = accounts.filter(opened_on__lt=starts[0]).aggregate(
        opened=Count("pk"), closed=Count("pk", filter=Q(closed_on__lt=starts[0]))
    )
    opened = {
        _as_date(row["month"]): row["n"]
        for row in accounts.filter(opened_on__gte=starts[0], opened_on__lte=today)
        .annotate(month=TruncMonth("opened_on"))
        .values("month")
        .annotate(n=Count("pk"))
    }
    closed = {
        _as_date(row["month"]): (row["n"], row["folded"])
        for row in accounts.filter(closed_on__gte=starts[0], closed_on__lte=today)
        .annotate(month=TruncMonth("closed_on"))
        .values("month")
        .annotate(n=Count("pk"), folded=Count("pk", filter=Q(consolidated_into__isnull=False)))
    }
    live = before["opened"] - before["closed"]
    rows = []
    for start in starts:
        openings = opened.get(start, 0)
        closures, consolidations = closed.get(start, (0, 0))
        live += openings - closures
        rows.append(
            {
                "month": start,
                "live": live,
                "opened": openings,
                "closed": closures,
                "consolidated": consolidations,
            }
        )
    return rows
