from django.core.paginator import Paginator
from django.shortcuts import render
from rules.contrib.views import permission_required

from audit.models import AuditEvent
from audit.selectors import labels_meaning


@permission_required("accounts.view_audit_trail", raise_exception=True)
def trail(request):
    events = AuditEvent.objects.select_related("actor").order_by("-sequence")
    object_type = request.GET.get("object_type", "").strip()
    action = request.GET.get("action", "").strip()
    if object_type:
        events = events.filter(object_type__in=labels_meaning(object_type))
    if action:
        events = events.filter(action__icontains=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    types = AuditEvent.objects.order_by().values_list("object_type", flat=True).distinct()
    return render(
        request,
        "audit/trail.html",
        {
            "page": page,
            "object_type": object_type,
            "action": action,
            "types": sorted(types),
            "querystring_base": f"object_type={object_type}&action={action}",
        },
    )
