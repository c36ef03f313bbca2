"""Whoever loses a decision race (no version in the form, so only the state tells) is told, in
the terms of their own role, who decided first and what state the case is in now."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from approvals import services
from approvals.models import Decision
from core.errors import WorkflowError
from people.roles import Role
from tests.factories import DelegationFactory, OfficerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def acting(supervisor):
    acting = OfficerFactory(rank="sergeant", roles=[Role.OFFICER, Role.SUPERVISOR])
    DelegationFactory(supervisor=supervisor, acting=acting)
    return acting


@pytest.fixture
def other_press_officer(db):
    return OfficerFactory(rank="staff", roles=[Role.OFFICER, Role.PRESS_OFFICE])


def _decide(person, case, outcome="approved"):
    return services.business_case_decide(
        actor=person.user, case_id=case.pk, outcome=outcome, comment="Because"
    )


def test_a_supervisor_who_loses_to_the_acting_supervisor_is_told_so(submitted, supervisor, acting):
    _decide(acting, submitted)
    # Refused as not theirs (the case waits for the press office), in words that say why.
    with pytest.raises(PermissionDenied) as lost:
        _decide(supervisor, submitted, "rejected")
    message = str(lost.value)
    assert message == (
        "This case was already decided at the supervisor stage, by another supervisor or acting"
        " supervisor; nothing was recorded. It is now waiting for the press office."
    )
    assert "press office must" not in message and "member of the press office" not in message
    assert Decision.objects.filter(case=submitted).count() == 1


def test_a_supervisor_who_loses_to_a_return_is_told_the_state(submitted, supervisor, acting):
    _decide(supervisor, submitted, "returned")
    with pytest.raises(WorkflowError) as lost:
        _decide(acting, submitted)
    assert str(lost.value) == (
        "This case was already decided at the supervisor stage, by another supervisor or acting"
        " supervisor; nothing was recorded. It is now returned for changes."
    )


def test_a_supervisor_who_posts_twice_is_told_they_decided_it(submitted, supervisor):
    _decide(supervisor, submitted)
    with pytest.raises(PermissionDenied, match="at the supervisor stage, by you; nothing was"):
        _decide(supervisor, submitted)


def test_a_press_officer_who_loses_is_told_of_the_press_office(
    supervisor_approved, press_officer, other_press_officer
):
    _decide(press_officer, supervisor_approved)
    with pytest.raises(WorkflowError) as lost:
        _decide(other_press_officer, supervisor_approved, "rejected")
    assert str(lost.value) == (
        "This case was already decided by another member of the press office; nothing was"
        " recorded. It is now signed off: account being set up."
    )
    assert Decision.objects.filter(case=supervisor_approved, stage="press_office").count() == 1


def test_the_losing_supervisor_sees_the_words_on_the_page(login, submitted, supervisor, acting):
    _decide(acting, submitted)
    client = login(supervisor)
    response = client.post(
        reverse("approvals:decide", args=[submitted.pk]),
        {"outcome": "approved", "comment": "Fine"},
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "already decided at the supervisor stage, by another supervisor or acting" in html
    assert "another member of the press office" not in html


def test_with_the_version_in_the_form_the_loser_gets_the_same_words(submitted, supervisor, acting):
    version = submitted.version
    _decide(acting, submitted, "rejected")
    with pytest.raises(WorkflowError) as lost:
        services.business_case_decide(
            actor=supervisor.user,
            case_id=submitted.pk,
            outcome="approved",
            expected_version=version,
        )
    assert str(lost.value) == (
        "This case was already decided at the supervisor stage, by another supervisor or acting"
        " supervisor; nothing was recorded. It is now rejected."
    )
