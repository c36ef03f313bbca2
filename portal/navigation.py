"""The menu, by role: a short GOV.UK service navigation (one row at 1280 px, a "Menu" button on
a phone) holding the sections a person works in; everything about the person themself (their
notifications, leave, sign-in security, what they may start) is on "Your account". An item shows
when the person holds its permission (rules), so nobody is offered what they may not do."""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str | None = None  # None: everyone signed in
    staff_only: bool = False
    # Pages under these paths mark the item current too (the one "Cases" item covers the lot).
    prefixes: tuple[str, ...] = ()


# "Cases" goes to the queue the person works from: the press office's, a supervisor's, or their
# own cases; the first one they may use.
CASES = [
    NavItem(
        "Cases",
        "approvals:press_office_queue",
        permission="approvals.view_press_office_queue",
        prefixes=("/cases/",),
    ),
    NavItem(
        "Cases",
        "approvals:supervisor_queue",
        permission="approvals.view_supervisor_queue",
        prefixes=("/cases/",),
    ),
    NavItem(
        "My cases", "approvals:mine", permission="approvals.add_businesscase", prefixes=("/cases/",)
    ),
]

NAV = [
    NavItem("Home", "home"),
    CASES,
    NavItem("Accounts", "accounts:list", permission="accounts.list_socialaccounts"),
    NavItem("Handovers", "handovers:queues", permission="accounts.list_socialaccounts"),
    NavItem("Incidents", "incidents:list", permission="incidents.list_incidents"),
    NavItem("Reports", "reports:index", permission="reports.view_reports"),
    NavItem("Audit trail", "audit:trail", permission="accounts.view_audit_trail"),
    NavItem("Roles", "people:roles", permission="people.manage_roles"),
    NavItem("Leavers", "handovers:leavers", permission="people.change_officer_status"),
    NavItem("Data protection", "privacy:retention", permission="privacy.view_retention"),
    NavItem("Admin", "admin:index", staff_only=True),
    NavItem(
        "Your account",
        "me",
        prefixes=(
            "/accounts/2fa/",
            "/notifications/",
            "/people/sessions/",
            "/people/chat/",
            "/reminders/leave/",
        ),
    ),
]

# "Your account": the person's own things and what they may start, in the order people look.
YOUR_ACCOUNT = [
    NavItem("Write a business case", "approvals:create", permission="approvals.add_businesscase"),
    NavItem("Your business cases", "approvals:mine", permission="approvals.add_businesscase"),
    NavItem("Report a hacked account", "incidents:report", permission="incidents.report_incident"),
    NavItem("Your incident reports", "incidents:mine", permission="incidents.report_incident"),
    NavItem("Suspensions and pauses", "pauses:list", permission="pauses.list_pauses"),
    NavItem("Notifications", "notifications:inbox"),
    NavItem("Leave", "reminders:leave", permission="people.use_leave_page"),
    NavItem("Acting supervisors", "approvals:delegations", permission="people.create_delegation"),
    NavItem("Re-certifications", "reminders:recertifications"),
    NavItem("The social media policy", "approvals:policy"),
    NavItem("Login details needed", "custody:needed", permission="custody.list_credentials_needed"),
    NavItem("Failed e-mails", "people:failed_mail", permission="people.retry_failed_mail"),
    NavItem("Social media training", "people:training", permission="people.record_training"),
    NavItem("Teams channels", "people:chat_channels", permission="people.manage_chat_channels"),
    NavItem("Notifications in Teams", "people:chat_choices", permission="people.choose_chat"),
    NavItem("API clients", "api:clients", permission="api.manage_clients"),
    NavItem("Sign-in security", "mfa_index"),
    NavItem("Where you are signed in", "people:sessions"),
]


def _allowed(user, item: NavItem) -> bool:
    if item.permission and not user.has_perm(item.permission):
        return False
    return not (item.staff_only and not user.is_staff)


def items_for(user, items) -> list[dict]:
    out = []
    for item in items:
        choices = item if isinstance(item, list) else [item]
        chosen = next((c for c in choices if _allowed(user, c)), None)
        if chosen is None:
            continue
        out.append(
            {
                "label": chosen.label,
                "url": reverse(chosen.url_name),
                "prefixes": chosen.prefixes,
                "active": False,
            }
        )
    return out


def nav_items_for(request) -> list[dict]:
    """The items this person may use; the one whose address (or one of its prefixes) is the
    longest prefix of the current page is marked current."""
    items = items_for(request.user, NAV)
    best, best_length = None, 0
    for item in items:
        for prefix in (item["url"], *item["prefixes"]):
            hit = request.path == prefix or (prefix != "/" and request.path.startswith(prefix))
            if hit and len(prefix) > best_length:
                best, best_length = item, len(prefix)
    if best is not None:
        best["active"] = True
    return items
