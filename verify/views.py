"""Public pages: no sign-in, nothing that is not already public."""

from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from accounts.models import SocialAccount
from verify.selectors import lookup, public_accounts

PLATFORMS = dict(SocialAccount.Platform.choices)
PAGE_SIZE = 50


def _public(row: dict) -> dict:
    return {
        "platform": row["platform"],
        "platform_name": PLATFORMS.get(row["platform"], row["platform"]),
        "handle": row["handle"],
        "display_name": row["display_name"],
        "unit": row["unit__name"],
    }


@require_GET
@cache_control(public=True, max_age=300)
def verify_page(request):
    """One handle, looked up with one indexed query; the list of every account is a page of its
    own (`accounts`)."""
    query = request.GET.get("handle", "").strip()[:60]
    platform = request.GET.get("platform", "")
    if platform not in PLATFORMS:
        platform = ""
    matches = [_public(r) for r in lookup(query, platform or None)] if query else None
    return render(
        request,
        "verify/verify.html",
        {
            "query": query.lstrip("@"),
            "platform": platform,
            "platforms": SocialAccount.Platform.choices,
            "matches": matches,
        },
    )


@require_GET
@cache_control(public=True, max_age=300)
def accounts_page(request):
    page = Paginator(public_accounts(), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [_public(r) for r in page.object_list]
    return render(request, "verify/accounts.html", {"page": page})


@require_GET
@cache_control(public=True, max_age=300)
def accounts_json(request):
    handle = request.GET.get("handle", "").strip()[:60]
    platform = request.GET.get("platform", "")
    rows = lookup(handle, platform or None) if handle else public_accounts()
    body = {
        "generated_at": timezone.now().isoformat(),
        "accounts": [_public(r) for r in rows],
    }
    if handle:
        body["handle"] = handle.lstrip("@")
        body["official"] = bool(body["accounts"])
    response = JsonResponse(body)
    response["Access-Control-Allow-Origin"] = "*"
    return response
