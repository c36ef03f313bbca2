"""Two deciders at the same moment give exactly one decision; a form posted twice, one decision."""

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections
from django.urls import reverse

from approvals import services
from approvals.models import BusinessCase, Decision
from core.errors import WorkflowError
from people.roles import Role
from tests.factories import (
    BusinessCaseFactory,
    DelegationFactory,
    OfficerFactory,
    PolicyVersionFactory,
)

TRIALS = 50


def _race(actors, case_id, outcomes, version):
    """Start one thread per actor, released together by a barrier; returns what each got."""
    barrier = threading.Barrier(len(actors))
    results = [None] * len(actors)

    def decide(i):
        try:
            barrier.wait(timeout=10)
            results[i] = services.business_case_decide(
                actor=actors[i],
                case_id=case_id,
                outcome=outcomes[i],
                comment="Race",
                expected_version=version,
            )
        except (WorkflowError, PermissionDenied) as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(len(actors))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.mark.postgres
# Real commits (threads have their own connections). The flush after a transactional test
# removes the role groups the migrations made; the factories create them again when needed.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("stage", ["supervisor", "press_office"])
def test_two_deciders_at_once_give_exactly_one_decision_each_time(stage):
    if connection.vendor != "postgresql":
        pytest.skip(
            "Needs PostgreSQL: SQLite has no row locks and serialises whole transactions, so"
            " this race cannot happen there. Run with DATABASE_URL=postgres://..."
        )
    supervisor = OfficerFactory(rank="sergeant", roles=[Role.OFFICER, Role.SUPERVISOR])
    acting = OfficerFactory(rank="sergeant", roles=[Role.OFFICER, Role.SUPERVISOR])
    DelegationFactory(supervisor=supervisor, acting=acting)
    press = [
        OfficerFactory(rank="staff", roles=[Role.OFFICER, Role.PRESS_OFFICE]) for _ in range(2)
    ]
    officer = OfficerFactory(supervisor=supervisor, unit=supervisor.unit)
    policy = PolicyVersionFactory()
    deciders = [supervisor.user, acting.user] if stage == "supervisor" else [p.user for p in press]
    outcomes = [Decision.Outcome.APPROVED, Decision.Outcome.REJECTED]
    won_by = {0: 0, 1: 0}
    for trial in range(TRIALS):
        case = BusinessCaseFactory(applicant=officer, handle=f"Race{trial}WMP")
        services.business_case_submit(
            actor=officer.user, case_id=case.pk, policy_id=policy.pk, personal_use_read=True
        )
        if stage == "press_office":
            services.business_case_decide(
                actor=supervisor.user, case_id=case.pk, outcome="approved"
            )
        case.refresh_from_db()
        results = _race(deciders, case.pk, outcomes, case.version)
        decisions = list(Decision.objects.filter(case=case, stage=stage))
        assert len(decisions) == 1, f"trial {trial}: {len(decisions)} decisions {results}"
        won = [i for i, r in enumerate(results) if isinstance(r, Decision)]
        lost = [r for r in results if isinstance(r, WorkflowError)]
        assert len(won) == 1 and len(lost) == 1, f"trial {trial}: {results}"
        won_by[won[0]] += 1
        case.refresh_from_db()
        approved = decisions[0].outcome == Decision.Outcome.APPROVED
        if stage == "supervisor":
            expected = "supervisor_approved" if approved else "rejected"
        else:
            expected = "signed_off" if approved else "rejected"
            assert (case.account is not None) is approved
        assert case.state == expected
    assert sum(won_by.values()) == TRIALS


@pytest.mark.django_db
def test_the_same_decision_form_posted_twice_makes_one_decision(
    login, officer, supervisor, django_capture_on_commit_callbacks
):
    from django.core import mail

    policy = PolicyVersionFactory()
    case = BusinessCaseFactory(applicant=officer)
    services.business_case_submit(
        actor=officer.user, case_id=case.pk, policy_id=policy.pk, personal_use_read=True
    )
    client = login(supervisor)
    form = {"outcome": "approved", "comment": "Fine", "version": "1-submitted"}
    url = reverse("approvals:decide", args=[case.pk])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, form)
        second = client.post(url, form, follow=True)
    assert first.status_code == 302 and second.status_code == 200
    assert "nothing was recorded" in second.content.decode()
    assert Decision.objects.filter(case=case).count() == 1
    assert [m.to for m in mail.outbox].count([officer.user.email]) == 1


@pytest.mark.django_db
def test_a_decision_form_left_open_across_a_resubmission_decides_nothing(
    login, officer, supervisor
):
    policy = PolicyVersionFactory()
    case = BusinessCaseFactory(applicant=officer)
    services.business_case_submit(
        actor=officer.user, case_id=case.pk, policy_id=policy.pk, personal_use_read=True
    )
    services.business_case_decide(
        actor=supervisor.user, case_id=case.pk, outcome="returned", comment="Add a plan"
    )
    services.business_case_submit(
        actor=officer.user, case_id=case.pk, policy_id=policy.pk, personal_use_read=True
    )
    # The supervisor's old tab still holds submission 1.
    login(supervisor).post(
        reverse("approvals:decide", args=[case.pk]),
        {"outcome": "rejected", "comment": "Old tab", "version": "1-submitted"},
    )
    case.refresh_from_db()
    assert case.state == BusinessCase.State.SUBMITTED
    assert Decision.objects.filter(case=case).count() == 1
