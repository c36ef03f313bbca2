from django.contrib import admin

from accounts.models import (
    ActivityObservation,
    Delegation,
    ImportJob,
    Leave,
    Officer,
    SocialAccount,
    Unit,
)
from audit.admin import AuditedModelAdmin
from portal.admin import ReadOnlyAdmin


@admin.register(Unit)
class UnitAdmin(AuditedModelAdmin):
    list_display = ("name", "kind", "parent", "code")
    list_filter = ("kind",)
    search_fields = ("name", "code")


@admin.register(Officer)
class OfficerAdmin(AuditedModelAdmin):
    list_display = ("staff_number", "surname", "first_name", "rank", "unit", "supervisor", "status")
    list_filter = ("status", "rank", "unit")
    search_fields = ("staff_number", "surname", "first_name", "user__username")
    autocomplete_fields = ("user", "unit", "supervisor")

    def get_readonly_fields(self, request, obj=None):
        # Moving or leaving goes through "Movers and leavers", which also ends a leaver's
        # sessions, orphans their accounts and proposes handovers.
        return ("status", "status_changed_on") if obj else ()


@admin.register(Delegation)
class DelegationAdmin(AuditedModelAdmin):
    list_display = ("supervisor", "acting", "starts_on", "ends_on", "revoked_at")
    autocomplete_fields = ("supervisor", "acting")
    readonly_fields = ("created_by",)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(SocialAccount)
class SocialAccountAdmin(AuditedModelAdmin):
    list_display = ("handle", "platform", "kind", "owner", "unit", "status", "last_post_at")
    list_filter = ("status", "platform", "kind")
    search_fields = ("handle", "display_name", "owner__surname")

    def get_readonly_fields(self, request, obj=None):
        # Owner, handle and status change through handovers, closures and incidents, which
        # keep their checklists and credential custody in step.
        always = ("last_post_at", "followers", "credentials_required_since")
        return (*always, "owner", "handle", "status", "closed_on") if obj else always

    autocomplete_fields = ("owner", "unit")


@admin.register(ActivityObservation)
class ActivityObservationAdmin(ReadOnlyAdmin):
    """Observations are a record of what was seen: read here, never edited."""

    list_display = ("account", "source", "observed_at", "last_post_at", "followers")
    list_filter = ("source",)
    search_fields = ("account__handle",)
    list_select_related = ("account",)


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ("pk", "kind", "filename", "status", "written_rows", "created_by", "created_at")
    list_filter = ("kind", "status")
    exclude = ("content",)
    readonly_fields = [f.name for f in ImportJob._meta.fields if f.name != "content"]


@admin.register(Leave)
class LeaveAdmin(AuditedModelAdmin):
    list_display = ("officer", "starts_on", "ends_on", "reason")
    autocomplete_fields = ("officer",)
    readonly_fields = ("created_by",)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
