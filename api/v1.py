"""The JSON API, version 1 (/api/v1/): OpenAPI document at /api/v1/openapi.json, interactive
docs at /api/v1/docs for anyone signed in. Every operation takes a client's bearer token with
its scope (api/auth.py) and reads through the same selectors, and writes through the same
services, as the pages, with the client's owner as the person: never a second copy of a rule.
Writes name the client in the audit trail (api/services.py)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse
from ninja import Header, NinjaAPI, Query, Router, Status
from ninja.errors import AuthorizationError, ValidationError
from ninja.throttling import AuthRateThrottle

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.models import Dormancy, ImportJob, SocialAccount
from api import schemas, stream
from api.auth import scoped
from api.models import Scope
from api.services import KeyReused, api_act, api_write
from approvals import selectors as case_selectors
from audit.selectors import history_for
from core.errors import DomainError
from handovers import services as handover_services
from incidents import selectors as incident_selectors
from incidents import services as incident_services
from people.throttle import client_address
from reports import selectors as report_selectors

PAGE_SIZE = 50
MAX_PAGE = 100_000
# Per client: a feed sends its rows in a few large requests, a SIEM polls; far above either.
THROTTLE = AuthRateThrottle("600/m")

api = NinjaAPI(
    title="Social media accounts portal API",
    version="1",
    description=(
        "The register, business cases, incidents, reports' figures, activity and HR feeds and "
        "the audit stream, for integrations. Each call takes `Authorization: Bearer <token>` "
        "of an API client an administrator created; the client sees and does what its owner "
        "may, within its scopes. 401: no live client (unknown, expired or revoked token); "
        "403: a scope or rule refuses; 429: slow down."
    ),
    urls_namespace="api-v1",
    docs_decorator=login_required,
    throttle=[THROTTLE],
)

KEY_HEADER = Header(
    ...,
    alias="Idempotency-Key",
    min_length=8,
    max_length=100,
    pattern=r"^[A-Za-z0-9._:-]+$",
    description="The client's own key for this write: the same key again changes nothing.",
)
PAGE = Query(1, ge=1, le=MAX_PAGE, description="Page number, 50 items a page.")


@api.exception_handler(DomainError)
def domain_error(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)


def _page(qs, page: int, shape) -> dict:
    count = qs.count()
    start = (page - 1) * PAGE_SIZE
    return {
        "count": count,
        "page": page,
        "items": [shape(obj) for obj in qs[start : start + PAGE_SIZE]] if start < count else [],
    }


def _officer(officer) -> dict:
    return {"id": officer.pk, "name": officer.full_name, "staff_number": officer.staff_number}


def _not_found(what: str):
    return Status(404, {"detail": f"No {what} with that id that this client may see."})


ERRORS = {
    401: schemas.Message,
    403: schemas.Message,
    404: schemas.Message,
    422: schemas.Refused,
    429: schemas.Message,
}

# Register --------------------------------------------------------------------------------------

register = Router(tags=["register"], auth=scoped(Scope.READ_REGISTER))


def _account(a: SocialAccount) -> dict:
    return {
        "id": a.pk,
        "platform": a.platform,
        "handle": a.handle,
        "display_name": a.display_name,
        "kind": a.kind,
        "status": a.status,
        "owner": _officer(a.owner),
        "unit": {"id": a.unit_id, "name": a.unit.name},
        "activated_on": a.activated_on,
        "closed_on": a.closed_on,
        "last_post_at": a.last_post_at,
        "followers": a.followers,
        "dormancy": Dormancy.of(a.last_post_at).value,
    }


class AccountPage(schemas.Schema):
    count: int
    page: int
    items: list[schemas.Account]


class RegisterFilters(schemas.Schema):
    q: str = schemas.Field("", max_length=100, description="Handle, name or staff number.")
    unit: int | None = schemas.Field(None, ge=1, le=2_147_483_647)
    status: SocialAccount.Status | None = None
    platform: SocialAccount.Platform | None = None
    kind: SocialAccount.Kind | None = None
    dormancy: Dormancy | None = None
    sort: str = schemas.Field("handle", pattern=r"^-?(handle|owner|unit|status|last_post)$")


@register.get("/accounts", response={200: AccountPage, **ERRORS})
def accounts(request, filters: Query[RegisterFilters], page: int = PAGE):
    """The register as the client's owner sees it, filtered and sorted as on the register
    page."""
    qs = account_selectors.filter_register(
        account_selectors.social_accounts_visible_to(request.user),
        q=filters.q,
        unit=filters.unit,
        status=filters.status or "",
        platform=filters.platform or "",
        kind=filters.kind or "",
        dormancy=filters.dormancy or "",
        sort=filters.sort,
    )
    return _page(qs, page, _account)


@register.get("/accounts/{int:pk}", response={200: schemas.AccountDetail, **ERRORS})
def account(request, pk: int):
    """One account and the history of its status, from the audit trail."""
    a = account_selectors.social_accounts_visible_to(request.user).filter(pk=pk).first()
    if a is None:
        return _not_found("account")
    history = [
        {
            "at": e.created_at,
            "action": e.action,
            "status_from": e.changes["status"][0],
            "status_to": e.changes["status"][1],
            "by": e.actor_label,
            "reason": e.reason,
        }
        for e in history_for(a)
        if isinstance(e.changes.get("status"), list) and len(e.changes["status"]) == 2
    ]
    return {**_account(a), "status_history": history}


# Business cases ---------------------------------------------------------------------------------

cases = Router(tags=["cases"], auth=scoped(Scope.READ_CASES))


def _case(c) -> dict:
    return {
        "id": c.pk,
        "state": c.state,
        "platform": c.platform,
        "kind": c.kind,
        "handle": c.handle,
        "display_name": c.display_name,
        "applicant": _officer(c.applicant),
        "unit": {"id": c.unit_id, "name": c.unit.name},
        "created_at": c.created_at,
        "submitted_at": c.submitted_at,
        "state_changed_at": c.state_changed_at,
        "account_id": c.account_id,
    }


class CasePage(schemas.Schema):
    count: int
    page: int
    items: list[schemas.Case]


@cases.get("/cases", response={200: CasePage, **ERRORS})
def case_list(
    request,
    state: str = Query("", max_length=40, description="Only cases in this state."),
    page: int = PAGE,
):
    """Business cases the owner may see (their own, their team's, or all), newest first."""
    qs = case_selectors.cases_visible_to(request.user).order_by("-created_at", "-pk")
    if state:
        qs = qs.filter(state=state)
    return _page(qs, page, _case)


@cases.get("/cases/{int:pk}", response={200: schemas.CaseDetail, **ERRORS})
def case_detail(request, pk: int):
    """One case and its decisions, oldest first."""
    c = case_selectors.cases_visible_to(request.user).filter(pk=pk).first()
    if c is None:
        return _not_found("business case")
    decisions = [
        {
            "submission": d.submission,
            "stage": d.stage,
            "outcome": d.outcome,
            "comment": d.comment,
            "decided_by": d.decided_by_label,
            "decided_at": d.decided_at,
        }
        for d in case_selectors.decisions_for(c)
    ]
    return {**_case(c), "policing_purpose": c.policing_purpose, "decisions": decisions}


# Feeds: activity and HR ---------------------------------------------------------------------------

feeds = Router(tags=["feeds"])
WRITE_ERRORS = {**ERRORS, 409: schemas.Message}


def _refused(detail: str, errors) -> dict:
    return {"detail": detail, "errors": errors}


def _keyed(request, *, operation: str, key: str, payload, run):
    try:
        status, body, replayed = api_write(
            client=request.auth,
            operation=operation,
            key=key,
            payload=payload,
            address=client_address(request),
            run=run,
        )
    except KeyReused as exc:
        return Status(409, {"detail": str(exc)})
    if status < 400:
        body = {**body, "replayed": replayed}
    return Status(status, body)


@feeds.post(
    "/activity",
    auth=scoped(Scope.WRITE_ACTIVITY),
    response={200: schemas.Accepted, **WRITE_ERRORS},
)
def activity(request, report: schemas.ActivityReport, idempotency_key: str = KEY_HEADER):
    """A social-media management tool reports the last post and follower count of accounts it
    manages: the activity import's checks and rule (the owner must be allowed to import
    activity); all rows or none."""
    if not request.user.has_perm(account_services.IMPORT_PERMISSION[ImportJob.Kind.ACTIVITY]):
        raise AuthorizationError(message="The client's owner may not report activity.")
    rows = [r.model_dump() for r in report.observations]
    for row in rows:
        row["last_post_at"] = row["last_post_at"].isoformat()

    def run():
        checked = account_services.activity_report(actor=request.user, rows=rows)
        if checked.errors:
            problems = [{"line": e.line, "message": e.message} for e in checked.errors]
            return 422, _refused("Nothing was recorded: some rows are wrong.", problems)
        return 200, {"written": checked.good}

    return _keyed(request, operation="activity", key=idempotency_key, payload=rows, run=run)


@feeds.post(
    "/people/changes",
    auth=scoped(Scope.WRITE_PEOPLE),
    response={200: schemas.PeopleAccepted, **WRITE_ERRORS},
)
def people_changes(request, report: schemas.PeopleReport, idempotency_key: str = KEY_HEADER):
    """The HR system's movers and leavers: the HR import's checks and rule (the owner must be
    an administrator); all rows or none; a leaver can no longer sign in. As on the leavers page,
    each marked officer's live accounts become orphans and they stop editing shared accounts."""
    rows = [{**r.model_dump(), "date": r.date.isoformat()} for r in report.changes]

    def run():
        result = handover_services.leavers_feed_and_orphan(actor=request.user, rows=rows)
        if not result.ok:
            return 422, _refused("Nothing was changed: some rows are wrong.", result.errors)
        marked = [
            {
                "staff_number": r["officer"].staff_number,
                "status": r["status"],
                "was": r["was"],
                "on": r["on"],
            }
            for r in result.rows
        ]
        return 200, {"marked": marked}

    return _keyed(request, operation="people", key=idempotency_key, payload=rows, run=run)


# Incidents ----------------------------------------------------------------------------------------

incidents = Router(tags=["incidents"])


def _incident(i) -> dict:
    return {
        "id": i.pk,
        "state": i.state,
        "account_id": i.account_id,
        "platform": i.account.platform,
        "handle": i.account.handle,
        "reported_at": i.reported_at,
        "contained_at": i.contained_at,
        "resolved_at": i.resolved_at,
        "reports": i.report_count,
    }


class IncidentPage(schemas.Schema):
    count: int
    page: int
    items: list[schemas.Incident]


@incidents.get(
    "/incidents", auth=scoped(Scope.READ_INCIDENTS), response={200: IncidentPage, **ERRORS}
)
def incident_list(
    request,
    state: str = Query("open", max_length=40, description="open (default) or one state"),
    page: int = PAGE,
):
    """Incidents on the accounts the owner may see, as on the incidents page."""
    qs = incident_selectors.incidents_in_state(request.user, state)
    return _page(qs.annotate(report_count=Count("reports")), page, _incident)


@incidents.get(
    "/incidents/{int:pk}",
    auth=scoped(Scope.READ_INCIDENTS),
    response={200: schemas.Incident, **ERRORS},
)
def incident_detail(request, pk: int):
    i = (
        incident_selectors.incidents_visible_to(request.user)
        .annotate(report_count=Count("reports"))
        .filter(pk=pk)
        .first()
    )
    if i is None:
        return _not_found("incident")
    return _incident(i)


@incidents.post(
    "/incidents",
    auth=scoped(Scope.REPORT_INCIDENT),
    response={200: schemas.IncidentReported, **WRITE_ERRORS},
)
def incident_report(request, report: schemas.IncidentReport):
    """Report a suspected compromise of an account in the register (as the report page: a
    second report of an open incident joins it)."""
    account = incident_selectors.account_by_handle(report.platform, report.handle)
    if account is None:
        return Status(422, _refused("That account is not in the register.", []))
    if report.link_clicked not in ("yes", "no", "unsure"):
        return Status(422, _refused("link_clicked must be yes, no or unsure.", []))

    def run():
        return incident_services.incident_report(
            actor=request.user,
            account_id=account.pk,
            what_happened=report.what_happened,
            noticed_at=report.noticed_at,
            link_clicked=report.link_clicked,
            rogue_posts=report.rogue_posts,
        )

    made, opened = api_act(
        client=request.auth, operation="incident_report", address=client_address(request), run=run
    )
    return {"incident_id": made.incident_id, "opened": opened}


# Reports ----------------------------------------------------------------------------------------

reports = Router(tags=["reports"], auth=scoped(Scope.READ_REPORTS))


@reports.get("/reports/figures", response={200: schemas.Figures, **ERRORS})
def figures(request):
    """The figures of the reports pages, over what the owner's reports cover."""
    if not request.user.has_perm("reports.view_reports"):
        raise AuthorizationError(message="The client's owner may not read the reports.")
    user = request.user
    return {
        "dormancy_by_unit": [
            {
                "unit_id": row["unit_id"],
                "unit": row["unit"],
                "total": row["total"],
                "needs_action": row["needs_action"],
                "levels": {level.value: n for level, n in row["counts"]},
            }
            for row in report_selectors.dormancy_by_unit(user)
        ],
        "orphaned_accounts": report_selectors.orphans_accounts(user).count(),
        "credentials_needed": report_selectors.credentials_needed_accounts(user).count(),
        "recertifications_overdue": report_selectors.recertifications_overdue_qs(user).count(),
        "incidents_open": report_selectors.incidents_open_qs(user).count(),
        "cases_waiting": [
            {"waiting_for": who, "count": n}
            for who, n in report_selectors.cases_waiting_by_whom(user)
        ],
        "incident_times": report_selectors.incident_times(user),
    }


# Audit stream -------------------------------------------------------------------------------------

audit = Router(tags=["audit"], auth=scoped(Scope.READ_AUDIT))

STREAM_DOC = {
    "responses": {
        200: {
            "description": "JSON Lines: one audit event a line (README: the audit stream). "
            "The X-Next-Cursor header is the `after` to ask with next.",
            "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
        }
    }
}


@audit.get("/audit/stream", response={**ERRORS}, openapi_extra=STREAM_DOC)
def audit_stream(
    request,
    after: int = Query(
        0, ge=0, le=2**62, description="The last cursor received (0: from the start)."
    ),
    limit: int = Query(1000, ge=1, le=stream.MAX_LIMIT),
):
    """Audit events after `after`, oldest first, each with its hash and the previous hash."""
    if not request.user.has_perm("accounts.view_audit_trail"):
        raise AuthorizationError(message="The client's owner may not read the audit trail.")
    text, cursor = stream.lines(after, limit)
    response = HttpResponse(text, content_type="application/x-ndjson")
    response["X-Next-Cursor"] = str(cursor)
    return response


for router in (register, cases, feeds, incidents, reports, audit):
    api.add_router("", router)


@api.exception_handler(ValidationError)
def invalid(request, exc):
    problems = [
        {
            "line": None,
            "message": f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', 'invalid')}",
        }
        for e in exc.errors
    ]
    return api.create_response(
        request, {"detail": "The request is not valid.", "errors": problems}, status=422
    )
