"""The audit trail's rows drawn in Python (format_html_join), not by a template loop: fifty
events of dates, changes and their filters were most of the trail page's time. Each row is
exactly what the template drew."""

from django import template
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join

from core.dates import time_tag

register = template.Library()

_MISSING = object()


def _at(values, index: int):
    """`values.0` as a template looks it up: a key "0", else an index; _MISSING if neither."""
    for key in (str(index), index):
        try:
            return values[key]
        except (TypeError, KeyError, IndexError, AttributeError, ValueError):
            continue
    return _MISSING


def _shown(value) -> str:
    """A value as `{{ value }}` draws it ("" for a lookup that failed)."""
    return "" if value is _MISSING else localize(value)


def _change(field, values) -> str:
    old, new = _at(values, 0), _at(values, 1)
    if old is not _MISSING and old is not None:
        return format_html("<strong>{}</strong>: {} → {}<br>", field, _shown(old), _shown(new))
    return format_html("<strong>{}</strong>: {}<br>", field, _shown(new))


def _changes(changes) -> str:
    return format_html_join("", "{}", ((_change(f, v),) for f, v in changes.items()))


@register.simple_tag
def trail_rows(events):
    """`{% trail_rows page.object_list %}`: each event's number, time, actor, action (and its
    reason), object and changes."""
    return format_html_join(
        "\n",
        '<tr class="govuk-table__row"><td class="govuk-table__cell app-numeric">{}</td>'
        '<td class="govuk-table__cell">{}</td><td class="govuk-table__cell">{}</td>'
        '<td class="govuk-table__cell">{}{}</td>'
        '<td class="govuk-table__cell">{}<br><span class="govuk-body-s">{} {}</span></td>'
        '<td class="govuk-table__cell govuk-body-s">{}</td></tr>',
        (
            (
                localize(e.sequence),
                time_tag(e.created_at, with_time=True),
                e.actor_label,
                e.action,
                format_html('<br><span class="govuk-body-s">Reason: {}</span>', e.reason)
                if e.reason
                else "",
                e.object_repr,
                e.object_type,
                localize(e.object_id),
                _changes(e.changes) if isinstance(e.changes, dict) else "",
            )
            for e in events
        ),
    )
