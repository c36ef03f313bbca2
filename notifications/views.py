from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from notifications.selectors import inbox_for
from notifications.services import notification_mark_read


@login_required
def inbox(request):
    page = Paginator(inbox_for(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def mark_read(request, pk):
    notification = get_object_or_404(inbox_for(request.user), pk=pk)
    notification_mark_read(actor=request.user, notification=notification)
    messages.success(request, "Marked as read.")
    return redirect(notification.link or "notifications:inbox")
