"""Whoever loses a handover decision race (no version in the form) is told, in the terms of
their own role, who decided first and what state the handover is in now."""

import pytest
from django.utils import timezone

from core.errors import WorkflowError
from handovers import services
from handovers.models import TransitionDecision
from people.roles import Role
from tests.factories import AccountTransitionFactory, DelegationFactory, OfficerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def closure(account):
    return AccountTransitionFactory(
        account=account, kind="closure", successor=None, state="awaiting_supervisor"
    )


def test_a_supervisor_who_loses_to_the_acting_supervisor_is_told_so(closure, supervisor):
    acting = OfficerFactory(rank="sergeant", roles=[Role.OFFICER, Role.SUPERVISOR])
    DelegationFactory(supervisor=supervisor, acting=acting)
    services.transition_decide(actor=acting.user, transition_id=closure.pk, approve=True)
    with pytest.raises(WorkflowError) as lost:
        services.transition_decide(
            actor=supervisor.user, transition_id=closure.pk, approve=False, comment="No"
        )
    message = str(lost.value)
    assert message == (
        "This was already decided at the supervisor stage, by another supervisor or acting"
        " supervisor; nothing was recorded. It is now waiting for the press office."
    )
    assert "member of the press office" not in message
    assert closure.decisions.filter(stage=TransitionDecision.Stage.SUPERVISOR).count() == 1


def test_a_press_officer_who_loses_is_told_of_the_press_office(closure, supervisor):
    first, second = (
        OfficerFactory(rank="staff", roles=[Role.OFFICER, Role.PRESS_OFFICE]) for _ in range(2)
    )
    services.transition_decide(actor=supervisor.user, transition_id=closure.pk, approve=True)
    services.transition_decide(
        actor=first.user, transition_id=closure.pk, approve=False, comment="Keep it"
    )
    with pytest.raises(WorkflowError) as lost:
        services.closure_complete(
            actor=second.user,
            transition_id=closure.pk,
            ticked=set(),
            deactivated_on=timezone.localdate(),
        )
    assert str(lost.value) == (
        "This was already rejected by another member of the press office; nothing was"
        " recorded. It is now rejected."
    )
