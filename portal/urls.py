from allauth.account import views as account_views
from allauth.socialaccount import views as social_views
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from api.urls import api_urlpatterns
from people.views_auth import set_up_authenticator, sign_in
from portal import views
from portal.health import Broker, PortalHealthView, Scheduler, Worker

admin.site.site_header = "Social media accounts: administration"
admin.site.site_title = "Portal administration"

# The parts of django-allauth the portal uses, under the names allauth reverses. Sign-up,
# password reset and e-mail management are left out: administrators keep logins and addresses.
sign_in_urls = [
    path(
        "login/",
        RedirectView.as_view(pattern_name="login", query_string=True),
        name="account_login",
    ),
    path("logout/", RedirectView.as_view(pattern_name="logout"), name="account_logout"),
    path("inactive/", account_views.account_inactive, name="account_inactive"),
    # Re-entering the password before changing a second factor (allauth asks for it).
    path("reauthenticate/", account_views.reauthenticate, name="account_reauthenticate"),
    # The second factor (allauth.mfa): the code at sign-in, setting up an authenticator app,
    # recovery codes, and the person's own page about them (/accounts/2fa/).
    path("2fa/totp/activate/", set_up_authenticator, name="mfa_activate_totp"),
    path("2fa/", include("allauth.mfa.urls")),
    path("signup/", account_views.signup, name="account_signup"),  # says sign-up is closed
    path(
        "3rdparty/login/cancelled/",
        social_views.login_cancelled,
        name="socialaccount_login_cancelled",
    ),
    path("3rdparty/login/error/", social_views.login_error, name="socialaccount_login_error"),
    path("3rdparty/signup/", social_views.signup, name="socialaccount_signup"),
    # /accounts/oidc/<provider_id>/login/ and .../login/callback/ (the redirect URI).
    path("", include("people.sso.urls")),
]

WEB_CHECKS = ["health_check.checks.Database", "health_check.checks.Cache"]

urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.me, name="me"),
    # One front door: every sign-in is allauth's flow, on the portal's own page.
    path("login/", sign_in, name="login"),
    path("logout/", account_views.logout, name="logout"),
    path("accounts/", include(sign_in_urls)),
    path("admin/login/", views.admin_login, name="admin_login"),
    path("people/", include("people.urls")),
    path("notifications/", include("notifications.urls")),
    path("reminders/", include("reminders.urls")),
    path("audit/", include("audit.urls")),
    path("cases/", include("approvals.urls")),
    path("register/", include("accounts.urls")),
    path("credentials/", include("custody.urls")),
    path("pauses/", include("pauses.urls")),
    path("verify/", include("verify.urls")),
    path("incidents/", include("incidents.urls")),
    path("handovers/", include("handovers.urls")),
    path("reports/", include("reports.urls")),
    path("privacy/", include("privacy.urls")),
    path("api/", include("api.urls")),  # the API clients page, for administrators
    path("api/", include(api_urlpatterns)),  # the JSON API, /api/v1/
    path("admin/", admin.site.urls),
    # The whole service, for operators and uptime checkers: red if mail or reminders would stall.
    path(
        "health/",
        PortalHealthView.as_view(checks=[*WEB_CHECKS, Broker, Worker, Scheduler]),
        name="health",
    ),
    # This web process and what it needs to serve pages, for a load balancer or a container's
    # health check: a stopped worker must not take every web server out of service.
    path("health/web/", PortalHealthView.as_view(checks=WEB_CHECKS), name="health_web"),
]
