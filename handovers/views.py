"""Thin views: bind the form, fetch the object through a permission-filtered selector (another
person's handover is a 404), check the rule, call one service, add a message, redirect."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from accounts.selectors import social_accounts_visible_to
from audit.selectors import history_for
from core.errors import DomainError
from core.page_cache import page_cache
from core.views import run_service
from handovers import selectors, services
from handovers.forms import (
    CompleteForm,
    DecideForm,
    HRImportForm,
    MarkOfficerForm,
    OwnerRespondForm,
    RespondForm,
    StartForm,
)
from handovers.models import Kind, State
from people.predicates import is_officer, is_press_office, sees_everything

PAGE_SIZE = 50


def _transition_or_404(request, pk):
    return get_object_or_404(selectors.transitions_visible_to(request.user), pk=pk)


def _shown(queryset, *related):
    """A queue joined to what its table shows and no more: every further join costs PostgreSQL
    planning time on each page drawn from the database."""
    return queryset.select_related(None).select_related(*related)


@login_required
@page_cache
def queues(request):
    user = request.user
    row = ("owner", "successor", "target")  # handovers/_table.html
    editor_row = ("account__owner", "officer")  # handovers/_editor_queues.html
    return render(
        request,
        "handovers/queues.html",
        {
            "for_successor": _shown(selectors.waiting_for_successor(user), *row),
            "for_owner": _shown(selectors.waiting_for_owner(user), *row),
            "for_supervisor": _shown(selectors.waiting_for_supervisor(user), *row),
            "for_press_office": _shown(selectors.waiting_for_press_office(), *row)
            if user.has_perm("handovers.view_press_office_queue")
            else None,
            "mine": _shown(selectors.mine(user), *row)[:50],
            "orphans": selectors.orphans_visible_to(user).exclude(owner__user=user)[:200],
            "editor_queues": [
                (
                    list(_shown(selectors.editors_waiting_for(user), *editor_row)[:200]),
                    "Editors waiting for you",
                ),
                (
                    list(_shown(selectors.editorships_to_accept(user), *editor_row)[:50]),
                    "Accounts you are to edit: accept the policy",
                ),
            ],
        },
    )


@login_required
def start(request, account_pk):
    account = get_object_or_404(social_accounts_visible_to(request.user), pk=account_pk)
    if not request.user.has_perm("handovers.start_transition", account):
        raise PermissionDenied
    initial = {"kind": request.GET.get("kind")} if request.GET.get("kind") in Kind.values else {}
    if request.GET.get("target", "").isdigit():
        initial["target"] = int(request.GET["target"])
    form = StartForm(request.POST or None, account=account, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            transition = services.transition_start(
                actor=request.user,
                account_id=account.pk,
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
                successor=form.cleaned_data["successor"],
                new_purpose=form.cleaned_data["new_purpose"],
                target=form.cleaned_data.get("target"),
            )
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect("accounts:detail", pk=account.pk)
        messages.success(request, f"{transition.get_kind_display()} started.")
        return redirect("handovers:detail", pk=transition.pk)
    return render(request, "handovers/start.html", {"account": account, "form": form})


def _detail_context(request, transition, **forms):
    user = request.user
    state = transition.state
    may_respond = state == State.AWAITING_SUCCESSOR and user.has_perm(
        "handovers.respond_as_successor", transition
    )
    may_agree = state == State.AWAITING_OWNER and user.has_perm(
        "handovers.respond_as_owner", transition
    )
    may_decide = state == State.AWAITING_SUPERVISOR and user.has_perm(
        "handovers.decide_as_supervisor", transition
    )
    may_complete = state == State.AWAITING_PRESS_OFFICE and user.has_perm(
        "handovers.complete_transition", transition
    )
    initial = {"version": transition.version}
    suggestions = (
        selectors.handle_suggestions_for_successor(transition)
        if may_complete and transition.kind == Kind.HANDOVER
        else []
    )
    account = transition.account
    return {
        "transition": transition,
        "account": account,
        "decisions": transition.decisions.select_related("decided_by"),
        "checklist": getattr(transition, "checklist", None),
        "history": history_for(transition),
        "farewell": services.farewell_draft(transition, suggestions[0] if suggestions else ""),
        "credentials_fresh": services.credentials_fresh_for(transition, account),
        "respond_form": (forms.get("respond_form") or RespondForm(initial=initial))
        if may_respond
        else (forms.get("respond_form") or OwnerRespondForm(initial=initial))
        if may_agree
        else None,
        "decide_form": (forms.get("decide_form") or DecideForm(initial=initial))
        if may_decide
        else None,
        "complete_form": (
            forms.get("complete_form")
            or CompleteForm(initial=initial, transition=transition, suggestions=suggestions)
        )
        if may_complete
        else None,
        "may_refuse": may_complete,
        "may_lodge": user.has_perm("custody.lodge_credential", account),
        "may_withdraw": state
        in (State.AWAITING_OWNER, State.AWAITING_SUCCESSOR, State.AWAITING_SUPERVISOR)
        and user.has_perm("handovers.withdraw_transition", transition),
    }


@login_required
@page_cache
def detail(request, pk):
    transition = _transition_or_404(request, pk)
    return render(request, "handovers/detail.html", _detail_context(request, transition))


def _run(request, transition, call, success: str):
    return run_service(
        request,
        call,
        success=success,
        then=reverse("handovers:detail", args=[transition.pk]),
    )


@login_required
@require_POST
def respond(request, pk):
    transition = _transition_or_404(request, pk)
    if transition.kind == Kind.CONSOLIDATION:
        return _owner_respond(request, transition)
    if not request.user.has_perm("handovers.respond_as_successor", transition):
        raise PermissionDenied
    form = RespondForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, transition, respond_form=form)
        return render(request, "handovers/detail.html", context, status=400)
    accept = form.cleaned_data["answer"] == "accept"
    return _run(
        request,
        transition,
        lambda: services.handover_respond(
            actor=request.user,
            transition_id=transition.pk,
            accept=accept,
            comment=form.cleaned_data["comment"],
            expected_version=form.cleaned_data["version"],
        ),
        "You have accepted the account." if accept else "You have declined; the owner is told.",
    )


def _owner_respond(request, transition):
    """The owner's answer to a consolidation (the same address as a successor's answer)."""
    if not request.user.has_perm("handovers.respond_as_owner", transition):
        raise PermissionDenied
    form = OwnerRespondForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, transition, respond_form=form)
        return render(request, "handovers/detail.html", context, status=400)
    agree = form.cleaned_data["answer"] == "agree"
    return _run(
        request,
        transition,
        lambda: services.consolidation_respond(
            actor=request.user,
            transition_id=transition.pk,
            agree=agree,
            comment=form.cleaned_data["comment"],
            expected_version=form.cleaned_data["version"],
        ),
        "You have agreed; your supervisor decides next."
        if agree
        else "You have declined; the account stays yours.",
    )


@login_required
@require_POST
def decide(request, pk):
    transition = _transition_or_404(request, pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, transition, decide_form=form)
        if context["decide_form"] is None and not context["may_refuse"]:
            raise PermissionDenied
        return render(request, "handovers/detail.html", context, status=400)
    return _run(
        request,
        transition,
        lambda: services.transition_decide(
            actor=request.user,
            transition_id=transition.pk,
            approve=form.cleaned_data["outcome"] == "approved",
            comment=form.cleaned_data["comment"],
            expected_version=form.cleaned_data["version"],
        ),
        "Decision recorded.",
    )


@login_required
@require_POST
def complete(request, pk):
    transition = _transition_or_404(request, pk)
    if not request.user.has_perm("handovers.complete_transition", transition):
        raise PermissionDenied
    form = CompleteForm(request.POST, transition=transition)
    if not form.is_valid():
        context = _detail_context(request, transition, complete_form=form)
        return render(request, "handovers/detail.html", context, status=400)
    data, version = form.cleaned_data, form.cleaned_data["version"]
    if transition.kind == Kind.HANDOVER:

        def call():
            services.handover_complete(
                actor=request.user,
                transition_id=transition.pk,
                ticked=form.ticked(),
                new_handle=data["new_handle"],
                new_display_name=data["new_display_name"],
                expected_version=version,
            )
    elif transition.kind == Kind.CONSOLIDATION:

        def call():
            services.consolidation_complete(
                actor=request.user,
                transition_id=transition.pk,
                ticked=form.ticked(),
                deactivated_on=data["deactivated_on"],
                expected_version=version,
            )
    elif transition.kind == Kind.CLOSURE:

        def call():
            services.closure_complete(
                actor=request.user,
                transition_id=transition.pk,
                ticked=form.ticked(),
                deactivated_on=data["deactivated_on"],
                expected_version=version,
            )
    else:

        def call():
            services.repurpose_complete(
                actor=request.user, transition_id=transition.pk, expected_version=version
            )

    # A refusal (new login details missing, a change meanwhile) shows the form again with what
    # was ticked and typed still there, and says why at the top: nothing to tick twice.
    try:
        call()
    except DomainError as exc:
        form.add_error(None, str(exc))
        context = _detail_context(request, transition, complete_form=form)
        return render(request, "handovers/detail.html", context, status=400)
    messages.success(request, "Completed.")
    return redirect("handovers:detail", pk=transition.pk)


@login_required
@require_POST
def withdraw(request, pk):
    transition = _transition_or_404(request, pk)
    return _run(
        request,
        transition,
        lambda: services.transition_withdraw(
            actor=request.user,
            transition_id=transition.pk,
            reason=request.POST.get("reason", "")[:500],
        ),
        "Withdrawn; the account is active again.",
    )


@permission_required("handovers.view_consolidation_proposals", raise_exception=True)
@page_cache
def consolidations(request):
    """Accounts the portal proposes folding into their unit's account, with the evidence (last
    post, followers, the account to fold into), quietest first, a page at a time."""
    proposals = selectors.consolidation_proposals(request.user)
    page = Paginator(proposals.accounts, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = proposals.rows(page.object_list)
    return render(
        request,
        "handovers/consolidations.html",
        {
            "page": page,
            "querystring_base": "",
            "quiet_days": settings.CONSOLIDATION_QUIET_DAYS,
            "few_followers": settings.CONSOLIDATION_FEW_FOLLOWERS,
            "dormant_after": settings.DORMANT_AFTER,
            # Every row is an active account of the press office's force or of the supervisor's
            # team, so who may propose it is the same for every row (no rule asked per row).
            "may_start": is_press_office.test(request.user)
            or (not sees_everything(request.user) and is_officer.test(request.user)),
        },
    )


@permission_required("people.change_officer_status", raise_exception=True)
def leavers(request):
    mark_form = MarkOfficerForm(request.POST if "mark" in request.POST else None)
    import_form = HRImportForm(
        request.POST if "import" in request.POST else None,
        request.FILES if "import" in request.POST else None,
    )
    report = None
    if request.method == "POST" and "mark" in request.POST and mark_form.is_valid():
        data = mark_form.cleaned_data
        try:
            officer, accounts = services.officer_mark_and_orphan(
                actor=request.user,
                officer_id=data["officer"].pk,
                status=data["status"],
                on=data["on"],
                reason=data["reason"],
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                f"{officer.full_name} is marked as {officer.get_status_display().lower()};"
                f" {len(accounts)} account(s) orphaned and handovers proposed to the supervisor.",
            )
            return redirect("handovers:leavers")
    if request.method == "POST" and "import" in request.POST and import_form.is_valid():
        report = services.leavers_import_and_orphan(
            actor=request.user, content=import_form.cleaned_data["file"]
        )
        if report.ok:
            messages.success(request, f"{len(report.rows)} officer(s) marked from the HR file.")
        else:
            messages.error(request, "Nothing was imported: correct the lines below and try again.")
    return render(
        request,
        "handovers/leavers.html",
        {"mark_form": mark_form, "import_form": import_form, "report": report},
        status=400 if report is not None and not report.ok else 200,
    )
