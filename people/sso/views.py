"""allauth's OpenID Connect login and callback views, with the stricter adapter of provider.py
(allauth's own views always use the generic one)."""

import requests
from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.contrib.auth.decorators import login_not_required
from django.http import Http404

from people.sso.provider import ForceOpenIDConnectAdapter


@login_not_required
def login(request, provider_id):
    """Start a sign-in: a POST (with the CSRF token) redirects to the provider. The provider's
    discovery document is fetched first; when the provider cannot be reached, the person gets
    the error page rather than a server error (allauth lets that exception through here)."""
    adapter = ForceOpenIDConnectAdapter(request, provider_id)
    try:
        return OAuth2LoginView.adapter_view(adapter)(request)
    except SocialApp.DoesNotExist as exc:  # single sign-on is not configured
        raise Http404 from exc
    except (requests.RequestException, ValueError) as exc:
        return render_authentication_error(request, adapter.get_provider(), exception=exc)


@login_not_required
def callback(request, provider_id):
    """The provider sends the browser back here with a code (and the state) or an error."""
    try:
        view = OAuth2CallbackView.adapter_view(ForceOpenIDConnectAdapter(request, provider_id))
        return view(request)
    except SocialApp.DoesNotExist as exc:
        raise Http404 from exc
