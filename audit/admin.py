from django.contrib import admin
from django.db import transaction

from audit.models import AuditEvent
from audit.services import audit_record, diff, snapshot
from core.admin import ReadOnlyAdmin


class AuditedModelAdmin(admin.ModelAdmin):
    """Admin changes go through the audit trail like every other write."""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else {}
            super().save_model(request, obj, form, change)
            after = snapshot(obj)
            audit_record(
                actor=request.user,
                action=f"{obj._meta.model_name}.{'changed' if change else 'created'}_in_admin",
                obj=obj,
                changes=diff(before, after),
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit_record(
                actor=request.user,
                action=f"{obj._meta.model_name}.deleted_in_admin",
                obj=obj,
                changes=diff(snapshot(obj), {}),
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("sequence", "created_at", "actor_label", "action", "object_type", "object_repr")
    list_filter = ("object_type",)
    search_fields = ("action", "object_repr", "actor_label", "object_id")
