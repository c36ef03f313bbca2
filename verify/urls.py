from django.urls import path

from verify import views

app_name = "verify"

urlpatterns = [
    path("", views.verify_page, name="page"),
    path("accounts/", views.accounts_page, name="accounts"),
    path("accounts.json", views.accounts_json, name="accounts_json"),
]
