from django.contrib import admin

from core.admin import ReadOnlyAdmin
from custody.models import Credential


@admin.register(Credential)
class CredentialAdmin(ReadOnlyAdmin):
    """Read-only metadata. The sealed secret is neither shown nor editable here: lodging and
    revealing go through the portal, which checks the rules and writes the audit trail."""

    list_display = ("account", "key_id", "lodged_by", "lodged_at", "encrypted_at")
    fields = ("account", "key_id", "lodged_by", "lodged_at", "encrypted_at")
    readonly_fields = fields
    search_fields = ("account__handle",)
