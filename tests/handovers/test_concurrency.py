"""Two supervisors, or two press officers, acting on one handover at the same moment give
exactly one decision (PostgreSQL row locks; like tests/approvals/test_concurrency.py)."""

import threading
from functools import partial

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections

from core.errors import WorkflowError
from handovers import services
from handovers.models import TransitionDecision
from people.roles import Role
from tests.factories import (
    CredentialFactory,
    DelegationFactory,
    OfficerFactory,
    SocialAccountFactory,
)

TRIALS = 50
ITEMS = {"handle_changed", "login_changed", "followers_told", "old_access_removed"}


def _race(calls):
    """Run each call in its own thread, released together by a barrier; returns what each got."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = calls[i]()
        except (WorkflowError, PermissionDenied) as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.mark.postgres
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
    owner = OfficerFactory(supervisor=supervisor, unit=supervisor.unit)
    successor = OfficerFactory(
        supervisor=supervisor, unit=supervisor.unit, first_name="Tom", surname="Khan"
    )
    won_by = {0: 0, 1: 0}
    for trial in range(TRIALS):
        account = SocialAccountFactory(owner=owner, handle=f"Race{trial}WMP")
        transition = services.transition_start(
            actor=owner.user,
            account_id=account.pk,
            kind="handover",
            successor=successor,
            reason="Race",
        )
        services.handover_respond(actor=successor.user, transition_id=transition.pk, accept=True)
        transition.refresh_from_db()
        if stage == "supervisor":
            version = transition.version
            calls = [
                partial(
                    services.transition_decide,
                    actor=user,
                    transition_id=transition.pk,
                    approve=approve,
                    comment="Race",
                    expected_version=version,
                )
                for user, approve in [(supervisor.user, True), (acting.user, False)]
            ]
        else:
            services.transition_decide(
                actor=supervisor.user, transition_id=transition.pk, approve=True
            )
            CredentialFactory(account=account)  # new login details, lodged after the start
            transition.refresh_from_db()
            version = transition.version
            calls = [
                partial(
                    services.handover_complete,
                    actor=p.user,
                    transition_id=transition.pk,
                    ticked=ITEMS,
                    new_handle=f"TK{trial}x{i}WMP",
                    new_display_name="PC Tom Khan",
                    expected_version=version,
                )
                for i, p in enumerate(press)
            ]
        results = _race(calls)
        decisions = TransitionDecision.objects.filter(transition=transition, stage=stage)
        assert decisions.count() == 1, f"trial {trial}: {results}"
        won = [i for i, r in enumerate(results) if not isinstance(r, Exception)]
        lost = [r for r in results if isinstance(r, WorkflowError)]
        assert len(won) == 1 and len(lost) == 1, f"trial {trial}: {results}"
        won_by[won[0]] += 1
        transition.refresh_from_db()
        account.refresh_from_db()
        if stage == "supervisor":
            approved = decisions.get().outcome == "approved"
            assert transition.state == ("awaiting_press_office" if approved else "rejected")
            assert account.status == ("handover_pending" if approved else "active")
        else:
            assert transition.state == "completed"
            assert account.owner == successor and account.handle == f"TK{trial}x{won[0]}WMP"
    assert sum(won_by.values()) == TRIALS
