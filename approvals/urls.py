from django.urls import path

from approvals import views

app_name = "approvals"
urlpatterns = [
    path("", views.my_cases, name="mine"),
    path("new/", views.case_create, name="create"),
    path("supervisor/", views.supervisor_queue, name="supervisor_queue"),
    path("press-office/", views.press_office_queue, name="press_office_queue"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/edit/", views.case_edit, name="edit"),
    path("<int:pk>/submit/", views.case_submit, name="submit"),
    path("<int:pk>/withdraw/", views.case_withdraw, name="withdraw"),
    path("<int:pk>/decide/", views.case_decide, name="decide"),
    path("<int:pk>/setup/", views.case_setup, name="setup"),
    path("<int:pk>/setup/confirm/", views.case_setup_confirm, name="setup_confirm"),
    path("policy/", views.policy, name="policy"),
    path("policy/publish/", views.policy_publish, name="policy_publish"),
    path("policy/outstanding/", views.policy_outstanding, name="policy_outstanding"),
    path("delegations/", views.delegations, name="delegations"),
    path("delegations/<int:pk>/revoke/", views.delegation_revoke, name="delegation_revoke"),
]
