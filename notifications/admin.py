from django.contrib import admin

from core.admin import ReadOnlyAdmin
from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "email", "subject", "kind", "emailed_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("email", "subject")
