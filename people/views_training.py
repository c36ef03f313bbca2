"""The force's social media training: administrators record completions one at a time or import
the learning system's file; supervisors approve a case only while the applicant's is in date."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from rules.contrib.views import permission_required

from core.errors import DomainError
from people import selectors, services
from people.forms_training import TrainingImportForm, TrainingRecordForm


@login_required
@permission_required("people.record_training", raise_exception=True)
def training(request):
    posted = request.method == "POST"
    record_form = TrainingRecordForm(request.POST if posted and "record" in request.POST else None)
    import_form = TrainingImportForm(
        request.POST if posted and "import" in request.POST else None,
        request.FILES if posted and "import" in request.POST else None,
    )
    report = None
    if posted and "record" in request.POST and record_form.is_valid():
        data = record_form.cleaned_data
        try:
            record = services.training_record(
                actor=request.user,
                officer_id=data["staff_number"].pk,
                completed_on=data["completed_on"],
                expires_on=data["expires_on"],
            )
        except (DomainError, PermissionDenied) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                f"{record.officer.full_name}'s training is recorded, in date until"
                f" {record.expires_on:%-d %B %Y}.",
            )
            return redirect("people:training")
    if posted and "import" in request.POST and import_form.is_valid():
        report = services.training_import(
            actor=request.user, content=import_form.cleaned_data["file"]
        )
        if report.ok:
            messages.success(request, f"{len(report.rows)} completion(s) recorded from the file.")
        else:
            messages.error(request, "Nothing was imported: correct the lines below and try again.")
    query = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.training_records(query=query), 50).get_page(request.GET.get("page"))
    failed = (posted and not record_form.is_valid() and record_form.is_bound) or (
        report is not None and not report.ok
    )
    return render(
        request,
        "people/training.html",
        {
            "record_form": record_form,
            "import_form": import_form,
            "report": report,
            "page": page,
            "q": query,
        },
        status=400 if failed or (import_form.is_bound and not import_form.is_valid()) else 200,
    )
