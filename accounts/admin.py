from django.contrib import admin

from accounts.models import Delegation, Officer, SocialAccount, Unit
from audit.admin import AuditedModelAdmin


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
    autocomplete_fields = ("owner", "unit")
