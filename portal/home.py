"""Each person's home page is their to-do list: what waits for them, oldest first, each a link to
where they do it; a returned case called out. Below it, a few tiles (each a link, never a wall
of zeros) and the things they may start.

Cheap by construction: every source of to-dos is one query (its selector, already joined, cut to
`LIMIT` rows), and the tiles come from one aggregate query per section, so the page runs the same
number of queries whether one thing waits or a thousand (tests/portal/test_home.py counts)."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import SocialAccount
from accounts.selectors import accounts_posted_by, orphaned_condition, social_accounts_visible_to
from approvals.models import CaseState, Decision, set_up_complete
from approvals.selectors import (
    cases_waiting_for_press_office,
    cases_waiting_for_supervisor,
    my_cases,
    policy_to_accept,
)
from custody.selectors import accounts_needing_credentials
from handovers.models import Kind
from handovers.selectors import (
    editors_waiting_for,
    editorships_to_accept,
    orphans_visible_to,
    waiting_for_answer,
    waiting_for_press_office,
    waiting_for_supervisor,
)
from incidents.models import OPEN_STATES as INCIDENT_OPEN_STATES
from incidents.models import Incident
from incidents.selectors import open_incidents
from notifications.selectors import inbox_for
from pauses.selectors import unacknowledged_notices_for
from people.predicates import is_press_office, officer_of, sees_everything
from people.selectors import role_requests_waiting_for, supervised_officer_ids
from reminders.selectors import overdue_recertifications, recertifications_waiting_for
from reports import selectors as report_selectors

# What each kind of account transition is called in a sentence.
KIND_WORDS = {
    Kind.HANDOVER: "handover",
    Kind.CLOSURE: "closure",
    Kind.REPURPOSE: "repurposing",
    Kind.CONSOLIDATION: "consolidation",
}

# Rows read from each source. A longer queue shows its oldest LIMIT and links to the queue.
LIMIT = 10


@dataclass
class Todo:
    text: str  # what to do, as a link: "Decide on the business case for @PriyaSharmaWMP"
    url: str
    since: datetime.datetime  # waiting since: the list is oldest first
    detail: str = ""  # who or what it is about
    tag: str = ""  # called out: "Returned"
    tag_colour: str = ""

    @property
    def days(self) -> int:
        return max((timezone.now() - self.since).days, 0)


@dataclass
class Tile:
    label: str
    count: int
    url: str
    hint: str = ""


@dataclass
class Section:
    title: str
    tiles: list[Tile] = field(default_factory=list)
    intro: str = ""


@dataclass
class Home:
    todos: list[Todo]
    more: list[tuple[str, str]]  # (label, url) of queues longer than LIMIT
    sections: list[Section]
    starts: list[tuple[str, str, str]]  # (label, url, hint): things the person may begin
    my_accounts: list[SocialAccount] | None
    unread: int


def _day(date: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(date, datetime.time.min, timezone.get_current_timezone())


def _only(queryset, *related, fields=()):
    """The source with the joins and the columns its to-do line shows, and no others: each join
    the queue pages' own selectors add costs PostgreSQL planning time, and each column Django
    time to compile and load, on every home drawn from the database. (A line reading a column
    left out would cost a query a row: tests/portal/test_home.py fills every source.)"""
    queryset = queryset.select_related(None).prefetch_related(None)
    if related:  # select_related() with nothing would join every relation
        queryset = queryset.select_related(*related)
    return queryset.only(*related, *fields) if fields else queryset


def _name(relation: str) -> tuple[str, ...]:
    """The columns of an officer's `full_name`."""
    return tuple(f"{relation}__{f}" for f in ("rank", "first_name", "surname"))


def _take(queryset, limit: int = LIMIT) -> tuple[list, bool]:
    """The first `limit` rows and whether there were more: one query."""
    rows = list(queryset[: limit + 1])
    return rows[:limit], len(rows) > limit


