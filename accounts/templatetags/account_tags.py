"""An account's status and activity as GOV.UK tags, from Python: the register shows two per row,
and a template include per tag cost more than the rest of the row."""

from django import template
from django.utils.html import format_html

from accounts.models import Dormancy, SocialAccount

register = template.Library()

STATUS_COLOURS = {
    SocialAccount.Status.ACTIVE: " govuk-tag--green",
    SocialAccount.Status.COMPROMISED: " govuk-tag--red",
    SocialAccount.Status.HANDOVER_PENDING: " govuk-tag--yellow",
    SocialAccount.Status.CLOSED: " govuk-tag--grey",
}
DORMANCY_COLOURS = {
    Dormancy.CURRENT: " govuk-tag--green",
    Dormancy.WARNING: " govuk-tag--yellow",
    Dormancy.DORMANT: " govuk-tag--orange",
    Dormancy.STALE: " govuk-tag--red",
}
STATUS_LABELS = dict(SocialAccount.Status.choices)


@register.simple_tag
def status_tag(account):
    return format_html(
        '<strong class="govuk-tag{}">{}</strong>',
        STATUS_COLOURS.get(account.status, " govuk-tag--blue"),
        STATUS_LABELS.get(account.status, account.status),
    )


@register.simple_tag
def dormancy_tag(level):
    level = Dormancy(level)
    return format_html(
        '<strong class="govuk-tag{}">{}</strong>',
        DORMANCY_COLOURS.get(level, " govuk-tag--grey"),
        level.label,
    )


@register.simple_tag
def editors_note(account):
    """Under a shared account's owner in a list: "and 2 editors" (nothing without editors)."""
    count = getattr(account, "editor_count", 0)
    if not count:
        return ""
    return format_html(
        '<br><span class="govuk-body-s govuk-!-margin-bottom-0">and {} editor{}</span>',
        count,
        "" if count == 1 else "s",
    )
