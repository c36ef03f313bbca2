from django.contrib import admin

from core.admin import ReadOnlyAdmin
from handovers.models import AccountTransition, CredentialDestruction, TransitionDecision


@admin.register(AccountTransition)
class AccountTransitionAdmin(ReadOnlyAdmin):
    list_display = ["account", "kind", "state", "owner", "successor", "state_changed_at"]
    list_filter = ["kind", "state"]


@admin.register(TransitionDecision)
class TransitionDecisionAdmin(ReadOnlyAdmin):
    list_display = ["transition", "stage", "outcome", "decided_by_label", "decided_at"]


@admin.register(CredentialDestruction)
class CredentialDestructionAdmin(ReadOnlyAdmin):
    list_display = ["account", "destroyed_by", "destroyed_at"]
