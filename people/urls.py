from django.urls import path

from people import views

app_name = "people"
urlpatterns = [
    path("roles/", views.roles, name="roles"),
    path("roles/requests/", views.role_requests, name="role_requests"),
    path("roles/requests/<int:pk>/decide/", views.role_request_decide, name="role_request_decide"),
    path("roles/<int:pk>/", views.person_roles, name="person_roles"),
]
