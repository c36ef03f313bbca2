from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required, login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse

from core.page_cache import page_cache
from people.predicates import role_names
from portal.home import home_for, home_links
from portal.navigation import YOUR_ACCOUNT, items_for


@login_required
@page_cache
def home(request):
    return render(
        request,
        "portal/home.html",
        {"home": home_for(request.user), "links": home_links(request.user)},
    )


@login_required
def me(request):
    """Your account: the person's own pages and what they may start (kept out of the menu)."""
    return render(
        request,
        "portal/me.html",
        {"links": items_for(request.user, YOUR_ACCOUNT), "roles": role_names(request.user)},
    )


@login_not_required
def admin_login(request):
    """Django admin has no sign-in form of its own: it sends people to the portal's, and back.

    Someone already signed in arrives here only when the admin turned them away (they are not
    staff); sending them to sign in again would loop, so they are refused."""
    if request.user.is_authenticated:
        raise PermissionDenied("Your login does not give access to the administration pages.")
    next_url = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('login')}?{urlencode({'next': next_url})}")
