from django.contrib import admin

from core.admin import ReadOnlyAdmin
from incidents.models import Incident


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    """Read-only: incidents change only through their pages and services."""

    list_display = ("pk", "account", "state", "reported_at", "contained_at", "resolved_at")
    list_filter = ("state",)
