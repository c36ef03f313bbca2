from django import template
from django.template.defaultfilters import timesince_filter
from django.utils.html import format_html, format_html_join

from approvals.models import BusinessCase, CaseState
from core.dates import time_tag
from core.links import id_path_prefix
from core.tags import govuk_tag

register = template.Library()

COLOURS = {
    CaseState.DRAFT: "grey",
    CaseState.RETURNED: "orange",
    CaseState.REJECTED: "red",
    CaseState.WITHDRAWN: "red",
    CaseState.REGISTERED: "green",
    CaseState.SIGNED_OFF: "turquoise",
}
LABELS = dict(CaseState.choices)


@register.simple_tag
def case_state_tag(case):
    """The case's state as a GOV.UK tag (blue while it waits for a decision)."""
    return govuk_tag(LABELS.get(case.state, case.state), COLOURS.get(case.state, "blue"))


PLATFORM_LABELS = dict(BusinessCase._meta.get_field("platform").choices)
KIND_LABELS = dict(BusinessCase._meta.get_field("kind").choices)


@register.simple_tag
def case_rows(cases, show_applicant=False):
    """`{% case_rows page.object_list show_applicant %}`: a queue's rows, drawn here and not by
    a template loop (a URL tag and three date filters a row were most of a queue's time)."""
    detail = id_path_prefix("approvals:detail")
    return format_html_join(
        "\n",
        '<tr class="govuk-table__row"><td class="govuk-table__cell"><a class="govuk-link" '
        'href="{}{}/">@{}</a><br><span class="govuk-body-s">{}, {}</span></td>{}'
        '<td class="govuk-table__cell">{}</td>'
        '<td class="govuk-table__cell app-numeric" data-age-days="{}">{}</td>'
        '<td class="govuk-table__cell">{} ({} ago)</td></tr>',
        (
            (
                detail,
                case.pk,
                case.handle,
                PLATFORM_LABELS.get(case.platform, case.platform),
                str(KIND_LABELS.get(case.kind, case.kind)).lower(),
                format_html(
                    '<td class="govuk-table__cell">{}<br><span class="govuk-body-s">{}</span></td>',
                    case.applicant.full_name,
                    case.unit,
                )
                if show_applicant
                else "",
                case_state_tag(case),
                case.days_in_state,
                case.days_in_state,
                time_tag(case.state_changed_at, with_time=True),
                timesince_filter(case.state_changed_at),
            )
            for case in cases
        ),
    )