def home_for(user) -> Home:
    me = officer_of(user)
    todos: list[Todo] = []
    more: list[tuple[str, str]] = []

    def add(source, queue_label: str, queue_url: str, make) -> None:
        rows, longer = _take(source)
        todos.extend(make(row) for row in rows)
        if longer:
            more.append((queue_label, queue_url))

    if me is not None:
        _own_cases(user, todos)
        add(
            _only(
                waiting_for_answer(user),
                *("account", "target", "owner", "started_by"),
                fields=(
                    *("kind", "state_changed_at", "account__handle", "target__handle"),
                    *_name("owner"),
                    *("started_by__first_name", "started_by__last_name", "started_by__username"),
                ),
            ),
            "Every account offered to you",
            reverse("handovers:queues"),
            lambda t: Todo(
                f"Agree or decline folding @{t.account.handle} into @{t.target.handle}"
                if t.kind == Kind.CONSOLIDATION
                else f"Accept or decline @{t.account.handle}",
                reverse("handovers:detail", args=[t.pk]),
                t.state_changed_at,
                f"Proposed by {t.started_by.get_full_name() or t.started_by.get_username()}"
                if t.kind == Kind.CONSOLIDATION
                else f"{t.owner.full_name} offers you the account",
            ),
        )
        add(
            _only(unacknowledged_notices_for(user), "pause__account", "pause__unit"),
            "Every pause to acknowledge",
            reverse("pauses:mine"),
            lambda n: Todo(
                f"Stop posting and acknowledge: {n.pause}",
                reverse("pauses:mine"),
                n.told_at,
                "Until the press office lifts it",
                "Paused",
                "purple",
            ),
        )
        add(
            _only(
                recertifications_waiting_for(user), "account", fields=("due_on", "account__handle")
            ).order_by("due_on", "pk"),
            "Every re-certification",
            reverse("reminders:recertifications"),
            lambda r: Todo(
                f"Confirm @{r.account.handle} is still needed",
                reverse("reminders:recertifications"),
                _day(r.due_on) - datetime.timedelta(days=settings.RECERT_NOTICE_DAYS),
                f"Yearly re-certification, due {r.due_on:%-d %B %Y}",
            ),
        )
        _policy_todo(user, me, todos)
        add(
            _only(
                editorships_to_accept(user),
                "account__owner",
                fields=("account", "decided_at", "account__handle", *_name("account__owner")),
            ),
            "Every account you are to edit",
            reverse("handovers:queues"),
            lambda e: Todo(
                f"Accept the policy to post to @{e.account.handle}",
                reverse("handovers:editor", args=[e.pk]),
                e.decided_at,
                f"{e.account.owner.full_name} asked for you as an editor",
            ),
        )
    add(
        _only(
            editors_waiting_for(user),
            *("officer", "account__owner"),
            fields=(
                *("account", "requested_at", "account__handle"),
                *_name("officer"),
                *_name("account__owner"),
            ),
        ),
        "Every editor waiting for a decision",
        reverse("handovers:queues"),
        lambda e: Todo(
            f"Decide on {e.officer.full_name} as an editor of @{e.account.handle}",
            reverse("handovers:editor", args=[e.pk]),
            e.requested_at,
            f"Asked by {e.account.owner.full_name}",
        ),
    )
    if user.has_perm("approvals.view_supervisor_queue"):
        add(
            _only(
                cases_waiting_for_supervisor(user),
                *("applicant", "unit"),
                fields=("state", "handle", "state_changed_at", "unit__name", *_name("applicant")),
            ),
            "Every case waiting for you",
            reverse("approvals:supervisor_queue"),
            lambda c: Todo(
                f"Decide on the business case for @{c.handle}",
                reverse("approvals:detail", args=[c.pk]),
                c.state_changed_at,
                f"From {c.applicant.full_name}, {c.unit}",
            ),
        )
        add(
            _only(
                waiting_for_supervisor(user),
                *("account", "owner"),
                fields=("kind", "state_changed_at", "account__handle", *_name("owner")),
            ),
            "Every handover waiting for you",
            reverse("handovers:queues"),
            lambda t: Todo(
                f"Decide on the {KIND_WORDS[t.kind]} of @{t.account.handle}",
                reverse("handovers:detail", args=[t.pk]),
                t.state_changed_at,
                f"Asked by {t.owner.full_name}",
            ),
        )
    if user.has_perm("approvals.view_press_office_queue"):
        add(
            _only(
                cases_waiting_for_press_office(),
                *("applicant", "unit"),
                fields=("state", "handle", "state_changed_at", "unit__name", *_name("applicant")),
            ),
            "Every case waiting for the press office",
            reverse("approvals:press_office_queue"),
            lambda c: Todo(
                f"Confirm the set-up of @{c.handle}"
                if c.state == CaseState.SIGNED_OFF
                else f"Sign off the business case for @{c.handle}",
                reverse("approvals:detail", args=[c.pk]),
                c.state_changed_at,
                f"{c.applicant.full_name}, {c.unit}",
            ),
        )
    if user.has_perm("handovers.view_press_office_queue"):
        add(
            _only(
                waiting_for_press_office(),
                *("account", "owner", "successor"),
                fields=(
                    *("kind", "state_changed_at", "account__handle"),
                    *_name("owner"),
                    *_name("successor"),
                ),
            ),
            "Every handover and closure to complete",
            reverse("handovers:queues"),
            lambda t: Todo(
                f"Complete the {KIND_WORDS[t.kind]} of @{t.account.handle}",
                reverse("handovers:detail", args=[t.pk]),
                t.state_changed_at,
                _transition_detail(t),
            ),
        )
    if is_press_office(user):
        add(
            _only(
                open_incidents(user), "account", fields=("state", "reported_at", "account__handle")
            ).order_by("reported_at"),
            "Every open incident",
            reverse("incidents:list"),
            lambda i: Todo(
                f"{'Contain' if i.state == Incident.State.REPORTED else 'Resolve'} the hack of"
                f" @{i.account.handle}",
                reverse("incidents:detail", args=[i.pk]),
                i.reported_at,
                f"Reported, {i.get_state_display().lower()}",
                "Hacked",
                "red",
            ),
        )
        add(
            _only(
                accounts_needing_credentials(),
                *("owner", "unit"),
                fields=(
                    *("handle", "credentials_required_since", "created_at", "unit__name"),
                    *_name("owner"),
                ),
            ).order_by("credentials_required_since", "created_at"),
            "Every account whose login details are needed",
            reverse("custody:needed"),
            lambda a: Todo(
                f"Get the login details of @{a.handle} lodged",
                reverse("accounts:detail", args=[a.pk]),
                a.credentials_required_since or a.created_at,
                f"{a.owner.full_name}, {a.unit}",
            ),
        )
    if user.has_perm("approvals.view_supervisor_queue") or is_press_office(user):
        add(
            _only(
                orphans_visible_to(user).exclude(owner__user=user),
                "owner",
                fields=("handle", "owner__status", "owner__status_changed_on", *_name("owner")),
            ),
            "Every orphaned account",
            reverse("handovers:queues"),
            lambda a: Todo(
                f"Hand over or close @{a.handle}",
                reverse("accounts:detail", args=[a.pk]),
                _day(a.owner.status_changed_on or timezone.localdate()),
                f"{a.owner.full_name} has {a.owner.get_status_display().lower()}",
            ),
        )
    if user.has_perm("people.manage_roles"):
        add(
            _only(role_requests_waiting_for(user), "user", "requested_by"),
            "Every role request",
            reverse("people:role_requests"),
            lambda r: Todo(
                f"Role request for your approval: {r.get_role_display()} for"
                f" {r.user.get_full_name() or r.user.get_username()}",
                reverse("people:role_requests"),
                r.requested_at,
                f"Asked by {r.requested_by.get_full_name() or r.requested_by.get_username()}",
            ),
        )
    todos.sort(key=lambda t: t.since)
    return Home(
        todos=todos,
        more=more,
        sections=_sections(user, me),
        starts=_starts(user),
        my_accounts=_my_accounts(user, me),
        unread=inbox_for(user, unread_only=True).count(),
    )


