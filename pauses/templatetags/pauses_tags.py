"""What the pauses app adds to pages of the apps below it (the register, the account page):
a lower app never imports a higher one, so the higher one contributes through these tags."""

from django import template
from django.utils.html import format_html

from pauses.selectors import open_pauses_of, pause_labels

register = template.Library()


@register.simple_tag
def pause_tags_for(accounts) -> dict:
    """`{% pause_tags_for page.object_list as pause_tags %}`: {account id: its "Suspended" or
    "Paused" tag} for a page of the register, in one query (the register's rows put each beside
    the account's status)."""
    return {
        pk: format_html('<strong class="govuk-tag govuk-tag--purple">{}</strong>', label)
        for pk, label in pause_labels(a.pk for a in accounts).items()
        if label
    }


@register.simple_tag
def open_pauses_for(account) -> list:
    """`{% open_pauses_for account as pauses %}`: the pauses covering the account now. Read once
    a page: the account page's status tag and its pauses panel both ask (kept on the account,
    an object of this one request)."""
    pauses = getattr(account, "_open_pauses", None)
    if pauses is None:
        pauses = account._open_pauses = open_pauses_of(account)
    return pauses
