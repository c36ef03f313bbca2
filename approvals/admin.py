from django.contrib import admin

from approvals.models import BusinessCase, Decision, PolicyAcknowledgement, PolicyVersion
from core.admin import ReadOnlyAdmin


@admin.register(BusinessCase)
class BusinessCaseAdmin(ReadOnlyAdmin):
    """Read-only: cases change only through the workflow pages and their services."""

    list_display = ("pk", "handle", "applicant", "state", "state_changed_at")
    list_filter = ("state", "platform", "kind")
    search_fields = ("handle", "applicant__surname", "applicant__staff_number")


@admin.register(Decision)
class DecisionAdmin(BusinessCaseAdmin):
    list_display = ("case", "stage", "outcome", "decided_by_label", "decided_at")
    list_filter = ("stage", "outcome")
    search_fields = ("case__handle", "decided_by_label")


@admin.register(PolicyVersion)
class PolicyVersionAdmin(BusinessCaseAdmin):
    list_display = ("title", "version", "published_on")
    list_filter = ()
    search_fields = ("title", "version")


@admin.register(PolicyAcknowledgement)
class PolicyAcknowledgementAdmin(BusinessCaseAdmin):
    list_display = ("officer", "policy", "acknowledged_at")
    list_filter = ("policy",)
    search_fields = ("officer__surname", "officer__staff_number")
