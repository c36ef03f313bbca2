from django.urls import path

from people import views_sessions

app_name = "people"

urlpatterns = [
    path("sessions/", views_sessions.my_sessions, name="sessions"),
    path("<int:user_id>/sign-in/", views_sessions.person_sign_in, name="person_sign_in"),
]
