"""Report tables' rows drawn in Python (format_html_join), not by template loops: a report's
tables are hundreds of cells, and a template node per value with its filters and URL tags was
most of a report page's time. Each function draws exactly what the template drew."""

from django import template
from django.utils.html import format_html, format_html_join

from accounts.models import SocialAccount
from accounts.templatetags.account_tags import account_path_prefix, editors_note
from core.dates import short_date, time_tag

register = template.Library()

PLATFORM_LABELS = dict(SocialAccount.Platform.choices)


@register.simple_tag
def dormancy_unit_rows(rows):
    """The dormancy report's units: each unit's count at each level, linked to its drill-down."""
    return format_html_join(
        "\n",
        '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">'
        '<a class="govuk-link" href="?unit={}#drill-down">{}</a></th>{}'
        '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td></tr>',
        ((row["unit_id"], row["unit"], _level_cells(row), row["total"]) for row in rows),
    )


def _level_cells(row):
    return format_html_join(
        "",
        '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>',
        ((_level_count(row, level, count),) for level, count in row["counts"]),
    )


def _level_count(row, level, count):
    if not count:
        return 0
    return format_html(
        '<a class="govuk-link" href="?unit={}&amp;level={}#drill-down">{}'
        '<span class="govuk-visually-hidden"> {} in {}</span></a>',
        row["unit_id"],
        level.value,
        count,
        str(level.label).lower(),
        row["unit"],
    )


@register.simple_tag
def dormancy_account_rows(accounts):
    """The dormancy report's drill-down: each account, its owner, unit and last post."""
    detail = account_path_prefix()
    return format_html_join(
        "\n",
        '<tr class="govuk-table__row"><td class="govuk-table__cell"><a class="govuk-link" '
        'href="{}{}/">@{}</a> <span class="govuk-body-s">{}</span></td>'
        '<td class="govuk-table__cell">{}{}</td><td class="govuk-table__cell">{}</td>'
        '<td class="govuk-table__cell">{}</td></tr>',
        (
            (
                detail,
                account.pk,
                account.handle,
                PLATFORM_LABELS.get(account.platform, account.platform),
                account.owner.full_name,
                editors_note(account),
                account.unit.name,
                time_tag(account.last_post_at) if account.last_post_at else "No activity recorded",
            )
            for account in accounts
        ),
    )


@register.simple_tag
def waiting_rows(rows):
    """The waiting report's cases: what waits, for whom, since when."""
    return format_html_join(
        "\n",
        '<tr class="govuk-table__row"><td class="govuk-table__cell"><a class="govuk-link" '
        'href="{}">{}: {}</a><br><span class="govuk-body-s">{}</span></td>'
        '<td class="govuk-table__cell">{}<br><span class="govuk-body-s">{}</span></td>'
        '<td class="govuk-table__cell">{}</td><td class="govuk-table__cell">{}</td>'
        '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>'
        '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td></tr>',
        (
            (
                row["url"],
                row["kind"],
                row["subject"],
                row["state"],
                row["person"],
                row["unit"],
                row["waiting_for"],
                time_tag(row["since"]),
                row["days"],
                row["working_days"],
            )
            for row in rows
        ),
    )


@register.simple_tag
def credentials_rows(accounts):
    """The credentials report's accounts: why each needs its login details lodged."""
    detail = account_path_prefix()
    return format_html_join(
        "\n",
        '<tr class="govuk-table__row"><td class="govuk-table__cell"><a class="govuk-link" '
        'href="{}{}/">@{}</a> <span class="govuk-body-s">{}</span></td>'
        '<td class="govuk-table__cell">{}</td><td class="govuk-table__cell">{}</td>'
        '<td class="govuk-table__cell">{}</td></tr>',
        (
            (
                detail,
                account.pk,
                account.handle,
                PLATFORM_LABELS.get(account.platform, account.platform),
                account.owner.full_name,
                account.unit.name,
                _credential_why(account),
            )
            for account in accounts
        ),
    )


def _credential_why(account) -> str:
    if not account.credential_lodged_at:
        return "Not lodged"
    return format_html(
        "Out of date: lodged {}, before the change on {}",
        short_date(account.credential_lodged_at),
        short_date(account.credentials_required_since),
    )
