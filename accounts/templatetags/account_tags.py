"""An account's status and activity as GOV.UK tags, from Python: the register shows two per row,
and a template include per tag cost more than the rest of the row."""

from django import template
from django.utils.html import format_html, format_html_join

from accounts.models import Dormancy, SocialAccount
from core.dates import time_tag
from core.links import id_path_prefix

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


PLATFORM_LABELS = dict(SocialAccount.Platform.choices)
KIND_LABELS = dict(SocialAccount.Kind.choices)


def account_path_prefix() -> str:
    """The account page's path less its id and closing slash ("/register/")."""
    return id_path_prefix("accounts:detail")


@register.simple_tag
def register_rows(accounts, pause_tags=None):
    """`{% register_rows page.object_list pause_tags %}`: the register's rows, drawn here and
    not by a template loop (fifty rows of URLs, filters and tags were half of the page's time).
    `pause_tags`: {account id: its "Suspended" or "Paused" tag} from the pauses app."""
    pause_tags = pause_tags or {}
    detail = account_path_prefix()
    return format_html_join(
        "\n",
        '<tr class="govuk-table__row">'
        '<td class="govuk-table__cell"><a class="govuk-link" href="{}{}/">@{}</a><br>'
        '<span class="govuk-body-s">{} · {}</span></td>'
        '<td class="govuk-table__cell">{}</td>'
        '<td class="govuk-table__cell">{}{}</td>'
        '<td class="govuk-table__cell">{}</td>'
        '<td class="govuk-table__cell">{} {}</td>'
        '<td class="govuk-table__cell">{}{}</td>'
        "</tr>",
        (
            (
                detail,
                account.pk,
                account.handle,
                PLATFORM_LABELS.get(account.platform, account.platform),
                account.display_name,
                KIND_LABELS.get(account.kind, account.kind),
                account.owner.full_name,
                editors_note(account),
                account.unit.name,
                status_tag(account),
                pause_tags.get(account.pk, ""),
                format_html("{}<br>", time_tag(account.last_post_at))
                if account.last_post_at
                else "",
                dormancy_tag(account.dormancy_level),
            )
            for account in accounts
        ),
    )
