"""Thin views: bind the form, fetch the case through the permission-filtered selector (another
person's case is a 404), check the rule, call one service, add a message, redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from approvals import selectors, services
from approvals.forms import (
    BusinessCaseForm,
    DecisionForm,
    DelegationForm,
    PolicyAcknowledgeForm,
    PolicyVersionForm,
    SetupChecklistForm,
    SubmitCaseForm,
)
from approvals.models import CaseState, Decision, SetupChecklist
from approvals.rules import is_applicant
from audit.selectors import history_for
from core.errors import DomainError
from core.page_cache import page_cache
from core.views import run_service
from people import services as people_services
from people.predicates import officer_of
from people.selectors import training_gap


def _case_or_404(request, pk):
    return get_object_or_404(selectors.cases_visible_to(request.user), pk=pk)


def _page(request, qs, per_page=25):
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


def _queue_page(request, qs):
    """A page of a case list (approvals/case_list.html): joined only to what its rows show, the
    applicant and the unit (each further join cost PostgreSQL planning time: 4 ms to plan a
    query that runs in 1)."""
    return _page(request, qs.select_related(None).select_related("applicant", "unit"))


@login_required
@page_cache
def my_cases(request):
    return render(
        request,
        "approvals/case_list.html",
        {
            "title": "My business cases",
            "page": _queue_page(request, selectors.my_cases(request.user)),
            "show_applicant": False,
            "empty": "You have not written a business case yet.",
            "can_add": request.user.has_perm("approvals.add_businesscase"),
        },
    )


@permission_required("approvals.view_supervisor_queue", raise_exception=True)
@page_cache
def supervisor_queue(request):
    return render(
        request,
        "approvals/case_list.html",
        {
            "title": "Cases waiting for you as supervisor",
            "page": _queue_page(request, selectors.cases_waiting_for_supervisor(request.user)),
            "show_applicant": True,
            "show_age": True,
            "empty": "No case from your team is waiting for your decision.",
        },
    )


@permission_required("approvals.view_press_office_queue", raise_exception=True)
@page_cache
def press_office_queue(request):
    return render(
        request,
        "approvals/case_list.html",
        {
            "title": "Cases waiting for the press office",
            "page": _queue_page(request, selectors.cases_waiting_for_press_office()),
            "show_applicant": True,
            "show_age": True,
            "empty": "No case is waiting for the press office.",
        },
    )


@permission_required("approvals.add_businesscase", raise_exception=True)
def case_create(request):
    me = officer_of(request.user)
    form = BusinessCaseForm(request.POST or None, applicant=me)
    if request.method == "POST" and form.is_valid():
        case = services.business_case_create(actor=request.user, data=form.cleaned_data)
        messages.success(request, "Your business case is saved as a draft.")
        return redirect("approvals:detail", pk=case.pk)
    return render(request, "approvals/case_form.html", {"form": form, "case": None})


@login_required
def case_edit(request, pk):
    case = _case_or_404(request, pk)
    if not is_applicant(request.user, case):
        raise PermissionDenied
    if not request.user.has_perm("approvals.change_businesscase", case):
        messages.error(request, "A case can be changed only as a draft or after it was returned.")
        return redirect("approvals:detail", pk=case.pk)
    form = BusinessCaseForm(request.POST or None, instance=case, applicant=case.applicant)
    if request.method == "POST" and form.is_valid():
        try:
            services.business_case_update(
                actor=request.user, case_id=case.pk, data=form.cleaned_data
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                "Your changes are saved. Resubmit the case when it is ready."
                if case.state == CaseState.RETURNED
                else "Your changes are saved.",
            )
        return redirect("approvals:detail", pk=case.pk)
    return render(
        request,
        "approvals/case_form.html",
        {"form": form, "case": case, "returned": selectors.last_return(case)},
    )


def _detail_context(request, case, decision_form=None, checklist_form=None):
    user = request.user
    stage = case.decision_stage
    may_decide = (
        stage == Decision.Stage.SUPERVISOR and user.has_perm("approvals.decide_as_supervisor", case)
    ) or (
        stage == Decision.Stage.PRESS_OFFICE
        and user.has_perm("approvals.decide_as_press_office", case)
    )
    if may_decide and decision_form is None:
        decision_form = DecisionForm(stage=stage, initial={"version": case.version})
    checklist = SetupChecklist.objects.filter(case=case).first()
    may_fill_checklist = (
        checklist is not None
        and case.state == CaseState.SIGNED_OFF
        and checklist.completed_at is None
        and user.has_perm("approvals.complete_setup", case)
    )
    if may_fill_checklist and checklist_form is None:
        checklist_form = SetupChecklistForm(checklist=checklist)
    return {
        "case": case,
        # Before the supervisor approves: what the applicant still lacks, for both to see.
        "training_gap": training_gap(case.applicant)
        if stage == Decision.Stage.SUPERVISOR or case.is_editable
        else None,
        "decisions": selectors.decisions_for(case),
        "history": history_for(case),
        "stage": stage,
        "decision_form": decision_form if may_decide else None,
        "checklist": checklist,
        "checklist_form": checklist_form if may_fill_checklist else None,
        "may_confirm_setup": checklist is not None
        and checklist.completed_at is not None
        and case.state == CaseState.SIGNED_OFF
        and user.has_perm("approvals.confirm_setup", case),
        "may_edit": user.has_perm("approvals.change_businesscase", case),
        "may_see_account": case.account_id is not None
        and user.has_perm("accounts.view_socialaccount", case.account),
        "may_lodge": case.account_id is not None
        and case.state == CaseState.SIGNED_OFF
        and user.has_perm("custody.lodge_credential", case.account),
        "may_submit": case.is_editable and user.has_perm("approvals.submit_businesscase", case),
        "may_withdraw": case.state in {CaseState.DRAFT, CaseState.SUBMITTED, CaseState.RETURNED}
        and user.has_perm("approvals.withdraw_businesscase", case),
    }


@login_required
@page_cache
def case_detail(request, pk):
    case = _case_or_404(request, pk)
    return render(request, "approvals/case_detail.html", _detail_context(request, case))


@login_required
def case_submit(request, pk):
    case = _case_or_404(request, pk)
    if not request.user.has_perm("approvals.submit_businesscase", case):
        raise PermissionDenied
    policy = selectors.current_policy()
    # Read already (a case returned and resubmitted, or a second case): the policy has not
    # changed, so the boxes are not ticked again; the page says when they were.
    acknowledged = selectors.acknowledgement_of(case.applicant, policy)
    form = SubmitCaseForm(
        request.POST or None,
        initial={"policy": policy.pk if policy else None},
        acknowledged=acknowledged,
        resubmission=case.state == CaseState.RETURNED,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.business_case_submit(
                actor=request.user,
                case_id=case.pk,
                policy_id=form.cleaned_data["policy"],
                personal_use_read=form.cleaned_data.get("read_personal_use", False),
            )
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect("approvals:detail", pk=case.pk)
        messages.success(request, "Your case is with your supervisor. You will hear by e-mail.")
        return redirect("approvals:detail", pk=case.pk)
    return render(
        request,
        "approvals/case_submit.html",
        {"case": case, "form": form, "policy": policy, "acknowledged": acknowledged},
    )


@login_required
@require_POST
def case_withdraw(request, pk):
    case = _case_or_404(request, pk)
    return run_service(
        request,
        lambda: services.business_case_withdraw(
            actor=request.user, case_id=case.pk, reason=request.POST.get("reason", "")[:500]
        ),
        success="The case is withdrawn.",
        then=reverse("approvals:detail", args=[case.pk]),
    )


@login_required
@require_POST
def case_decide(request, pk):
    case = _case_or_404(request, pk)
    lost = services.decision_race_lost(actor=request.user, case=case)
    if lost:
        messages.error(request, lost)
        return redirect("approvals:detail", pk=case.pk)
    stage = case.decision_stage
    form = DecisionForm(request.POST, stage=stage)
    if not form.is_valid():
        if stage is None:
            messages.error(request, "This case is not waiting for a decision.")
            return redirect("approvals:detail", pk=case.pk)
        context = _detail_context(request, case, decision_form=form)
        if context["decision_form"] is None:
            raise PermissionDenied
        return render(request, "approvals/case_detail.html", context)
    try:
        decision = services.business_case_decide(
            actor=request.user,
            case_id=case.pk,
            outcome=form.cleaned_data["outcome"],
            comment=form.cleaned_data["comment"],
            expected_version=form.cleaned_data["version"],
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Decision recorded: {decision.get_outcome_display().lower()}.")
    return redirect("approvals:detail", pk=case.pk)


@login_required
@require_POST
def case_setup(request, pk):
    case = _case_or_404(request, pk)
    checklist = get_object_or_404(SetupChecklist, case=case)
    form = SetupChecklistForm(request.POST, checklist=checklist)
    form.is_valid()  # every item is optional
    done = "done" in request.POST
    return run_service(
        request,
        lambda: services.setup_checklist_update(
            actor=request.user, case_id=case.pk, ticked=form.ticked(), done=done
        ),
        success="The press office has been asked to confirm the set-up."
        if done
        else "Progress saved.",
        then=reverse("approvals:detail", args=[case.pk]),
    )


@login_required
@require_POST
def case_setup_confirm(request, pk):
    case = _case_or_404(request, pk)
    try:
        account = services.setup_confirm(actor=request.user, case_id=case.pk)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"@{account.handle} is now active.")
    return redirect("approvals:detail", pk=case.pk)


@login_required
def policy(request):
    current = selectors.current_policy()
    me = officer_of(request.user)
    may_acknowledge = me is not None and request.user.has_perm("approvals.acknowledge_policy")
    if request.method == "POST" and not may_acknowledge:
        raise PermissionDenied  # everyone reads the policy; only an officer accepts it
    form = PolicyAcknowledgeForm(
        request.POST or None, initial={"policy": current.pk if current else None}
    )
    if request.method == "POST" and current is not None and form.is_valid():
        if form.cleaned_data["policy"] != current.pk:
            messages.error(request, "A newer version has been published; read it and accept it.")
            return redirect("approvals:policy")
        services.policy_acknowledge(
            actor=request.user,
            policy_id=current.pk,
            personal_use_read=form.cleaned_data["read_personal_use"],
        )
        messages.success(request, f"You have accepted {current}.")
        return redirect("approvals:policy")
    return render(
        request,
        "approvals/policy.html",
        {
            "policy": current,
            "form": form,
            "acknowledged": selectors.has_acknowledged(me, current),
            "may_acknowledge": may_acknowledge,
        },
    )


@permission_required("approvals.publish_policy", raise_exception=True)
def policy_publish(request):
    form = PolicyVersionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        published = services.policy_publish(actor=request.user, **form.cleaned_data)
        messages.success(request, f"{published} is published; account owners have been asked.")
        return redirect("approvals:policy_outstanding")
    return render(request, "approvals/policy_publish.html", {"form": form})


@permission_required("approvals.view_policy_outstanding", raise_exception=True)
def policy_outstanding(request):
    current = selectors.current_policy()
    owners = selectors.owners_yet_to_acknowledge(current)
    return render(
        request,
        "approvals/policy_outstanding.html",
        {"policy": current, "page": _page(request, owners, 50)},
    )


@permission_required("people.create_delegation", raise_exception=True)
def delegations(request):
    me = officer_of(request.user)
    form = DelegationForm(request.POST or None, me=me)
    if request.method == "POST" and form.is_valid():
        try:
            people_services.delegation_create(
                actor=request.user, **form.cleaned_data, link=reverse("approvals:supervisor_queue")
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{form.cleaned_data['acting'].full_name} will act for you.")
            return redirect("approvals:delegations")
    return render(
        request,
        "approvals/delegations.html",
        {
            "form": form,
            "given": selectors.delegations_given_by(request.user),
            "held": selectors.delegations_held_by(request.user),
        },
    )


@login_required
@require_POST
def delegation_revoke(request, pk):
    delegation = get_object_or_404(selectors.delegations_given_by(request.user), pk=pk)
    return run_service(
        request,
        lambda: people_services.delegation_revoke(actor=request.user, delegation_id=delegation.pk),
        success="The delegation has ended.",
        then="approvals:delegations",
    )
