"""The business-case form under arbitrary input (issue 12, part 3): no input raises; bad input is a
message on a field; what the form accepts the service writes whole, or refuses writing nothing."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from approvals import services
from approvals.forms import BusinessCaseForm
from approvals.models import CASE_FIELDS, BusinessCase
from audit.models import AuditEvent
from core.errors import DomainError

TEXT = st.text(max_size=300)
PLAUSIBLE = {
    "platform": st.sampled_from(["x", "facebook", "instagram", "X", "myspace", ""]),
    "kind": st.sampled_from(["individual", "team", "corporate", "", "nobody"]),
    "handle": st.one_of(
        st.sampled_from(["PriyaSharmaWMP", "@TeamWMP", "a" * 16, "has space", "ok_handle"]),
        st.from_regex(r"@?[A-Za-z0-9_]{1,20}", fullmatch=True),
    ),
    "hours_per_week": st.one_of(
        st.sampled_from(["3", "2.5", "0", "-1", "40", "40.5", "168", "1e3", "NaN", "Infinity"]),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
    ),
    "is_event_or_campaign": st.sampled_from(["yes", "no", "", "maybe"]),
}


VALID = dict.fromkeys(CASE_FIELDS, "Residents of the ward and local businesses.") | {
    "platform": "x",
    "kind": "individual",
    "handle": "PriyaSharmaWMP",
    "display_name": "PC Priya Sharma",
    "hours_per_week": "3",
    "is_event_or_campaign": "no",
    "hashtag_alternative": "",
}


def _field(name):
    return st.one_of(PLAUSIBLE.get(name, st.just(VALID[name])), TEXT)


# Any field missing and any text in any of them; or a good case with some fields changed (so
# that many examples reach the service too).
POSTS = st.one_of(
    st.fixed_dictionaries({}, optional={name: _field(name) for name in CASE_FIELDS}),
    st.sets(st.sampled_from(CASE_FIELDS), max_size=3)
    .flatmap(lambda names: st.fixed_dictionaries({name: _field(name) for name in names}))
    .map(lambda changes: VALID | changes),
)
SEEN = {"valid": 0, "invalid": 0}


@pytest.mark.django_db
@settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(post=POSTS)
@example(post=dict.fromkeys(CASE_FIELDS, "x") | {"hours_per_week": "NaN"})
@example(post={"handle": "\x00", "display_name": "\x00"})
def test_no_post_to_the_case_form_raises_and_nothing_is_half_written(officer, post):
    with transaction.atomic():
        cases, events = BusinessCase.objects.count(), AuditEvent.objects.count()
        form = BusinessCaseForm(post, applicant=officer)
        if not form.is_valid():
            SEEN["invalid"] += 1
            assert form.errors
            for name, messages in form.errors.items():
                assert name in form.fields or name == "__all__"
                assert all(isinstance(m, str) and m.strip() for m in messages)
            assert BusinessCase.objects.count() == cases
        else:
            SEEN["valid"] += 1
            try:
                case = services.business_case_create(actor=officer.user, data=form.cleaned_data)
            except (PermissionDenied, DomainError):
                assert BusinessCase.objects.count() == cases
                assert AuditEvent.objects.count() == events
            else:
                assert BusinessCase.objects.count() == cases + 1
                assert (
                    AuditEvent.objects.filter(
                        action="business_case.created", object_id=str(case.pk)
                    ).count()
                    == 1
                )
        transaction.set_rollback(True)


def test_the_case_form_examples_reached_the_service():
    """Run after the property above (same module, in order): both sides were exercised."""
    if SEEN["valid"] + SEEN["invalid"]:
        print(SEEN)
        assert SEEN["valid"] and SEEN["invalid"], SEEN
