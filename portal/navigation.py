"""The menu, by role: an item shows when the person holds its permission (rules)."""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str | None = None  # None: everyone signed in
    staff_only: bool = False


NAV = [
    NavItem("Home", "home"),
    NavItem("My cases", "approvals:mine", permission="approvals.add_businesscase"),
    NavItem(
        "Cases for my decision",
        "approvals:supervisor_queue",
        permission="approvals.view_supervisor_queue",
    ),
    NavItem(
        "Press office queue",
        "approvals:press_office_queue",
        permission="approvals.view_press_office_queue",
    ),
    NavItem("Acting supervisors", "approvals:delegations", permission="people.create_delegation"),
    NavItem("Policy", "approvals:policy"),
    NavItem("Accounts", "accounts:list", permission="accounts.list_socialaccounts"),
    NavItem("Handovers", "handovers:queues", permission="accounts.list_socialaccounts"),
    NavItem("Movers and leavers", "handovers:leavers", permission="people.change_officer_status"),
    NavItem("Roles", "people:roles", permission="people.manage_roles"),
    NavItem("Failed e-mails", "people:failed_mail", permission="people.retry_failed_mail"),
    NavItem("Credentials", "custody:needed", permission="custody.list_credentials_needed"),
    NavItem("Leave", "reminders:leave", permission="people.use_leave_page"),
    NavItem("Incidents", "incidents:list", permission="incidents.list_incidents"),
    NavItem("Report a hack", "incidents:report", permission="incidents.report_incident"),
    NavItem("Reports", "reports:index", permission="reports.view_reports"),
    NavItem("Notifications", "notifications:inbox"),
    NavItem("Audit trail", "audit:trail", permission="accounts.view_audit_trail"),
    NavItem("Sign-in security", "mfa_index"),
    NavItem("Admin", "admin:index", staff_only=True),
]


def nav_items_for(request) -> list[dict]:
    """The items this person may use; the one whose address is the longest prefix of the
    current page is marked current (so /incidents/report/ marks "Report a hack", not
    "Incidents")."""
    user = request.user
    items = []
    for item in NAV:
        if item.permission and not user.has_perm(item.permission):
            continue
        if item.staff_only and not user.is_staff:
            continue
        items.append({"label": item.label, "url": reverse(item.url_name), "active": False})
    matches = [
        it
        for it in items
        if request.path == it["url"] or (it["url"] != "/" and request.path.startswith(it["url"]))
    ]
    if matches:
        max(matches, key=lambda it: len(it["url"]))["active"] = True
    return items
