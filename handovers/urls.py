from django.urls import path

from handovers import views

app_name = "handovers"
urlpatterns = [
    path("", views.queues, name="queues"),
    path("account/<int:account_pk>/start/", views.start, name="start"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/respond/", views.respond, name="respond"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/complete/", views.complete, name="complete"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("leavers/", views.leavers, name="leavers"),
    path("consolidations/", views.consolidations, name="consolidations"),
]
