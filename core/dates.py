"""Dates drawn in Python as the templates' `date` filter draws them, for table rows built with
format_html_join instead of a template loop (a filter per cell was most of a long list's time)."""

from datetime import datetime

from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.html import format_html


def _local(value):
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def short_date(value) -> str:
    """`value|date:"j M Y"`: "1 Jan 2026" (a time in local time); "" for none."""
    if value is None:
        return ""
    value = _local(value)
    return f"{value.day} {MONTHS_3[value.month].title()} {value.year}"


def time_tag(value, *, with_time: bool = False) -> str:
    """`<time datetime="{{ value|date:'c' }}">{{ value|date:"j M Y" }}</time>` (with_time:
    `date:"j M Y H:i"`)."""
    value = _local(value)
    shown = f"{short_date(value)} {value:%H:%M}" if with_time else short_date(value)
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), shown)
