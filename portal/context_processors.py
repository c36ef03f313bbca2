from django.conf import settings

from people.mfa import requires_second_factor
from portal.navigation import nav_items_for


def portal(request):
    context = {
        "FORCE_NAME": settings.FORCE_NAME,
        "PORTAL_NAME": settings.PORTAL_NAME,
        "SERVICE_DESK_CONTACT": settings.SERVICE_DESK_CONTACT,
    }
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        context["nav_items"] = nav_items_for(request)
        # Called only by the pages that ask (the sign-in security pages).
        context["second_factor_required"] = lambda: requires_second_factor(request.user)
    return context
