from django import template

from approvals.models import CaseState
from core.tags import govuk_tag

register = template.Library()

COLOURS = {
    CaseState.DRAFT: "grey",
    CaseState.RETURNED: "orange",
    CaseState.REJECTED: "red",
    CaseState.WITHDRAWN: "red",
    CaseState.REGISTERED: "green",
    CaseState.SIGNED_OFF: "turquoise",
}
LABELS = dict(CaseState.choices)


@register.simple_tag
def case_state_tag(case):
    """The case's state as a GOV.UK tag (blue while it waits for a decision)."""
    return govuk_tag(LABELS.get(case.state, case.state), COLOURS.get(case.state, "blue"))
