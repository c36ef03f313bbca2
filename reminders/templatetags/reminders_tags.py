from django import template

from reminders.selectors import open_recertification

register = template.Library()


@register.simple_tag
def open_recertification_for(account):
    """{% open_recertification_for account as recert %}: the open re-certification, or None."""
    return open_recertification(account)
