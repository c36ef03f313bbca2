from django.urls import path

from custody import views

app_name = "custody"

urlpatterns = [
    path("", views.needed, name="needed"),
    path("confirm-password/", views.reauthenticate, name="reauth"),
    path("<int:pk>/lodge/", views.lodge, name="lodge"),
    path("<int:pk>/change/", views.rotate, name="rotate"),
    path("<int:pk>/reveal/", views.reveal, name="reveal"),
]
