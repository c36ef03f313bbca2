from django.urls import path

from api import views
from api.v1 import api

app_name = "api"
urlpatterns = [
    path("clients/", views.clients, name="clients"),
    path("clients/new/", views.client_new, name="client_new"),
    path("clients/<int:pk>/revoke/", views.client_revoke, name="client_revoke"),
]
api_urlpatterns = [path("v1/", api.urls)]
