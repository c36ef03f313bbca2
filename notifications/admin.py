from django.contrib import admin

from core.admin import ReadOnlyAdmin
from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "email",
        "subject",
        "kind",
        "emailed_at",
        "read_at",
        "email_attempts",
        "failed_at",
        "last_error",
    )
    # Failed e-mails are retried from the portal's own page (people:failed_mail), audited.
    list_filter = ("kind", ("failed_at", admin.EmptyFieldListFilter))
    search_fields = ("email", "subject")
