from django.conf import settings

from portal.navigation import nav_items_for


def portal(request):
    context = {
        "FORCE_NAME": settings.FORCE_NAME,
        "PORTAL_NAME": settings.PORTAL_NAME,
        "SERVICE_DESK_CONTACT": settings.SERVICE_DESK_CONTACT,
    }
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        context["nav_items"] = nav_items_for(request)
    return context
