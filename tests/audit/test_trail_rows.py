"""The audit trail's rows are drawn in Python (audit/templatetags/audit_trail.py); they must be
exactly what the template loop they replaced drew, for every shape of event: a reason or none,
changes old and new, only new, None on either side, a scalar or a nested value, no changes."""

import pytest
from django.template import Context, Template

from audit.models import AuditEvent
from audit.services import audit_record
from audit.templatetags.audit_trail import trail_rows

pytestmark = pytest.mark.django_db

# The template loop the tag replaced, as it was.
OLD_LOOP = Template(
    """{% for e in events %}<tr class="govuk-table__row">
      <td class="govuk-table__cell app-numeric">{{ e.sequence }}</td>
      <td class="govuk-table__cell"><time datetime="{{ e.created_at|date:'c' }}">{{ e.created_at|date:"j M Y H:i" }}</time></td>
      <td class="govuk-table__cell">{{ e.actor_label }}</td>
      <td class="govuk-table__cell">{{ e.action }}{% if e.reason %}<br><span class="govuk-body-s">Reason: {{ e.reason }}</span>{% endif %}</td>
      <td class="govuk-table__cell">{{ e.object_repr }}<br><span class="govuk-body-s">{{ e.object_type }} {{ e.object_id }}</span></td>
      <td class="govuk-table__cell govuk-body-s">{% for field, values in e.changes.items %}<strong>{{ field }}</strong>: {% if values.0 is not None %}{{ values.0 }} → {% endif %}{{ values.1 }}<br>{% endfor %}</td>
    </tr>{% endfor %}"""  # noqa: E501
)


def _squeeze(html: str) -> str:
    import re

    return re.sub(r">\s+<", "><", str(html)).strip()


def test_trail_rows_draw_what_the_template_loop_drew(officer):
    shapes = [
        ({"status": ["active", "closed"]}, "Asked by the owner <today>"),
        ({"status": [None, "active"], "count": [3, 4]}, ""),
        ({"flag": [True, False], "nested": [{"a": [1, None]}, ["x", "y"]]}, ""),
        ({"note": "only a string", "number": 7}, "A & B"),
        ({"handle": ["old", None], "short": ["one"]}, ""),
        ({}, ""),
    ]
    for changes, reason in shapes:
        audit_record(
            actor=officer.user, action="test.shape", obj=officer, changes=changes, reason=reason
        )
    events = list(AuditEvent.objects.order_by("-sequence"))
    expected = OLD_LOOP.render(Context({"events": events}))
    assert "→" in expected and "Reason: " in expected  # the shapes reach every branch
    assert _squeeze(trail_rows(events)) == _squeeze(expected)
