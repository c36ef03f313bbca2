from django import template

from incidents.models import OPEN_STATES

register = template.Library()


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
