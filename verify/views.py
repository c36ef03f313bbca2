"""Public pages: no sign-in, nothing that is not already public."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from accounts.models import SocialAccount
from verify.selectors import COMPROMISED, OFFICIAL, Verdict, public_accounts, verdict

PLATFORMS = dict(SocialAccount.Platform.choices)
PAGE_SIZE = 50
JSON_PAGE_SIZE = 500  # the list as JSON: a page a client walks through with `next`


# How the public page says who runs a shared account, naming no one.
RUN_BY = {
    SocialAccount.Kind.TEAM: "Team account",
    SocialAccount.Kind.UNIT: "Unit account",
    SocialAccount.Kind.CENTRAL: "Central account",
}


def _public(row: dict) -> dict:
    return {
        "platform": row["platform"],
        "platform_name": PLATFORMS.get(row["platform"], row["platform"]),
        "handle": row["handle"],
        "display_name": row["display_name"],
        "unit": row["unit__name"],
        "kind": row["kind"],
        "run_by": RUN_BY.get(row["kind"], ""),
        "compromised": row["status"] == SocialAccount.Status.COMPROMISED,
        # Suspended or paused by the force (a critical incident): official, but not posting or
        # answering for now. Why is never public.
        "paused": bool(row.get("paused")),
    }


def _verdict_json(answer: Verdict) -> dict:
    body = {
        "handle": answer.handle,
        "status": answer.status,
        # Official: the force's account, compromised or not (then: do not trust recent posts).
        "official": answer.status in (OFFICIAL, COMPROMISED),
        "compromised": answer.status == COMPROMISED,
        "paused": answer.paused,
        "accounts": [_public(r) for r in answer.accounts],
    }
    if answer.since:
        body["since"] = answer.since.isoformat()
    if answer.reason:
        body["reason"] = answer.reason
    if answer.now_handle:
        body["now"] = {"platform": answer.now_platform, "handle": answer.now_handle}
    return body


@require_GET
@cache_control(public=True, max_age=300)
def verify_page(request):
    """One handle, looked up with one indexed query; the list of every account is a page of its
    own (`accounts`)."""
    query = request.GET.get("handle", "").strip()[:60]
    platform = request.GET.get("platform", "")
    if platform not in PLATFORMS:
        platform = ""
    answer = verdict(query, platform or None) if query.lstrip("@") else None
    return render(
        request,
        "verify/verify.html",
        {
            "query": query.lstrip("@"),
            "platform": platform,
            "platforms": SocialAccount.Platform.choices,
            "answer": answer,
            "matches": [_public(r) for r in answer.accounts] if answer else None,
            "now_platform_name": PLATFORMS.get(answer.now_platform, "") if answer else "",
        },
    )


@require_GET
@cache_control(public=True, max_age=300)
def accounts_page(request):
    page = Paginator(public_accounts(), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [_public(r) for r in page.object_list]
    return render(request, "verify/accounts.html", {"page": page})


def _accounts_json_page(request) -> dict:
    """One page of the register's public list (`?page=N`, from 1), with the total and the
    address of the next page (`null` on the last): a page never holds the whole register."""
    paginator = Paginator(public_accounts(), JSON_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    following = None
    if page.has_next():
        following = request.build_absolute_uri(
            f"{request.path}?{urlencode({'page': page.next_page_number()})}"
        )
    return {
        "count": paginator.count,
        "page": page.number,
        "pages": paginator.num_pages,
        "next": following,
        "accounts": [_public(r) for r in page.object_list],
    }


@require_GET
@cache_control(public=True, max_age=300)
def accounts_json(request):
    handle = request.GET.get("handle", "").strip()[:60]
    platform = request.GET.get("platform", "")
    if platform not in PLATFORMS:
        platform = ""
    body = {"generated_at": timezone.now().isoformat()}
    if handle.lstrip("@"):
        body.update(_verdict_json(verdict(handle, platform or None)))
    else:
        body.update(_accounts_json_page(request))
    response = JsonResponse(body)
    response["Access-Control-Allow-Origin"] = "*"
    return response
