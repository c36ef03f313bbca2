"""Charts that pages below the reports show: the account page (accounts) cannot import the
reports, so it loads this library and the chart comes from here, drawn as in the reports."""

from django import template
from django.utils.dates import MONTHS_3
from django.utils.html import format_html_join

from accounts.selectors import followers_by_day
from reports.charts import line_chart

register = template.Library()


@register.inclusion_tag("reports/_followers_chart.html")
def followers_over_time(account, days: int = 180):
    """{% followers_over_time account %}: the account's followers per day as a line chart
    (two days or more), with the figures in a table beside it."""
    series = followers_by_day(account, days=days)
    chart = line_chart([(d.strftime("%-d %b"), f) for d, f in series]) if len(series) > 1 else None
    return {
        "account": account,
        "series": series,
        "rows": _day_rows(series),
        "chart": chart,
        "days": days,
        "chart_title": f"Followers of @{account.handle} over time",
        "chart_desc": f"A line, one point per day with a follower count in the last {days} "
        "days; the table below gives the same figures.",
    }


def _day_rows(series) -> str:
    """The table's rows, as markup: drawn here, not by a template loop with two date filters a
    row (half a year of days is the slowest part of the account page)."""
    return format_html_join(
        "",
        '<tr class="govuk-table__row"><td class="govuk-table__cell"><time datetime="{}">{}</time>'
        '</td><td class="govuk-table__cell govuk-table__cell--numeric">{}</td></tr>',
        (
            (day.isoformat(), f"{day.day} {MONTHS_3[day.month].title()} {day.year}", followers)
            for day, followers in series
        ),
    )
