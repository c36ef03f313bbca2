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
    NavItem(
        "Acting supervisors", "approvals:delegations", permission="approvals.create_delegation"
    ),
    NavItem("Policy", "approvals:policy"),
    NavItem("Accounts", "accounts:list", permission="accounts.list_socialaccounts"),
    NavItem("Handovers", "handovers:queues", permission="accounts.list_socialaccounts"),
    NavItem("Movers and leavers", "handovers:leavers", permission="handovers.mark_leavers"),
    NavItem("Credentials", "custody:needed", permission="custody.list_credentials_needed"),
    NavItem("Notifications", "notifications:inbox"),
    NavItem("Audit trail", "audit:trail", permission="accounts.view_audit_trail"),
    NavItem("Admin", "admin:index", staff_only=True),
]


def nav_items_for(request) -> list[dict]:
    user = request.user
    items = []
    for item in NAV:
        if item.permission and not user.has_perm(item.permission):
            continue
        if item.staff_only and not user.is_staff:
            continue
        url = reverse(item.url_name)
        exact = item.url_name in {"home", "approvals:mine"}
        active = request.path == url if exact else request.path.startswith(url)
        items.append({"label": item.label, "url": url, "active": active})
    return items
