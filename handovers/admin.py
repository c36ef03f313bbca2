from django.contrib import admin

from handovers.models import AccountTransition, CredentialDestruction, TransitionDecision


@admin.register(AccountTransition)
class AccountTransitionAdmin(admin.ModelAdmin):
    list_display = ["account", "kind", "state", "owner", "successor", "state_changed_at"]
    list_filter = ["kind", "state"]
    readonly_fields = [f.name for f in AccountTransition._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(TransitionDecision)
class TransitionDecisionAdmin(admin.ModelAdmin):
    list_display = ["transition", "stage", "outcome", "decided_by_label", "decided_at"]
    readonly_fields = [f.name for f in TransitionDecision._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(CredentialDestruction)
class CredentialDestructionAdmin(admin.ModelAdmin):
    list_display = ["account", "destroyed_by", "destroyed_at"]
    readonly_fields = [f.name for f in CredentialDestruction._meta.fields]
