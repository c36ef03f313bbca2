"""E-mails the outbox could not send and parked as failed (notifications/services.py): an
administrator sees each with its reason and puts it back in the outbox, audited."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from core.errors import DomainError
from notifications.selectors import failed_mail as failed_mail_rows
from people import services


@login_required
@permission_required("people.retry_failed_mail", raise_exception=True)
def failed_mail(request):
    page = Paginator(failed_mail_rows(), 50).get_page(request.GET.get("page"))
    return render(request, "people/failed_mail.html", {"page": page})


@login_required
@require_POST
@permission_required("people.retry_failed_mail", raise_exception=True)
def failed_mail_retry(request, pk):
    try:
        notification = services.failed_mail_retry(actor=request.user, notification_id=pk)
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"The message to {notification.destination} is back in the outbox and will be sent.",
        )
    return redirect("people:failed_mail")
