from django import template

from core.tags import govuk_tag
from incidents.models import OPEN_STATES, IncidentState

register = template.Library()

STATE_COLOURS = {IncidentState.REPORTED: "red", IncidentState.CONTAINED: "orange"}
STATE_LABELS = dict(IncidentState.choices)


@register.simple_tag
def incident_state_tag(incident):
    """The incident's state as a GOV.UK tag (green once resolved)."""
    return govuk_tag(
        STATE_LABELS.get(incident.state, incident.state),
        STATE_COLOURS.get(incident.state, "green"),
    )


@register.filter
def duration(delta) -> str:
    """A timedelta as '2 d 3 h 5 min' (to the minute); an empty string for None."""
    if delta is None:
        return ""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{mins} min"]
    return " ".join(p for p in parts if p)


@register.simple_tag
def open_incident_for(account):
    """The account's open incident, or None (for the account page)."""
    return account.incidents.filter(state__in=OPEN_STATES).first()
