"""What the pauses app adds to pages of the apps below it (the register, the account page):
a lower app never imports a higher one, so the higher one contributes through these tags."""

from django import template
from django.utils.html import format_html

from pauses.selectors import open_pauses_of, pause_labels

register = template.Library()


@register.simple_tag
def pause_labels_for(accounts) -> dict:
    """`{% pause_labels_for page.object_list as paused %}`: {account id: "Suspended"/"Paused"}
    for a page of the register, in one query."""
    return pause_labels(a.pk for a in accounts)


@register.simple_tag
def pause_tag(labels: dict, account):
    """The "Suspended" or "Paused" tag beside the account's status, or nothing."""
    label = labels.get(account.pk) if labels else None
    if not label:
        return ""
    return format_html('<strong class="govuk-tag govuk-tag--purple">{}</strong>', label)


@register.simple_tag
def open_pauses_for(account) -> list:
    """`{% open_pauses_for account as pauses %}`: the pauses covering the account now."""
    return open_pauses_of(account)
