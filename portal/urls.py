from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from health_check.views import HealthCheckView

from people.forms_auth import ThrottledAuthenticationForm
from portal import views
from portal.health import Broker

admin.site.site_header = "Social media accounts: administration"
admin.site.site_title = "Portal administration"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=ThrottledAuthenticationForm
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("notifications/", include("notifications.urls")),
    path("reminders/", include("reminders.urls")),
    path("audit/", include("audit.urls")),
    path("cases/", include("approvals.urls")),
    path("register/", include("accounts.urls")),
    path("credentials/", include("custody.urls")),
    path("verify/", include("verify.urls")),
    path("incidents/", include("incidents.urls")),
    path("handovers/", include("handovers.urls")),
    path("reports/", include("reports.urls")),
    path("people/", include("people.urls")),
    path("admin/", admin.site.urls),
    path(
        "health/",
        HealthCheckView.as_view(
            checks=["health_check.checks.Database", "health_check.checks.Cache", Broker]
        ),
        name="health",
    ),
]
