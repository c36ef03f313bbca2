from django.shortcuts import render
from rules.contrib.views import permission_required

from audit.selectors import trail_object_types, trail_page
from core.page_cache import page_cache


@permission_required("accounts.view_audit_trail", raise_exception=True)
@page_cache
def trail(request):
    object_type = request.GET.get("object_type", "").strip()
    action = request.GET.get("action", "").strip()
    return render(
        request,
        "audit/trail.html",
        {
            "page": trail_page(request.GET.get("page"), object_type=object_type, action=action),
            "object_type": object_type,
            "action": action,
            "types": trail_object_types(),
            "querystring_base": f"object_type={object_type}&action={action}",
        },
    )
