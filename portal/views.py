from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from portal.home import home_sections


@login_required
def home(request):
    return render(request, "portal/home.html", {"sections": home_sections(request.user)})
