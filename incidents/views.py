"""Thin views: bind the form, fetch the incident through the permission-filtered selector
(another person's incident is a 404), check the rule (a read-only viewer's POST is a 403), call
one service, add a message, redirect."""

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
from core.views import run_service
from incidents import selectors, services
from incidents.forms import LessonsForm, NoteForm, ReportForm, StepForm
from incidents.models import PRESS_OFFICE_STEPS, IncidentState, Step


def _incident_or_404(request, pk):
    return get_object_or_404(selectors.incidents_visible_to(request.user), pk=pk)


STATE_TABS = [("open", "Open"), *IncidentState.choices]


@permission_required("incidents.list_incidents", raise_exception=True)
def incident_list(request):
    state = request.GET.get("state") or "open"
    if state not in dict(STATE_TABS):
        state = "open"
    page = Paginator(selectors.incidents_in_state(request.user, state), 25).get_page(
        request.GET.get("page")
    )
    summary = None
    if request.user.has_perm("incidents.view_incident_summary"):
        summary = selectors.times_by_month()
    return render(
        request,
        "incidents/incident_list.html",
        {"page": page, "state": state, "tabs": STATE_TABS, "summary": summary},
    )


@login_required
def my_reports(request):
    page = Paginator(selectors.reports_by(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "incidents/my_reports.html", {"page": page})


def _report(request, form, account):
    try:
        report, opened = services.incident_report(
            actor=request.user,
            account_id=account.pk,
            what_happened=form.cleaned_data["what_happened"],
            noticed_at=form.cleaned_data["noticed_at"],
            link_clicked=form.cleaned_data["link_clicked"],
            rogue_posts=form.cleaned_data["rogue_posts"],
        )
    except DomainError as exc:
        form.add_error(None, str(exc))
        return None
    if opened:
        messages.success(
            request,
            f"@{account.handle} is marked compromised and the press office has been told. Change"
            " the password now if you can, then lodge the new login details.",
        )
    else:
        messages.success(
            request,
            f"@{account.handle} already has an open incident; your report has been added to it"
            " and the press office told.",
        )
    if request.user.has_perm("incidents.view_incident", report.incident):
        return redirect("incidents:detail", pk=report.incident_id)
    return redirect("incidents:mine")


@permission_required("incidents.report_incident", raise_exception=True)
def report_by_handle(request):
    """Any signed-in person names one of the force's accounts and reports it."""
    form = ReportForm(request.POST or None, ask_account=True)
    if request.method == "POST" and form.is_valid():
        response = _report(request, form, form.account)
        if response:
            return response
    return render(request, "incidents/report.html", {"form": form, "account": None})


@permission_required("incidents.report_incident", raise_exception=True)
def report_account(request, account_pk):
    """The "Report a hacked account" button of the account page."""
    account = get_object_or_404(social_accounts_visible_to(request.user), pk=account_pk)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _report(request, form, account)
        if response:
            return response
    return render(request, "incidents/report.html", {"form": form, "account": account})


def _step_choices(user, incident):
    done = incident.steps_done()
    allowed = user.has_perm("incidents.record_step", incident)
    press = user.has_perm("incidents.record_press_office_step", incident)
    return [
        (value, label)
        for value, label in Step.choices
        if allowed and value not in done and (value not in PRESS_OFFICE_STEPS or press)
    ]


def _detail_context(request, incident, **forms):
    user = request.user
    steps = _step_choices(user, incident)
    done = incident.steps_done()
    may_note = user.has_perm("incidents.add_note", incident)
    may_lessons = user.has_perm("incidents.record_lessons", incident)
    return {
        "incident": incident,
        "checklist": [(value, label, done.get(value)) for value, label in Step.choices],
        "reports": incident.reports.select_related("reported_by"),
        "timeline": selectors.timeline_for(incident),
        "history": history_for(incident),
        "credential": incident.fresh_credential(),
        "step_form": forms.get("step_form")
        or (StepForm(steps=steps, initial={"version": incident.version}) if steps else None),
        "note_form": forms.get("note_form") or (NoteForm() if may_note else None),
        "lessons_form": forms.get("lessons_form")
        or (LessonsForm(initial={"lessons": incident.lessons}) if may_lessons else None),
        "may_contain": incident.state == IncidentState.REPORTED
        and user.has_perm("incidents.contain_incident", incident),
        "may_resolve": incident.state == IncidentState.CONTAINED
        and user.has_perm("incidents.resolve_incident", incident),
        "may_lodge": incident.is_open
        and user.has_perm("custody.lodge_credential", incident.account),
        "containment_problem": incident.containment_problem(),
        "resolution_problem": incident.resolution_problem(),
    }


@login_required
def incident_detail(request, pk):
    incident = _incident_or_404(request, pk)
    return render(request, "incidents/incident_detail.html", _detail_context(request, incident))


def _done(request, incident, call, success):
    return run_service(
        request,
        call,
        success=success,
        then=reverse("incidents:detail", args=[incident.pk]),
    )


@login_required
@require_POST
def incident_step(request, pk):
    incident = _incident_or_404(request, pk)
    if not request.user.has_perm("incidents.record_step", incident):
        raise PermissionDenied
    form = StepForm(request.POST, steps=_step_choices(request.user, incident))
    if not form.is_valid():
        if request.POST.get("step") in PRESS_OFFICE_STEPS:
            raise PermissionDenied
        context = _detail_context(request, incident, step_form=form)
        return render(request, "incidents/incident_detail.html", context)
    step = Step(form.cleaned_data["step"])
    return _done(
        request,
        incident,
        lambda: services.incident_record_step(
            actor=request.user,
            incident_id=incident.pk,
            step=step,
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
        ),
        f"Recorded: {step.label.lower()}.",
    )


@login_required
@require_POST
def incident_note(request, pk):
    incident = _incident_or_404(request, pk)
    if not request.user.has_perm("incidents.add_note", incident):
        raise PermissionDenied
    form = NoteForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, incident, note_form=form)
        return render(request, "incidents/incident_detail.html", context)
    return _done(
        request,
        incident,
        lambda: services.incident_add_note(
            actor=request.user, incident_id=incident.pk, text=form.cleaned_data["text"]
        ),
        "Note added to the timeline.",
    )


@login_required
@require_POST
def incident_lessons(request, pk):
    incident = _incident_or_404(request, pk)
    if not request.user.has_perm("incidents.record_lessons", incident):
        raise PermissionDenied
    form = LessonsForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, incident, lessons_form=form)
        return render(request, "incidents/incident_detail.html", context)
    return _done(
        request,
        incident,
        lambda: services.incident_record_lessons(
            actor=request.user, incident_id=incident.pk, lessons=form.cleaned_data["lessons"]
        ),
        "Lessons learned saved.",
    )


@login_required
@require_POST
def incident_contain(request, pk):
    incident = _incident_or_404(request, pk)
    if not request.user.has_perm("incidents.contain_incident", incident):
        raise PermissionDenied
    return _done(
        request,
        incident,
        lambda: services.incident_contain(
            actor=request.user,
            incident_id=incident.pk,
            expected_version=request.POST.get("version"),
        ),
        "The incident is contained.",
    )


@login_required
@require_POST
def incident_resolve(request, pk):
    incident = _incident_or_404(request, pk)
    if not request.user.has_perm("incidents.resolve_incident", incident):
        raise PermissionDenied
    return _done(
        request,
        incident,
        lambda: services.incident_resolve(
            actor=request.user,
            incident_id=incident.pk,
            expected_version=request.POST.get("version"),
        ),
        f"The incident is resolved and @{incident.account.handle} is active again.",
    )
