"""What waits for each person, by role. Each app contributes sections through a selector; the
home page shows the ones that apply to the person signed in."""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.timezone import localtime

from accounts.selectors import social_accounts_visible_to
from approvals.models import OPEN_STATES, CaseState
from approvals.selectors import (
    cases_waiting_for_press_office,
    cases_waiting_for_supervisor,
    current_policy,
    has_acknowledged,
    my_cases,
    owners_yet_to_acknowledge,
)
from custody.selectors import accounts_needing_credentials
from handovers.selectors import (
    orphans_visible_to,
    waiting_for_press_office,
    waiting_for_successor,
    waiting_for_supervisor,
)
from incidents.selectors import open_incidents
from notifications.selectors import inbox_for
from people.predicates import is_auditor, is_press_office, officer_of, sees_everything
from people.selectors import (
    officers_visible_to,
    role_requests_waiting_for,
    supervised_officer_ids,
)
from reminders.selectors import overdue_recertifications, recertifications_waiting_for
from reports import selectors as report_selectors


@dataclass
class Tile:
    label: str
    count: int
    url: str = ""
    hint: str = ""


@dataclass
class Section:
    title: str
    tiles: list[Tile] = field(default_factory=list)
    intro: str = ""


def home_sections(user) -> list[Section]:
    sections = []
    me = officer_of(user)
    unread = inbox_for(user, unread_only=True).count()
    general = Section("Waiting for you")
    general.tiles.append(Tile("Unread notifications", unread, reverse("notifications:inbox")))
    recerts = recertifications_waiting_for(user).count()
    if recerts:
        general.tiles.append(
            Tile("Accounts to re-certify", recerts, reverse("reminders:recertifications"))
        )
    sections.append(general)
    sections.extend(_case_sections(user, me))
    sections.extend(_handover_sections(user))

    if me is not None:
        mine = social_accounts_visible_to(user).filter(owner=me)
        sections.append(
            Section(
                "Your accounts",
                [
                    Tile("Accounts you own", mine.count(), reverse("accounts:list")),
                    Tile("Waiting for set-up", mine.filter(status="pending_setup").count()),
                ],
            )
        )
        team = officers_visible_to(user).filter(pk__in=supervised_officer_ids(user))
        team_count = team.count()
        if team_count:
            team_accounts = social_accounts_visible_to(user).filter(owner__in=team)
            sections.append(
                Section(
                    "Your team",
                    [
                        Tile("Officers you supervise", team_count),
                        Tile("Their accounts", team_accounts.count(), reverse("accounts:list")),
                    ],
                )
            )

    if is_press_office(user) or is_auditor(user):
        everything = social_accounts_visible_to(user)
        sections.append(
            Section(
                "Needs attention",
                [
                    Tile(
                        "Re-certifications overdue",
                        overdue_recertifications().count(),
                        reverse("reports:recertifications"),
                    ),
                ],
            )
        )
        sections.append(
            Section(
                "The force's register",
                [
                    Tile(
                        "Active accounts",
                        everything.filter(status="active").count(),
                        reverse("accounts:list") + "?status=active",
                    ),
                    Tile(
                        "Pending set-up",
                        everything.filter(status="pending_setup").count(),
                        reverse("accounts:list") + "?status=pending_setup",
                    ),
                    Tile(
                        "Compromised",
                        everything.filter(status="compromised").count(),
                        reverse("accounts:list") + "?status=compromised",
                    ),
                ],
            )
        )
    if is_press_office(user):
        sections[-1].tiles.append(
            Tile(
                "Login details needed",
                accounts_needing_credentials().count(),
                reverse("custody:needed"),
            )
        )
    if is_press_office(user) or is_auditor(user):
        sections.append(_incident_section(user))
    if user.has_perm("reports.view_reports"):
        sections.append(_report_section(user))
    if sees_everything(user):
        sections.append(
            Section("Audit", [Tile("Audit trail", 0, reverse("audit:trail"), "Read every change")])
        )
    if user.has_perm("people.manage_roles"):
        sections.append(_roles_section(user))
    return sections


def _roles_section(user) -> Section:
    """For administrators: who holds which role, and requests waiting for their approval."""
    return Section(
        "Roles",
        [
            Tile(
                "Role requests for your approval",
                role_requests_waiting_for(user).count(),
                reverse("people:role_requests"),
                "Press office and Administrator need a second administrator",
            ),
            Tile("Give or take away a role", 0, reverse("people:roles")),
        ],
    )