def _transition_detail(t) -> str:
    if t.kind == Kind.HANDOVER and t.successor:
        return f"From {t.owner.full_name} to {t.successor.full_name}"
    return f"Asked by {t.owner.full_name}"


def _own_cases(user, todos: list[Todo]) -> None:
    """The person's drafts, returned cases (called out, with who returned them and why) and
    signed-off cases waiting for their set-up checklist: two queries."""
    cases, _ = _take(
        _only(my_cases(user), fields=("state", "handle", "state_changed_at", "updated_at")).filter(
            Q(state__in=[CaseState.DRAFT, CaseState.RETURNED])
            | Q(~set_up_complete(), state=CaseState.SIGNED_OFF)
        ),
        limit=LIMIT,
    )
    returned_ids = [c.pk for c in cases if c.state == CaseState.RETURNED]
    returns = {}
    for decision in Decision.objects.filter(
        case_id__in=returned_ids, outcome=Decision.Outcome.RETURNED
    ).order_by("decided_at", "pk"):
        returns[decision.case_id] = decision  # the latest wins
    for case in cases:
        url = reverse("approvals:detail", args=[case.pk])
        if case.state == CaseState.RETURNED:
            decision = returns.get(case.pk)
            comment = decision.comment if decision else ""
            if len(comment) > 120:
                comment = comment[:119].rstrip() + "…"
            by = decision.decided_by_label if decision else "Your supervisor"
            todos.append(
                Todo(
                    f"Change and resubmit your business case for @{case.handle}",
                    reverse("approvals:edit", args=[case.pk]),
                    case.state_changed_at,
                    f"{by}: “{comment}”" if comment else f"Returned by {by}",
                    "Returned",
                    "orange",
                )
            )
        elif case.state == CaseState.DRAFT:
            todos.append(
                Todo(
                    f"Finish and submit your draft business case for @{case.handle}",
                    url,
                    case.updated_at,
                    "Nothing is sent until you submit it",
                )
            )
        else:
            todos.append(
                Todo(
                    f"Set up @{case.handle} and complete its checklist",
                    url + "#setup",
                    case.state_changed_at,
                    "Signed off by the press office",
                )
            )


