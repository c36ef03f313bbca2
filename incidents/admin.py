from django.contrib import admin

from incidents.models import Incident
from portal.admin import ReadOnlyAdmin


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    """Read-only: incidents change only through their pages and services."""

    list_display = ("pk", "account", "state", "reported_at", "contained_at", "resolved_at")
    list_filter = ("state",)