def _case_sections(user, me) -> list[Section]:
    """Business cases: the person's own, those waiting for them as supervisor or press office."""
    sections = []
    if me is not None and user.has_perm("approvals.add_businesscase"):
        mine = my_cases(user)
        tiles = [
            Tile(
                "Your open cases",
                mine.filter(state__in=OPEN_STATES).count(),
                reverse("approvals:mine"),
            ),
            Tile(
                "Drafts and returned cases",
                mine.filter(state__in=[CaseState.DRAFT, CaseState.RETURNED]).count(),
                reverse("approvals:mine"),
            ),
            Tile(
                "Write a business case",
                0,
                reverse("approvals:create"),
                "Ask for an official account",
            ),
        ]
        policy = current_policy()
        owns_account = me.social_accounts.exclude(status="closed").exists()
        if policy is not None and owns_account and not has_acknowledged(me, policy):
            tiles.append(
                Tile("Policy to accept", 1, reverse("approvals:policy"), f"{policy} is new")
            )
        sections.append(Section("Business cases", tiles))
    if user.has_perm("approvals.view_supervisor_queue"):
        waiting = cases_waiting_for_supervisor(user)
        oldest = waiting.first()
        sections.append(
            Section(
                "Cases for your decision",
                [
                    Tile(
                        "Waiting for you as supervisor",
                        waiting.count(),
                        reverse("approvals:supervisor_queue"),
                        f"Oldest waiting {oldest.days_in_state} days" if oldest else "",
                    )
                ],
            )
        )
    if user.has_perm("approvals.view_press_office_queue"):
        waiting = cases_waiting_for_press_office()
        oldest = waiting.first()
        sections.append(
            Section(
                "Press office",
                [
                    Tile(
                        "Waiting for the press office",
                        waiting.count(),
                        reverse("approvals:press_office_queue"),
                        f"Oldest waiting {oldest.days_in_state} days" if oldest else "",
                    ),
                    Tile(
                        "Owners yet to accept the policy",
                        owners_yet_to_acknowledge(current_policy()).count(),
                        reverse("approvals:policy_outstanding"),
                    ),
                ],
            )
        )
    return sections


def _report_section(user) -> Section:
    """Counts from the reports (the whole force, or a supervisor's team), each linking to it."""
    tiles = [
        Tile(
            "Dormant or stale accounts",
            report_selectors.dormancy_accounts(user).count(),
            reverse("reports:dormancy"),
        ),
        Tile("Orphaned accounts", len(report_selectors.orphans(user)), reverse("reports:orphans")),
    ]
    if not sees_everything(user):  # the press office's "Needs attention" already counts these
        tiles.append(
            Tile(
                "Re-certifications overdue",
                len(report_selectors.recertifications_overdue(user)),
                reverse("reports:recertifications"),
            )
        )
    return Section("Reports", tiles)


def _incident_section(user) -> Section:
    """Hacked-account incidents still open (reported or contained), oldest first."""
    waiting = open_incidents(user).order_by("reported_at")
    oldest = waiting.first()
    return Section(
        "Hacked-account incidents",
        [
            Tile(
                "Open incidents",
                waiting.count(),
                reverse("incidents:list"),
                f"Oldest reported {localtime(oldest.reported_at):%d %b %Y %H:%M}" if oldest else "",
            )
        ],
    )


def _handover_sections(user) -> list[Section]:
    """Handovers and closures waiting for this person: as successor, supervisor, press office."""
    queue = reverse("handovers:queues")
    tiles = []
    to_accept = waiting_for_successor(user).count()
    if to_accept:
        tiles.append(Tile("Accounts offered to you", to_accept, queue, "Accept or decline"))
    to_approve = waiting_for_supervisor(user).count()
    if to_approve or user.has_perm("approvals.view_supervisor_queue"):
        tiles.append(Tile("Handovers for your decision", to_approve, queue))
    if user.has_perm("handovers.view_press_office_queue"):
        tiles.append(
            Tile("Handovers and closures to complete", waiting_for_press_office().count(), queue)
        )
    orphans = orphans_visible_to(user).exclude(owner__user=user).count()
    if orphans:
        tiles.append(Tile("Orphaned accounts", orphans, queue, "Owner moved or left"))
    return [Section("Handovers and closures", tiles)] if tiles else []
