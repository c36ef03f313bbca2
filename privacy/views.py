from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods
from rules.contrib.views import permission_required

from privacy import services
from privacy.forms import SubjectAccessForm
from privacy.selectors import legacy_events_past, recent_runs, retention_overview


@require_GET
@login_required
@permission_required("privacy.view_retention", raise_exception=True)
def retention(request):
    return render(
        request,
        "privacy/retention.html",
        {
            "kinds": retention_overview(),
            "runs": recent_runs(),
            "legacy_events": legacy_events_past(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@permission_required("privacy.export_subject_data", raise_exception=True)
def subject_access(request):
    form = SubjectAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        filename, content = services.subject_access_export(
            actor=request.user, officer=form.cleaned_data["staff_number"]
        )
        response = HttpResponse(content, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response
    status = 400 if form.errors else 200
    return render(request, "privacy/subject-access.html", {"form": form}, status=status)
