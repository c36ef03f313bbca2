from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.html import format_html

from audit.admin import AuditedModelAdmin
from core.admin import ReadOnlyAdmin
from people.models import Delegation, Leave, Officer, RoleGrantDecision, RoleGrantRequest, Unit

# Roles are groups, and who holds one is governed: a role is given or taken away only on the
# portal's Roles page (people.services.role_grant and role_revoke, audited in the hash chain,
# never to oneself, Press office and Administrator only with a second administrator's approval).
# The admin shows groups and memberships and changes neither; nor does it make anyone staff or a
# superuser.
admin.site.unregister(Group)
admin.site.unregister(get_user_model())


@admin.register(Group)
class RoleGroupAdmin(ReadOnlyAdmin):
    list_display = ("name",)
    search_fields = ("name",)
    ordering = ("name",)
    readonly_fields = ("name",)


@admin.register(get_user_model())
class PortalUserAdmin(AuditedModelAdmin, UserAdmin):
    """Django's user admin with every field that confers a power read-only. A change to a
    login's other details (name, e-mail, active) is audited like every admin change."""

    readonly_fields = (
        "is_staff",
        "is_superuser",
        "groups",
        "user_permissions",
        "last_login",
        "date_joined",
    )
    filter_horizontal = ()


@admin.register(Unit)
class UnitAdmin(AuditedModelAdmin):
    list_display = ("name", "kind", "parent", "code")
    list_filter = ("kind",)
    search_fields = ("name", "code")


@admin.register(Officer)
class OfficerAdmin(AuditedModelAdmin):
    list_display = (
        "staff_number",
        "surname",
        "first_name",
        "rank",
        "unit",
        "supervisor",
        "status",
        "sign_in",
    )
    list_filter = ("status", "rank", "unit")
    search_fields = ("staff_number", "surname", "first_name", "user__username")
    autocomplete_fields = ("user", "unit", "supervisor")

    @admin.display(description="Sign-in")
    def sign_in(self, obj):
        """Their sessions and second factor (end them, reset it): people/views_sessions.py."""
        url = reverse("people:person_sign_in", args=[obj.user_id])
        return format_html('<a href="{}">Sessions and second factor</a>', url)

    def get_readonly_fields(self, request, obj=None):
        # Moving or leaving goes through "Movers and leavers", which also ends a leaver's
        # sessions, orphans their accounts and proposes handovers.
        return ("status", "status_changed_on") if obj else ()


class CreatedByAdmin(AuditedModelAdmin):
    """An audited admin for records that name who created them: the signed-in administrator."""

    readonly_fields = ("created_by",)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Delegation)
class DelegationAdmin(CreatedByAdmin):
    list_display = ("supervisor", "acting", "starts_on", "ends_on", "revoked_at")
    autocomplete_fields = ("supervisor", "acting")


@admin.register(Leave)
class LeaveAdmin(CreatedByAdmin):
    list_display = ("officer", "starts_on", "ends_on", "reason")
    autocomplete_fields = ("officer",)


@admin.register(RoleGrantRequest)
class RoleGrantRequestAdmin(ReadOnlyAdmin):
    list_display = ("user", "role", "state", "requested_by", "requested_at")
    list_filter = ("state", "role")


@admin.register(RoleGrantDecision)
class RoleGrantDecisionAdmin(ReadOnlyAdmin):
    list_display = ("request", "outcome", "decided_by", "decided_at")


admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(ReadOnlyAdmin):
    """Second factors, to look at only: the key inside (`data`) is never shown. A reset goes
    through people.services.second_factor_reset, which is audited and ends the person's sessions
    (the person's sign-in page, /people/<id>/sign-in/)."""

    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type",)
    search_fields = ("user__username",)
    readonly_fields = ("user", "type", "created_at", "last_used_at")
    exclude = ("data",)
