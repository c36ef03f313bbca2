"""Signed-in sessions (allauth.usersessions): a person's own, which they may end one by one or
all but this one, and a person's sign-in page for administrators (end all their sessions, reset
their second factor). Every ending is audited (people/services.py)."""

from allauth.account.internal.flows.logout import logout as allauth_logout
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from people import services
from people.mfa import has_second_factor
from people.predicates import officer_of
from people.selectors import describe_browser, sessions_of


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        help_text="Recorded in the audit trail, for example: phone lost on 3 March.",
        error_messages={"required": "Enter the reason."},
    )


def _rows(request, user):
    current = request.session.session_key
    return [
        {
            "session": session,
            "browser": describe_browser(session.user_agent),
            "current": session.session_key == current,
        }
        for session in sessions_of(user)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def my_sessions(request):
    user = request.user
    if request.method == "POST":
        rows = _rows(request, user)
        if "end_others" in request.POST:
            keys = [r["session"].session_key for r in rows if not r["current"]]
        else:
            keys = [
                r["session"].session_key
                for r in rows
                if str(r["session"].pk) == request.POST.get("end")
            ]
        if keys:
            ended = services.sessions_end(actor=user, user=user, session_keys=keys, request=request)
            if request.session.session_key in keys:
                allauth_logout(request, show_message=False)
                return redirect("login")
            messages.success(
                request, f"Signed out {ended} other session{'s' if ended != 1 else ''}."
            )
        return redirect("people:sessions")
    return render(request, "people/sessions.html", {"rows": _rows(request, user)})


@login_required
@require_http_methods(["GET", "POST"])
def person_sign_in(request, user_id):
    if not request.user.has_perm("people.end_sessions"):
        raise PermissionDenied
    person = get_object_or_404(get_user_model(), pk=user_id)
    if person.pk == request.user.pk:
        return redirect("people:sessions")  # one's own sessions; one's own second factor stays
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            if "reset_second_factor" in request.POST:
                services.second_factor_reset(
                    actor=request.user, user=person, reason=reason, request=request
                )
                messages.success(
                    request,
                    f"Second factor reset for {person.get_username()}; their sessions ended.",
                )
            else:
                ended = services.sessions_end(
                    actor=request.user, user=person, reason=reason, request=request
                )
                messages.success(request, f"Ended {ended} session(s) of {person.get_username()}.")
        except (DomainError, PermissionDenied) as exc:
            messages.error(request, str(exc))
        return redirect("people:person_sign_in", user_id=person.pk)
    return render(
        request,
        "people/person_sign_in.html",
        {
            "person": person,
            "officer": officer_of(person),
            "rows": _rows(request, person),
            "has_second_factor": has_second_factor(person),
            "form": form,
        },
    )
