from django.urls import path

from reminders import views

app_name = "reminders"
urlpatterns = [
    path("recertifications/", views.recertification_list, name="recertifications"),
    path("recertifications/<int:pk>/", views.recertification_confirm, name="recertify"),
    path("leave/", views.leave, name="leave"),
]
