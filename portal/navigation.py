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
    NavItem("Accounts", "accounts:list", permission="accounts.list_socialaccounts"),
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
        active = request.path == url if item.url_name == "home" else request.path.startswith(url)
        items.append({"label": item.label, "url": url, "active": active})
    return items
