"""What the public may see: the force's official accounts and only their public facts, and for a
handle someone asks about, which of four answers is true: official; official but compromised
(do not trust recent posts); formerly official (closed, or renamed, and since when); unknown."""

import dataclasses
import datetime

from django.db.models import QuerySet
from django.db.models.functions import Lower

from accounts.models import SocialAccount
from audit.models import AuditEvent
from pauses.selectors import paused_now

Status = SocialAccount.Status

# Live accounts the force runs. A handover is internal and the account stays official while it
# happens. A compromised account is still the force's, and is listed so the public is warned.
LIVE_STATUSES = (Status.ACTIVE, Status.HANDOVER_PENDING)
PUBLIC_STATUSES = (*LIVE_STATUSES, Status.COMPROMISED)
# The kind says whether a team, unit or central office runs the account (a shared account): public
# on the platform already. Who owns or edits an account is never public.
PUBLIC_FIELDS = ("platform", "handle", "display_name", "unit__name", "kind")

OFFICIAL = "official"
COMPROMISED = "compromised"
FORMERLY_OFFICIAL = "formerly_official"
UNKNOWN = "unknown"


def public_accounts() -> QuerySet:
    """Rows of exactly the public fields, the status and whether the account is paused now (a
    values() queryset: nothing else is even loaded; never why it is paused)."""
    return (
        SocialAccount.objects.filter(status__in=PUBLIC_STATUSES)
        .annotate(handle_lower=Lower("handle"), paused=paused_now())
        .order_by("platform", "handle_lower")
        .values(*PUBLIC_FIELDS, "status", "paused")
    )


def lookup(handle: str, platform: str | None = None) -> list[dict]:
    handle = handle.strip().lstrip("@")
    if not handle:
        return []
    qs = public_accounts().filter(handle_lower=handle.lower())
    if platform:
        qs = qs.filter(platform=platform)
    return list(qs)


@dataclasses.dataclass
class Verdict:
    """The answer for one handle: `status` (one of the four), the matching public rows, and for
    a compromised or former account since when, and why it is former ("closed" or "renamed",
    with the handle the force's account has now)."""

    handle: str
    status: str
    accounts: list[dict]
    paused: bool = False  # official, but suspended or paused by the force: no posts for now
    since: datetime.date | None = None
    reason: str = ""
    now_handle: str = ""
    now_platform: str = ""


def _event_date(action: str, account_id: int) -> datetime.date | None:
    event = (
        AuditEvent.objects.filter(
            action=action, object_type="accounts.socialaccount", object_id=str(account_id)
        )
        .order_by("-sequence")
        .values_list("created_at", flat=True)
        .first()
    )
    return event.date() if event else None


def verdict(handle: str, platform: str | None = None) -> Verdict:
    """Which answer is true for `handle` (on `platform`, or any): a fixed handful of queries."""
    handle = handle.strip().lstrip("@")
    rows = SocialAccount.objects.annotate(handle_lower=Lower("handle")).filter(
        handle_lower=handle.lower()
    )
    if platform:
        rows = rows.filter(platform=platform)
    rows = list(
        rows.annotate(paused=paused_now()).values(
            "pk",
            *PUBLIC_FIELDS,
            "status",
            "closed_on",
            "consolidated_into",
            "paused",
        )
    )
    public = [r for r in rows if r["status"] in PUBLIC_STATUSES]
    if any(r["status"] in LIVE_STATUSES for r in public):
        live = [r for r in public if r["status"] in LIVE_STATUSES]
        return Verdict(handle, OFFICIAL, live, paused=all(r["paused"] for r in live))
    if public:
        return Verdict(
            handle,
            COMPROMISED,
            public,
            since=_event_date("socialaccount.compromised", public[0]["pk"]),
        )
    renamed = _renamed(handle, platform)
    closed = [r for r in rows if r["status"] == Status.CLOSED]
    if closed and (
        renamed is None or (closed[0]["closed_on"] or datetime.date.min) >= renamed.since
    ):
        return _closed(handle, closed[0])
    return renamed or Verdict(handle, UNKNOWN, [])


def _closed(handle: str, row: dict) -> Verdict:
    """Closed; and, for an account folded into a unit's account, where its followers should go
    now (`now_handle` on `now_platform`)."""
    answer = Verdict(handle, FORMERLY_OFFICIAL, [], since=row["closed_on"], reason="closed")
    now = _folded_into(row["pk"]) if row["consolidated_into"] else None
    if now is not None:
        answer.now_handle, answer.now_platform = now["handle"], now["platform"]
    return answer


FOLD_HOPS = 5  # an account folded into one that was later folded in too: followed this far


def _folded_into(account_id: int) -> dict | None:
    """The public account that now posts for a folded account: the one it was folded into or,
    if that one was folded in later as well, the one that took its followers (one query a
    step, at most FOLD_HOPS)."""
    seen, current = {account_id}, account_id
    for _ in range(FOLD_HOPS):
        into = (
            SocialAccount.objects.filter(consolidated_from__pk=current)
            .values("pk", "handle", "platform", "status")
            .first()
        )
        if into is None or into["pk"] in seen:
            return None
        if into["status"] in PUBLIC_STATUSES:
            return into
        seen.add(into["pk"])
        current = into["pk"]
    return None


def _renamed(handle: str, platform: str | None) -> Verdict | None:
    """The latest handover that took an account off `handle`, if the account was public then."""
    events = AuditEvent.objects.filter(
        action="socialaccount.handed_over",
        object_type="accounts.socialaccount",
        changes__handle__0__iexact=handle,
    ).order_by("-sequence")
    for object_id, created_at in events.values_list("object_id", "created_at")[:5]:
        account = (
            SocialAccount.objects.filter(pk=int(object_id))
            .values("platform", "handle", "status")
            .first()
        )
        if account is None or (platform and account["platform"] != platform):
            continue
        listed = account["status"] in PUBLIC_STATUSES
        return Verdict(
            handle,
            FORMERLY_OFFICIAL,
            [],
            since=created_at.date(),
            reason="renamed",
            now_handle=account["handle"] if listed else "",
            now_platform=account["platform"] if listed else "",
        )
    return None
