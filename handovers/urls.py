from django.urls import path

from handovers import views, views_editors

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
    # Editors of shared accounts
    path(
        "account/<int:account_pk>/editors/new/",
        views_editors.editor_request,
        name="editor_request",
    ),
    path("editors/<int:pk>/", views_editors.editor_detail, name="editor"),
    path("editors/<int:pk>/decide/", views_editors.editor_decide, name="editor_decide"),
    path("editors/<int:pk>/accept/", views_editors.editor_accept, name="editor_accept"),
    path("editors/<int:pk>/remove/", views_editors.editor_remove, name="editor_remove"),
]