def _policy_todo(user, me, todos: list[Todo]) -> None:
    policy = policy_to_accept(me)
    if policy is not None:
        todos.append(
            Todo(
                f"Read and accept {policy}",
                reverse("approvals:policy"),
                _day(policy.published_on),
                "A new social media policy: account owners accept each version",
            )
        )


def _my_accounts(user, me) -> list[SocialAccount] | None:
    if me is None:
        return None
    # Owned or edited (a shared account's editor sees it here with their role).
    accounts = list(
        _only(accounts_posted_by(me), fields=("handle", "platform", "status", "owner"))
        .exclude(status=SocialAccount.Status.CLOSED)
        .order_by("handle")[:LIMIT]
    )
    for account in accounts:
        account.my_role = "owner" if account.owner_id == me.pk else "editor"
    return accounts


def _starts(user) -> list[tuple[str, str, str]]:
    """What the person may begin (never offered to someone who may not: the auditor)."""
    starts = []
    if user.has_perm("approvals.add_businesscase"):
        starts.append(
            ("Write a business case", reverse("approvals:create"), "Ask for an official account")
        )
    if user.has_perm("incidents.report_incident"):
        starts.append(
            (
                "Report a hacked account",
                reverse("incidents:report"),
                "Someone else may be using an account",
            )
        )
    return starts


def _tile(label, count, url, hint="") -> Tile | None:
    return Tile(label, count, url, hint) if count else None


