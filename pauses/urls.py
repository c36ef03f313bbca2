from django.urls import path

from pauses import views

app_name = "pauses"
urlpatterns = [
    path("", views.pause_list, name="list"),
    path("new/", views.pause_start, name="start"),
    path("mine/", views.my_pauses, name="mine"),
    path("<int:pk>/", views.pause_detail, name="detail"),
    path("<int:pk>/lift/", views.pause_lift, name="lift"),
    path("<int:pk>/acknowledge/", views.pause_acknowledge, name="acknowledge"),
    path("account/<int:account_pk>/suspend/", views.account_suspend, name="suspend"),
]
