"""The provider's URLs, as allauth's generic OpenID Connect provider names and places them:
/accounts/oidc/<provider_id>/login/ and /accounts/oidc/<provider_id>/login/callback/ (the
redirect URI registered with the identity provider)."""

from allauth.socialaccount import app_settings
from django.urls import include, path, re_path

from people.sso import views

urlpatterns = [
    re_path(
        r"^(?P<provider_id>[^/]+)/",
        include(
            [
                path("login/", views.login, name="openid_connect_login"),
                path("login/callback/", views.callback, name="openid_connect_callback"),
            ]
        ),
    )
]

if app_settings.OPENID_CONNECT_URL_PREFIX:
    urlpatterns = [path(f"{app_settings.OPENID_CONNECT_URL_PREFIX}/", include(urlpatterns))]
