"""The reports: each a page and, with `?format=csv` and the same filters, a CSV download.
Exports are reads, so they are plain GET links and not audited."""

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from accounts.models import Dormancy, ProfileCheck
from core.csv_safe import csv_response
from core.page_cache import page_cache
from reports import selectors
from reports.charts import bar_chart, line_chart

VIEW = "reports.view_reports"
PAGE_SIZE = 50


def _wants_csv(request) -> bool:
    return request.GET.get("format") == "csv"


def _csv_url(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    params["format"] = "csv"
    return "?" + params.urlencode()


def _querystring_base(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("format", None)
    return params.urlencode()


def _date(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        value = timezone.localtime(value)
    return value.isoformat(timespec="minutes") if hasattr(value, "hour") else value.isoformat()


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _stamp() -> str:
    return timezone.localdate().isoformat()


@permission_required(VIEW, raise_exception=True)
@page_cache
def index(request):
    return render(request, "reports/index.html")


@permission_required(VIEW, raise_exception=True)
@page_cache
def dormancy(request):
    rows = selectors.dormancy_by_unit(request.user)
    unit_id = request.GET.get("unit", "")
    unit_id = int(unit_id) if unit_id.isdigit() else None
    level = request.GET.get("level", "")
    level = level if level in Dormancy.values else ""
    # The page and the CSV show the owner's name and the unit, not the owner's user: no join.
    accounts = (
        selectors.dormancy_accounts(request.user, unit_id=unit_id, level=level)
        .select_related(None)
        .select_related("owner", "unit")
    )
    if _wants_csv(request):
        return csv_response(
            f"dormancy-{_stamp()}.csv",
            ["Handle", "Platform", "Owner", "Unit", "Status", "Dormancy", "Last post", "Editors"],
            (
                [
                    a.handle,
                    a.get_platform_display(),
                    a.owner.full_name,
                    a.unit.name,
                    a.get_status_display(),
                    Dormancy.of(a.last_post_at).label,
                    _date(a.last_post_at),
                    a.editor_count,
                ]
                for a in accounts
            ),
        )
    chart = bar_chart(
        [
            (
                row["unit"],
                [(level.value, level.label, count) for level, count in row["counts"]],
            )
            for row in rows
        ],
        legend=[(level.value, level.label) for level in selectors.LEVELS],
    )
    unit_name = next((row["unit"] for row in rows if row["unit_id"] == unit_id), "")
    return render(
        request,
        "reports/dormancy.html",
        {
            "rows": rows,
            "levels": selectors.LEVELS,
            "chart": chart,
            "page": Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("page")),
            "querystring_base": _querystring_base(request),
            "settings_warn": settings.DORMANT_WARN_AFTER,
            "settings_dormant": settings.DORMANT_AFTER,
            "settings_stale": settings.STALE_AFTER,
            "unit_id": unit_id,
            "unit_name": unit_name,
            "level": Dormancy(level) if level else None,
            "csv_url": _csv_url(request),
        },
    )


@permission_required(VIEW, raise_exception=True)
@page_cache
def orphans(request):
    if _wants_csv(request):
        accounts = selectors.orphans(request.user)
        return csv_response(
            f"orphaned-accounts-{_stamp()}.csv",
            [
                "Handle",
                "Platform",
                "Account status",
                "Owner",
                "Owner status",
                "Since",
                "Days",
                "Editors",
            ],
            (
                [
                    a.handle,
                    a.get_platform_display(),
                    a.get_status_display(),
                    a.owner.full_name,
                    a.owner.get_status_display(),
                    _date(a.owner.status_changed_on),
                    a.days_since_change,
                    a.editor_count,
                ]
                for a in accounts
            ),
        )
    page = _page(request, selectors.orphans_accounts(request.user))
    page.object_list = selectors.with_days_since_change(page.object_list)
    return render(
        request,
        "reports/orphans.html",
        {
            "page": page,
            "querystring_base": _querystring_base(request),
            "csv_url": _csv_url(request),
        },
    )


@permission_required(VIEW, raise_exception=True)
@page_cache
def waiting(request):
    if _wants_csv(request):
        rows = selectors.cases_waiting(request.user)
        return csv_response(
            f"cases-waiting-{_stamp()}.csv",
            [
                "Kind",
                "Account",
                "Officer",
                "Unit",
                "State",
                "Waiting for",
                "Since",
                "Days",
                "Working days",
            ],
            (
                [
                    r["kind"],
                    r["subject"],
                    r["person"],
                    r["unit"],
                    r["state"],
                    r["waiting_for"],
                    _date(r["since"]),
                    r["days"],
                    r["working_days"],
                ]
                for r in rows
            ),
        )
    by_whom = selectors.cases_waiting_by_whom(request.user)
    chart = bar_chart([(who, [("bar", "Waiting", n)]) for who, n in by_whom])
    return render(
        request,
        "reports/waiting.html",
        {
            "page": selectors.cases_waiting_page(
                request.user, request.GET.get("page"), count=sum(n for _who, n in by_whom)
            ),
            "querystring_base": _querystring_base(request),
            "by_whom": by_whom,
            "chart": chart,
            "csv_url": _csv_url(request),
        },
    )


@permission_required(VIEW, raise_exception=True)
@page_cache
def credentials(request):
    if _wants_csv(request):
        accounts = selectors.credentials_needed(request.user)
        return csv_response(
            f"credentials-needed-{_stamp()}.csv",
            ["Handle", "Platform", "Owner", "Unit", "Why", "Lodged", "Needed since"],
            (
                [
                    a.handle,
                    a.get_platform_display(),
                    a.owner.full_name,
                    a.unit.name,
                    a.credential_reason,
                    _date(a.credential_lodged_at),
                    _date(a.credentials_required_since),
                ]
                for a in accounts
            ),
        )
    page = _page(request, selectors.credentials_needed_accounts(request.user))
    page.object_list = selectors.with_credential_reason(page.object_list)
    return render(
        request,
        "reports/credentials.html",
        {
            "page": page,
            "querystring_base": _querystring_base(request),
            "csv_url": _csv_url(request),
        },
    )


@permission_required(VIEW, raise_exception=True)
@page_cache
def recertifications(request):
    if _wants_csv(request):
        recerts = selectors.recertifications_overdue(request.user)
        return csv_response(
            f"overdue-recertifications-{_stamp()}.csv",
            ["Handle", "Platform", "Owner", "Unit", "Due", "Days overdue", "Waiting for"],
            (
                [
                    r.account.handle,
                    r.account.get_platform_display(),
                    r.account.owner.full_name,
                    r.account.unit.name,
                    _date(r.due_on),
                    r.days_overdue,
                    r.waiting_for,
                ]
                for r in recerts
            ),
        )
    page = _page(request, selectors.recertifications_overdue_qs(request.user))
    page.object_list = selectors.with_days_overdue(page.object_list)
    return render(
        request,
        "reports/recertifications.html",
        {
            "page": page,
            "querystring_base": _querystring_base(request),
            "csv_url": _csv_url(request),
        },
    )


@permission_required(VIEW, raise_exception=True)
@page_cache
def incidents(request):
    table = request.GET.get("table", "open")
    if _wants_csv(request):
        if table == "months":
            months = selectors.incident_times(request.user)
            return csv_response(
                f"incident-times-{_stamp()}.csv",
                [
                    "Month",
                    "Incidents",
                    "Median hours to contain",
                    "Mean hours to contain",
                    "Median hours to resolve",
                    "Mean hours to resolve",
                ],
                (
                    [
                        m["month"],
                        m["count"],
                        m["contain_median"],
                        m["contain_mean"],
                        m["resolve_median"],
                        m["resolve_mean"],
                    ]
                    for m in months
                ),
            )
        incidents = selectors.incidents_open(request.user)
        return csv_response(
            f"open-incidents-{_stamp()}.csv",
            ["Account", "Platform", "Owner", "Unit", "State", "Reported", "Age in days"],
            (
                [
                    i.account.handle,
                    i.account.get_platform_display(),
                    i.account.owner.full_name,
                    i.account.unit.name,
                    i.get_state_display(),
                    _date(i.reported_at),
                    i.age_days,
                ]
                for i in incidents
            ),
        )
    page = _page(request, selectors.incidents_open_qs(request.user))
    page.object_list = selectors.with_age_days(page.object_list)
    months = selectors.incident_times(request.user)
    chart = bar_chart(
        [
            (m["month"], [("bar", "Median hours to contain", m["contain_median"] or 0)])
            for m in months
        ]
    )
    return render(
        request,
        "reports/incidents.html",
        {
            "page": page,
            "querystring_base": _querystring_base(request),
            "months": months,
            "chart": chart,
            "open_csv_url": "?format=csv&table=open",
            "months_csv_url": "?format=csv&table=months",
        },
    )


@permission_required(VIEW, raise_exception=True)
@page_cache
def profiles(request):
    checks = selectors.failing_profile_checks(request.user)
    if _wants_csv(request):
        labels = dict(ProfileCheck.Check.choices)
        return csv_response(
            f"profile-checks-{_stamp()}.csv",
            ["Handle", "Platform", "Owner", "Unit", "Failing checks", "Failing since", "Read"],
            (
                [
                    c.account.handle,
                    c.account.get_platform_display(),
                    c.account.owner.full_name,
                    c.account.unit.name,
                    "; ".join(labels.get(code, code) for code in c.failing),
                    _date(c.failing_since),
                    _date(c.checked_at),
                ]
                for c in checks
            ),
        )
    by_kind = selectors.failing_checks_by_kind(request.user)
    chart = bar_chart([(label, [("dormant", "Failing", n)]) for _code, label, n in by_kind])
    return render(
        request,
        "reports/profiles.html",
        {
            "page": _page(request, checks),
            "by_kind": by_kind,
            "chart": chart,
            "querystring_base": _querystring_base(request),
            "csv_url": _csv_url(request),
        },
    )


@permission_required(VIEW, raise_exception=True)
@page_cache
def followers(request):
    rows = selectors.followers_by_month(request.user)
    if _wants_csv(request):
        return csv_response(
            f"followers-{_stamp()}.csv",
            ["Month", "Followers", "Accounts counted"],
            ([r["month"].strftime("%Y-%m"), r["followers"], r["accounts"]] for r in rows),
        )
    chart = line_chart([(r["month"].strftime("%b %Y"), r["followers"]) for r in rows])
    return render(
        request,
        "reports/followers.html",
        {"rows": rows, "chart": chart if len(rows) > 1 else None, "csv_url": _csv_url(request)},
    )


PERIODS = (12, 24, 36)  # months the accounts-over-time report may cover


@permission_required(VIEW, raise_exception=True)
@page_cache
def accounts_over_time(request):
    months = request.GET.get("months", "")
    months = int(months) if months.isdigit() and int(months) in PERIODS else 24
    rows = selectors.accounts_over_time(request.user, months=months)
    if _wants_csv(request):
        return csv_response(
            f"accounts-over-time-{_stamp()}.csv",
            ["Month", "Live at the end of the month", "Opened", "Closed", "Of which consolidated"],
            (
                [
                    r["month"].strftime("%Y-%m"),
                    r["live"],
                    r["opened"],
                    r["closed"],
                    r["consolidated"],
                ]
                for r in rows
            ),
        )
    chart = line_chart([(r["month"].strftime("%b %Y"), r["live"]) for r in rows])
    return render(
        request,
        "reports/accounts_over_time.html",
        {
            "rows": rows,
            "chart": chart,
            "months": months,
            "periods": PERIODS,
            "totals": {
                key: sum(r[key] for r in rows) for key in ("opened", "closed", "consolidated")
            },
            "csv_url": _csv_url(request),
        },
    )
