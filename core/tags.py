"""A GOV.UK tag (`<strong class="govuk-tag govuk-tag--colour">label</strong>`) for a state, from
Python: lists show one on every row, and a template include per row cost more than the rest of
the row. Each app says its states' colours in its own template tags; this writes the markup."""

from django.utils.html import format_html


def govuk_tag(label: str, colour: str):
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, label)
