"""Reads of incidents, filtered by who may see them, with what their pages need loaded."""

import statistics
from collections import defaultdict

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import SocialAccount
from incidents.models import OPEN_STATES, Incident, IncidentStep, Report
from people.predicates import officer_of, sees_everything
from people.selectors import supervised_officer_ids


def _incidents() -> QuerySet:
    return Incident.objects.select_related(
        "account", "account__owner", "account__unit", "reported_by"
    ).prefetch_related(Prefetch("steps", IncidentStep.objects.select_related("done_by")))


def incidents_visible_to(user) -> QuerySet:
    """Every incident for the press office, auditors and administrators; otherwise those on the
    accounts the person owns or whose owner they supervise (or act for)."""
    qs = _incidents()
    if sees_everything(user):
        return qs
    me = officer_of(user)
    if me is None:
        return qs.none()
    return qs.filter(Q(account__owner=me) | Q(account__owner_id__in=supervised_officer_ids(user)))


def incidents_in_state(user, state: str | None) -> QuerySet:
    """The list page: open incidents (default, oldest first) or those in one state."""
    qs = incidents_visible_to(user)
    if state == "open" or not state:
        return qs.filter(state__in=OPEN_STATES).order_by("reported_at", "pk")
    return qs.filter(state=state).order_by("-reported_at", "-pk")


def open_incidents(user) -> QuerySet:
    return incidents_visible_to(user).filter(state__in=OPEN_STATES)


def reports_by(user) -> QuerySet:
    """The reporter's own reports with the state of their incident, and nothing else of it."""
    return (
        Report.objects.filter(reported_by=user)
        .select_related("incident", "incident__account")
        .order_by("-reported_at", "-pk")
    )


def timeline_for(incident):
    return incident.timeline.all()


def account_by_handle(platform: str, handle: str):
    """The register's account with this handle (any case, with or without @), or None."""
    handle = handle.strip().lstrip("@")
    return (
        SocialAccount.objects.filter(platform=platform, handle__iexact=handle)
        .exclude(status=SocialAccount.Status.CLOSED)
        .first()
    )


def _hours(delta) -> float:
    return round(delta.total_seconds() / 3600, 1)


def times_by_month(qs=None) -> list[dict]:
    """Per month reported (local time): how many incidents, and the median and mean hours to
    contain and to resolve (over those that got there). Computed from the recorded times."""
    qs = Incident.objects.all() if qs is None else qs
    months = defaultdict(lambda: {"count": 0, "contain": [], "resolve": []})
    for incident in qs.only("reported_at", "contained_at", "resolved_at"):
        row = months[timezone.localtime(incident.reported_at).strftime("%Y-%m")]
        row["count"] += 1
        if incident.contained_at:
            row["contain"].append(_hours(incident.time_to_contain))
        if incident.resolved_at:
            row["resolve"].append(_hours(incident.time_to_resolve))
    summary = []
    for month in sorted(months, reverse=True):
        row = months[month]
        summary.append(
            {
                "month": month,
                "count": row["count"],
                "contain_median": _stat(statistics.median, row["contain"]),
                "contain_mean": _stat(statistics.fmean, row["contain"]),
                "resolve_median": _stat(statistics.median, row["resolve"]),
                "resolve_mean": _stat(statistics.fmean, row["resolve"]),
            }
        )
    return summary


def _stat(fn, values):
    return round(fn(values), 1) if values else None
