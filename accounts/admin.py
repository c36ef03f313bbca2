from django.contrib import admin

from accounts.models import AccountEditor, ActivityObservation, ImportJob, SocialAccount
from audit.admin import AuditedModelAdmin
from core.admin import ReadOnlyAdmin


@admin.register(SocialAccount)
class SocialAccountAdmin(AuditedModelAdmin):
    list_display = ("handle", "platform", "kind", "owner", "unit", "status", "last_post_at")
    list_filter = ("status", "platform", "kind")
    search_fields = ("handle", "display_name", "owner__surname")

    def get_readonly_fields(self, request, obj=None):
        # Owner, handle and status change through handovers, closures and incidents, which
        # keep their checklists and credential custody in step. The status is protected: an
        # account added here starts pending set-up (the register page adds one as it is).
        always = ("last_post_at", "followers", "credentials_required_since", "status")
        return (*always, "owner", "handle", "closed_on") if obj else always

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
    exclude = ("content", "data")  # the uploaded file: large, and bytes
    readonly_fields = [f.name for f in ImportJob._meta.fields if f.name not in ("content", "data")]


@admin.register(AccountEditor)
class AccountEditorAdmin(ReadOnlyAdmin):
    """Editorships change only through their workflow (handovers/editors.py): read here."""

    list_display = ("account", "officer", "state", "requested_at", "decided_at", "removed_at")
    list_filter = ("state",)
    search_fields = ("account__handle", "officer__surname", "officer__staff_number")
    list_select_related = ("account", "officer")
