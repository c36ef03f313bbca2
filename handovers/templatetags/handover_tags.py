from django import template

from core.tags import govuk_tag
from handovers.models import State

register = template.Library()

COLOURS = {
    State.COMPLETED: "green",
    State.DECLINED: "red",
    State.DECLINED_BY_OWNER: "red",
    State.REJECTED: "red",
    State.WITHDRAWN: "red",
    State.AWAITING_PRESS_OFFICE: "turquoise",
}
LABELS = dict(State.choices)


@register.simple_tag
def transition_state_tag(transition):
    """A handover's, repurposing's or closure's state as a GOV.UK tag (blue while it waits for
    the successor or the supervisor)."""
    return govuk_tag(
        LABELS.get(transition.state, transition.state), COLOURS.get(transition.state, "blue")
    )
