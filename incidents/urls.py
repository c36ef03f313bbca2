from django.urls import path

from incidents import views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("report/", views.report_by_handle, name="report"),
    path("report/account/<int:account_pk>/", views.report_account, name="report_account"),
    path("my-reports/", views.my_reports, name="mine"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/step/", views.incident_step, name="step"),
    path("<int:pk>/note/", views.incident_note, name="note"),
    path("<int:pk>/lessons/", views.incident_lessons, name="lessons"),
    path("<int:pk>/contain/", views.incident_contain, name="contain"),
    path("<int:pk>/resolve/", views.incident_resolve, name="resolve"),
]
