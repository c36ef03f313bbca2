"""Thin views for the editors of shared accounts: fetch through a permission-filtered selector
(another team's editor is a 404), check the rule, call one service, add a message, redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.selectors import social_accounts_visible_to
from approvals.selectors import current_policy
from core.errors import DomainError
from handovers import editors as services
from handovers import selectors
from handovers.forms_editors import (
    EditorAcceptForm,
    EditorDecideForm,
    EditorRemoveForm,
    EditorRequestForm,
)
from people.selectors import training_gap


@login_required
def editor_request(request, account_pk):
    account = get_object_or_404(social_accounts_visible_to(request.user), pk=account_pk)
    if not request.user.has_perm("handovers.request_editor", account):
        raise PermissionDenied
    form = EditorRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            editorship = services.editor_request(
                actor=request.user,
                account_id=account.pk,
                officer_id=form.cleaned_data["officer"].pk,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            form.add_error("officer", str(exc))
        else:
            messages.success(
                request, f"Asked for {editorship.officer.full_name} to post to @{account.handle}."
            )
            return redirect("handovers:editor", pk=editorship.pk)
    return render(request, "handovers/editor_request.html", {"account": account, "form": form})


def _editor_page(request, editorship, status=200, **forms):
    user = request.user
    state = editorship.state
    may = {
        "decide": state == "requested" and user.has_perm("handovers.decide_editor", editorship),
        "accept": state == "approved" and user.has_perm("handovers.accept_editorship", editorship),
        "remove": editorship.current and user.has_perm("handovers.remove_editor", editorship),
    }
    context = {
        "editorship": editorship,
        "account": editorship.account,
        "gap": training_gap(editorship.officer) if editorship.current else None,
        "policy": current_policy() if may["accept"] else None,
        "decide_form": forms.get("decide") or (EditorDecideForm() if may["decide"] else None),
        "accept_form": forms.get("accept") or (EditorAcceptForm() if may["accept"] else None),
        "remove_form": forms.get("remove") or (EditorRemoveForm() if may["remove"] else None),
    }
    return render(request, "handovers/editor.html", context, status=status)


def _editorship_or_404(request, pk):
    return get_object_or_404(selectors.editorships_visible_to(request.user), pk=pk)


@login_required
def editor_detail(request, pk):
    return _editor_page(request, _editorship_or_404(request, pk))


def _post(request, pk, perm, form_class, key, call, success):
    editorship = _editorship_or_404(request, pk)
    if not request.user.has_perm(perm, editorship):
        raise PermissionDenied
    form = form_class(request.POST)
    if not form.is_valid():
        return _editor_page(request, editorship, status=400, **{key: form})
    try:
        call(editorship, form.cleaned_data)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return redirect("handovers:editor", pk=editorship.pk)


@login_required
@require_POST
def editor_decide(request, pk):
    return _post(
        request,
        pk,
        "handovers.decide_editor",
        EditorDecideForm,
        "decide",
        lambda e, data: services.editor_decide(
            actor=request.user,
            editorship_id=e.pk,
            approve=data["approve"],
            comment=data["comment"],
        ),
        "Decision recorded.",
    )


@login_required
@require_POST
def editor_accept(request, pk):
    return _post(
        request,
        pk,
        "handovers.accept_editorship",
        EditorAcceptForm,
        "accept",
        lambda e, data: services.editor_accept_policy(
            actor=request.user, editorship_id=e.pk, personal_use_read=data["personal_use_read"]
        ),
        "You accepted the policy: you are now an editor of the account.",
    )


@login_required
@require_POST
def editor_remove(request, pk):
    return _post(
        request,
        pk,
        "handovers.remove_editor",
        EditorRemoveForm,
        "remove",
        lambda e, data: services.editor_remove(
            actor=request.user, editorship_id=e.pk, reason=data["reason"]
        ),
        "Editor removed.",
    )
