from django.urls import path

from people import views, views_chat, views_failed_mail, views_sessions, views_training

app_name = "people"
urlpatterns = [
    path("roles/", views.roles, name="roles"),
    path("roles/requests/", views.role_requests, name="role_requests"),
    path("roles/requests/<int:pk>/decide/", views.role_request_decide, name="role_request_decide"),
    path("roles/<int:pk>/", views.person_roles, name="person_roles"),
    # Sign-in sessions and second factors.
    path("sessions/", views_sessions.my_sessions, name="sessions"),
    path("<int:user_id>/sign-in/", views_sessions.person_sign_in, name="person_sign_in"),
    # The force's social media training, for administrators.
    path("training/", views_training.training, name="training"),
    # E-mails the outbox parked as failed, for administrators.
    path("failed-mail/", views_failed_mail.failed_mail, name="failed_mail"),
    path(
        "failed-mail/<int:pk>/retry/", views_failed_mail.failed_mail_retry, name="failed_mail_retry"
    ),
    # Chat (Teams) channels: administrators add them; supervisors and the press office choose.
    path("chat/", views_chat.choices, name="chat_choices"),
    path("chat/channels/", views_chat.channels, name="chat_channels"),
    path("chat/channels/<int:pk>/", views_chat.channel, name="chat_channel"),
]
