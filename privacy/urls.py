from django.urls import path

from privacy import views

app_name = "privacy"
urlpatterns = [
    path("retention/", views.retention, name="retention"),
    path("subject-access/", views.subject_access, name="subject_access"),
]
