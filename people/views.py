"""The Roles pages, for administrators: who holds which role; giving a role or taking it away,
with a reason; and the requests for Press office and Administrator that wait for a second
administrator. Thin: bind the form, check the rule, call one service, add a message, redirect."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from audit.selectors import history_for
from core.errors import DomainError
from people import selectors, services
from people.forms import RoleChangeForm, RoleDecisionForm, RoleSearchForm
from people.models import Officer, RoleGrantRequest
from people.roles import Role


@login_required
@permission_required("people.manage_roles", raise_exception=True)
def roles(request):
    form = RoleSearchForm(request.GET or None)
    filters = form.filters()
    people = selectors.people_with_roles(**filters)
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "people/roles.html",
        {
            "form": form,
            "page": page,
            "filtered": any(filters.values()),
            "querystring_base": urlencode({k: v for k, v in request.GET.items() if k != "page"}),
            "waiting": selectors.role_requests_waiting_for(request.user).count(),
        },
    )


def _changed(person: str, role: str, action: str, request_made) -> str:
    if request_made is not None:
        return (
            f"Your request to give {person} the {role} role is recorded. A second administrator"
            " must approve it before it takes effect."
        )
    if action == "grant":
        return f"{person} now holds the {role} role."
    return f"{person} no longer holds the {role} role."


@login_required
@permission_required("people.manage_roles", raise_exception=True)
def person_roles(request, pk):
    officer = get_object_or_404(Officer.objects.select_related("user", "unit"), pk=pk)
    user = officer.user
    may_change = request.user.has_perm("people.change_roles_of", user)
    if request.method == "POST" and not may_change:
        raise PermissionDenied("Nobody changes their own roles.")
    form = RoleChangeForm(request.POST or None) if may_change else None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        change = services.role_grant if data["action"] == "grant" else services.role_revoke
        try:
            made = change(
                actor=request.user, user_id=user.pk, role=data["role"], reason=data["reason"]
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _changed(officer.full_name, Role(data["role"]).label, data["action"], made)
            )
            return redirect("people:person_roles", pk=officer.pk)
    return render(
        request,
        "people/person_roles.html",
        {
            "officer": officer,
            "person": user,
            "roles": selectors.roles_of(user),
            "form": form,
            "waiting": selectors.role_requests_waiting().filter(user=user),
            "history": [e for e in history_for(user) if e.action.startswith("role.")],
        },
        status=400 if form is not None and form.errors else 200,
    )


def _requests_page(request, bound=None, status=200):
    """The waiting requests, each with a decision form when this administrator may decide it
    (`bound` is a form posted back with errors), and the latest decided ones."""
    waiting = []
    for grant in selectors.role_requests_waiting():
        form = None
        if request.user.has_perm("people.decide_role_grant", grant):
            posted = bound is not None and bound.grant_id == grant.pk
            form = bound if posted else RoleDecisionForm(request_id=grant.pk)
        waiting.append(
            {
                "request": grant,
                "person": selectors.person_label(grant.user),
                "by": selectors.person_label(grant.requested_by),
                "form": form,
            }
        )
    decided = [
        {
            "request": grant,
            "person": selectors.person_label(grant.user),
            "by": selectors.person_label(grant.decision.decided_by),
        }
        for grant in selectors.role_requests_decided()
    ]
    return render(
        request,
        "people/role_requests.html",
        {"waiting": waiting, "decided": decided},
        status=status,
    )


@login_required
@permission_required("people.manage_roles", raise_exception=True)
def role_requests(request):
    return _requests_page(request)


@require_POST
@login_required
@permission_required("people.manage_roles", raise_exception=True)
def role_request_decide(request, pk):
    grant = get_object_or_404(RoleGrantRequest, pk=pk)
    if not request.user.has_perm("people.decide_role_grant", grant):
        raise PermissionDenied(services.DECIDE_DENIED)
    form = RoleDecisionForm(request.POST, request_id=grant.pk)
    if not form.is_valid():
        return _requests_page(request, bound=form, status=400)
    data = form.cleaned_data
    person = selectors.person_label(grant.user)
    try:
        if data["outcome"] == "approve":
            services.role_grant_approve(
                actor=request.user, request_id=grant.pk, comment=data["comment"]
            )
            messages.success(request, f"{person} now holds the {grant.get_role_display()} role.")
        else:
            services.role_grant_refuse(
                actor=request.user, request_id=grant.pk, comment=data["comment"]
            )
            messages.success(request, f"The request for {person} is refused; nothing changed.")
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("people:role_requests")
