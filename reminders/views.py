from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from rules.contrib.views import permission_required

from core.errors import DomainError
from people import services as people_services
from people.models import Leave
from people.predicates import officer_of
from people.selectors import officers_visible_to, supervised_officer_ids
from reminders import services
from reminders.forms import LeaveForm, OwnerRecertificationForm, SupervisorRecertificationForm
from reminders.selectors import recertifications_visible_to, recertifications_waiting_for


@login_required
def recertification_list(request):
    return render(
        request,
        "reminders/recertifications.html",
        {
            "waiting": recertifications_waiting_for(request.user),
        },
    )


@login_required
def recertification_confirm(request, pk):
    recert = get_object_or_404(recertifications_visible_to(request.user), pk=pk)
    as_owner = request.user.has_perm("reminders.confirm_recert_as_owner", recert)
    as_supervisor = request.user.has_perm("reminders.confirm_recert_as_supervisor", recert)
    if not (as_owner or as_supervisor):
        raise PermissionDenied
    owner_stage = recert.owner_confirmed_at is None
    if owner_stage and not as_owner:
        raise PermissionDenied("The owner confirms first.")
    if not owner_stage and not as_supervisor:
        raise PermissionDenied("Only the owner's supervisor confirms now.")
    form_class = OwnerRecertificationForm if owner_stage else SupervisorRecertificationForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if owner_stage:
                services.recertification_confirm_owner(
                    actor=request.user,
                    recertification_id=recert.pk,
                    still_needed=form.cleaned_data["still_needed"],
                    statement=form.cleaned_data["statement"],
                )
                messages.success(request, "Thank you. Your supervisor has been asked to confirm.")
            else:
                services.recertification_confirm_supervisor(
                    actor=request.user,
                    recertification_id=recert.pk,
                    comment=form.cleaned_data["comment"],
                )
                messages.success(request, f"@{recert.account.handle} is re-certified for a year.")
        except DomainError as exc:
            messages.error(request, str(exc))
        return redirect(reverse("accounts:detail", args=[recert.account_id]))
    return render(
        request,
        "reminders/recertification_confirm.html",
        {"recert": recert, "form": form, "owner_stage": owner_stage},
    )


@login_required
@permission_required("people.use_leave_page", raise_exception=True)
def leave(request):
    me = officer_of(request.user)
    officers = officers_visible_to(request.user).filter(
        Q(pk=me.pk) | Q(pk__in=supervised_officer_ids(request.user))
    )
    form = LeaveForm(request.POST or None, officers=officers, initial={"officer": me})
    if request.method == "POST" and form.is_valid():
        try:
            people_services.leave_record(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Leave recorded: no dormancy reminders until they are back.")
            return redirect("reminders:leave")
    recorded = Leave.objects.filter(officer__in=officers).select_related("officer")[:50]
    return render(request, "reminders/leave.html", {"form": form, "recorded": recorded})
