from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("dormancy/", views.dormancy, name="dormancy"),
    path("orphans/", views.orphans, name="orphans"),
    path("waiting/", views.waiting, name="waiting"),
    path("credentials/", views.credentials, name="credentials"),
    path("recertifications/", views.recertifications, name="recertifications"),
    path("incidents/", views.incidents, name="incidents"),
    path("profiles/", views.profiles, name="profiles"),
    path("followers/", views.followers, name="followers"),
    path("accounts-over-time/", views.accounts_over_time, name="accounts_over_time"),
]
