from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.register_list, name="list"),
    path("export.csv", views.register_export, name="export"),
    path("new/", views.account_register, name="register"),
    path("<int:pk>/", views.account_detail, name="detail"),
    path("<int:pk>/check-in/", views.account_check_in, name="check_in"),
    path("imports/", views.import_list, name="imports"),
    path("imports/<int:pk>/", views.import_status, name="import_status"),
    path("import/<slug:kind>/", views.import_upload, name="import"),
]
