"""The account register's pages. Thin: bind the form, fetch through a permission-filtered
selector (another team's account is a 404), check the rule, call one service, redirect."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from accounts.forms import CheckInForm, ImportForm, RegisterFilterForm, SocialAccountRegisterForm
from accounts.models import AccountEditor, Dormancy, ImportJob, ProfileCheck, SocialAccount
from accounts.platforms import adapter_state
from accounts.selectors import (
    editorships_of_account,
    filter_register,
    import_jobs_visible_to,
    observations_for,
    social_accounts_visible_to,
    with_editor_count,
)
from accounts.services import (
    IMPORT_PERMISSION,
    RegisterError,
    import_job_start,
    social_account_check_in,
    social_account_register,
)
from audit.selectors import history_for
from core.csv_safe import csv_response
from core.page_cache import page_cache
from people.predicates import officer_of

PAGE_SIZE = 50
SORTABLE_COLUMNS = [
    ("handle", "Account"),
    ("owner", "Owner"),
    ("unit", "Unit"),
    ("status", "Status"),
    ("last_post", "Last post"),
]


def _filtered(request):
    form = RegisterFilterForm(request.GET or None)
    filters = form.filters()
    qs = filter_register(social_accounts_visible_to(request.user), **filters)
    return form, filters, with_editor_count(qs)


def _querystring(filters: dict) -> str:
    return urlencode({k: getattr(v, "pk", v) for k, v in filters.items()})


@permission_required("accounts.list_socialaccounts", raise_exception=True)
@page_cache
def register_list(request):
    form, filters, accounts = _filtered(request)
    # The rows show the owner's name and the unit, not the owner's user: no join for it.
    accounts = accounts.select_related(None).select_related("owner", "unit")
    page = Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for account in page.object_list:
        account.dormancy_level = Dormancy.of(account.last_post_at, now)
    current = filters.get("sort", "handle")
    unsorted = _querystring({k: v for k, v in filters.items() if k != "sort"})
    columns = []
    for key, label in SORTABLE_COLUMNS:
        ascending = current == key
        descending = current == f"-{key}"
        columns.append(
            {
                "label": label,
                "aria_sort": "ascending" if ascending else "descending" if descending else "none",
                "url": "?"
                + "&".join(p for p in (unsorted, f"sort={'-' if ascending else ''}{key}") if p),
            }
        )
    return render(
        request,
        "accounts/register_list.html",
        {
            "form": form,
            "page": page,
            "filters": filters,
            "querystring_base": _querystring(filters),
            "columns": columns,
            "export_query": _querystring(filters),
        },
    )


@permission_required("accounts.export_socialaccounts", raise_exception=True)
def register_export(request):
    _form, _filters, accounts = _filtered(request)
    bounds = Dormancy.bounds(timezone.now())
    platforms, kinds, statuses = (
        dict(SocialAccount._meta.get_field(name).flatchoices)
        for name in ("platform", "kind", "status")
    )
    rows = (
        (
            platforms.get(a.platform, a.platform),
            a.handle,
            a.display_name,
            kinds.get(a.kind, a.kind),
            a.owner.full_name,
            a.owner.staff_number,
            a.unit.name,
            statuses.get(a.status, a.status),
            timezone.localtime(a.last_post_at).strftime("%Y-%m-%d %H:%M") if a.last_post_at else "",
            Dormancy.of(a.last_post_at, bounds=bounds).label,
            a.activated_on.isoformat() if a.activated_on else "",
            a.closed_on.isoformat() if a.closed_on else "",
            a.editor_count,
        )
        # Streamed from a server-side cursor; the owner's user is not needed here.
        for a in accounts.select_related(None)
        .select_related("owner", "unit")
        .iterator(chunk_size=2000)
    )
    return csv_response(
        f"account-register-{timezone.localdate():%Y-%m-%d}.csv",
        [
            "Platform",
            "Handle",
            "Display name",
            "Kind",
            "Owner",
            "Owner staff number",
            "Unit",
            "Status",
            "Last post",
            "Activity",
            "Started",
            "Closed",
            "Editors",
        ],
        rows,
    )


def _detail_context(request, account, check_in_form) -> dict:
    return {
        "account": account,
        "dormancy": Dormancy.of(account.last_post_at),
        "observations": observations_for(account),
        "history": history_for(account),
        "check_in_form": check_in_form,
        "adapter_state": adapter_state(account.platform),
        "profile_check": ProfileCheck.objects.filter(account=account).first(),
        **_editors_context(request, account),
    }


def _editors_context(request, account) -> dict:
    """The account's editors (a shared account) and the viewer's role on it."""
    editorships = list(editorships_of_account(account)[:50])
    active = [e for e in editorships if e.state == AccountEditor.State.ACTIVE]
    me = officer_of(request.user)
    role = ""
    if me is not None and account.owner_id == me.pk:
        role = "owner"
    elif me is not None and any(e.officer_id == me.pk for e in active):
        role = "editor"
    return {"editorships": editorships, "posters_count": 1 + len(active), "my_role": role}


@login_required
@page_cache
def account_detail(request, pk):
    account = get_object_or_404(
        social_accounts_visible_to(request.user).select_related("credential"), pk=pk
    )
    form = (
        CheckInForm() if request.user.has_perm("accounts.check_in_socialaccount", account) else None
    )
    return render(request, "accounts/account_detail.html", _detail_context(request, account, form))


@login_required
@require_POST
def account_check_in(request, pk):
    account = get_object_or_404(social_accounts_visible_to(request.user), pk=pk)
    if not request.user.has_perm("accounts.check_in_socialaccount", account):
        raise PermissionDenied
    form = CheckInForm(request.POST)
    if form.is_valid():
        try:
            social_account_check_in(
                actor=request.user,
                account=account,
                last_post_on=form.cleaned_data["last_post_on"],
                followers=form.cleaned_data["followers"],
            )
        except RegisterError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Activity recorded for @{account.handle}.")
            return redirect("accounts:detail", pk=account.pk)
    return render(
        request,
        "accounts/account_detail.html",
        _detail_context(request, account, form),
        status=400 if form.errors else 200,
    )


@permission_required("accounts.register_socialaccount", raise_exception=True)
def account_register(request):
    form = SocialAccountRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = social_account_register(
                actor=request.user,
                platform=data["platform"],
                handle=data["handle"],
                display_name=data["display_name"],
                kind=data["kind"],
                owner=form.owner,
                unit=data["unit"],
                status=data["status"],
                activated_on=data["activated_on"],
                reason=data["reason"],
            )
        except (RegisterError, ValidationError) as exc:
            messages.error(request, exc.messages[0] if hasattr(exc, "messages") else str(exc))
        else:
            messages.success(request, f"@{account.handle} is now in the register.")
            return redirect("accounts:detail", pk=account.pk)
    return render(request, "accounts/register_form.html", {"form": form})


@login_required
def import_upload(request, kind):
    if kind not in ImportJob.Kind.values:
        raise Http404("No such import.")
    if not request.user.has_perm(IMPORT_PERMISSION[kind]):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_start(
                actor=request.user,
                kind=kind,
                filename=form.cleaned_data["file"].name,
                content=form.raw,
                reason=form.cleaned_data.get("reason", ""),
            )
        except RegisterError as exc:
            messages.error(request, str(exc))
        else:
            return redirect("accounts:import_status", pk=job.pk)
    return render(
        request,
        "accounts/import_form.html",
        {"form": form, "kind": kind, "kind_label": ImportJob.Kind(kind).label},
    )


@permission_required("accounts.import_socialaccounts", raise_exception=True)
def import_list(request):
    page = Paginator(import_jobs_visible_to(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "accounts/import_list.html", {"page": page})


@login_required
def import_status(request, pk):
    job = get_object_or_404(import_jobs_visible_to(request.user), pk=pk)
    errors = job.errors[:500]
    return render(
        request,
        "accounts/import_status.html",
        {"job": job, "errors": errors, "more_errors": max(0, len(job.errors) - len(errors))},
    )
