from django.contrib import admin

from notifications.models import Notification
from portal.admin import ReadOnlyAdmin


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "email", "subject", "kind", "emailed_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("email", "subject")