def _sections(user, me) -> list[Section]:
    """A few counts, each a link; a tile with nothing to count is left out."""
    sections = []
    if me is not None and user.has_perm("approvals.view_supervisor_queue"):
        team = social_accounts_visible_to(user).filter(owner_id__in=supervised_officer_ids(user))
        counts = team.aggregate(
            accounts=Count("pk", filter=~Q(status=SocialAccount.Status.CLOSED)),
            quiet=Count(
                "pk",
                filter=Q(status=SocialAccount.Status.ACTIVE)
                & Q(last_post_at__lt=timezone.now() - datetime.timedelta(days=28)),
            ),
        )
        tiles = [
            _tile("Your team's accounts", counts["accounts"], reverse("accounts:list")),
            _tile("Quiet for four weeks or more", counts["quiet"], reverse("reports:dormancy")),
        ]
        sections.append(Section("Your team", [t for t in tiles if t]))
    if sees_everything(user):
        status = SocialAccount.Status
        # Accounts with an open incident (at most one each), as a set PostgreSQL hashes once: a
        # join with every incident would count an account once per past incident in its status
        # too, and an EXISTS per account runs a subquery for each of the force's accounts.
        hacked = Q(
            pk__in=Incident.objects.filter(state__in=INCIDENT_OPEN_STATES).values("account_id")
        )
        # The reports' counts cover every account for this person too: read in the same pass.
        report_counts = _report_counts() if user.has_perm("reports.view_reports") else {}
        counts = SocialAccount.objects.aggregate(
            **{s: Count("pk", filter=Q(status=s)) for s in status.values},
            incidents=Count("pk", filter=hacked),
            **report_counts,
        )
        register = reverse("accounts:list")
        tiles = [
            _tile("Active accounts", counts[status.ACTIVE], f"{register}?status=active"),
            _tile(
                "Pending set-up", counts[status.PENDING_SETUP], f"{register}?status=pending_setup"
            ),
            _tile(
                "Handover pending",
                counts[status.HANDOVER_PENDING],
                f"{register}?status=handover_pending",
            ),
            _tile(
                "Compromised",
                counts[status.COMPROMISED],
                f"{register}?status=compromised",
                "Hacked: recovery under way",
            ),
            _tile("Open incidents", counts["incidents"], reverse("incidents:list")),
        ]
        sections.append(Section("The force's register", [t for t in tiles if t]))
    if user.has_perm("reports.view_reports"):
        sections.append(_report_section(user, counts if sees_everything(user) else None))
    return [s for s in sections if s.tiles]


def _report_counts() -> dict:
    """The reports' counts as aggregates over accounts: dormant or stale, and orphaned."""
    return {
        "quiet": Count(
            "pk",
            filter=~Q(status=SocialAccount.Status.CLOSED) & report_selectors.needs_action_q(),
        ),
        "orphaned": Count("pk", filter=orphaned_condition()),
    }


def _report_section(user, counts: dict | None = None) -> Section:
    """What the reports count (the whole force, or a supervisor's team), each linking to the
    report: one aggregate over the accounts the reports cover (`counts` when the force's
    register section has read them over every account already), and the overdue
    re-certifications."""
    seen = report_selectors.report_accounts(user)
    if counts is None:
        counts = seen.order_by().aggregate(**_report_counts())
    tiles = [
        _tile("Dormant or stale accounts", counts["quiet"], reverse("reports:dormancy")),
        _tile("Orphaned accounts", counts["orphaned"], reverse("reports:orphans")),
        _tile(
            "Re-certifications overdue",
            overdue_recertifications().filter(account__in=seen.values("pk")).count(),
            reverse("reports:recertifications"),
        ),
    ]
    return Section("Reports", [t for t in tiles if t])


def home_links(user) -> list[tuple[str, str]]:
    """Where else the person may go from home: reports, the audit trail, the Django admin."""
    links = []
    if user.has_perm("reports.view_reports"):
        links.append(("Reports", reverse("reports:index")))
    if user.has_perm("custody.list_credentials_needed"):
        links.append(("Login details needed", reverse("custody:needed")))
    if sees_everything(user):
        links.append(("Audit trail", reverse("audit:trail")))
    if user.has_perm("people.manage_roles"):
        links.append(("Give or take away a role", reverse("people:roles")))
    if user.is_staff:
        links.append(("Admin", "/admin/"))
    return links
