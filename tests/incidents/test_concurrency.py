"""Two people report the same account at the same moment: one incident, both reports on it."""

import threading

import pytest
from celery._state import _set_task_join_will_block
from django.db import connection, connections
from django.utils import timezone

from audit.models import AuditEvent
from incidents import services
from incidents.models import Incident, Report
from tests.factories import OfficerFactory, SocialAccountFactory

TRIALS = 20


def _race(users, account_id):
    barrier = threading.Barrier(len(users))
    results = [None] * len(users)

    def report(i):
        try:
            barrier.wait(timeout=10)
            results[i] = services.incident_report(
                actor=users[i],
                account_id=account_id,
                what_happened=f"Report {i}: posts I did not write.",
                noticed_at=timezone.now(),
                link_clicked="unsure",
            )
        except Exception as exc:  # the test asserts there is none
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=report, args=(i,)) for i in range(len(users))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    # Both reports send mail, and eager Celery (the test settings) marks "inside a task" in a
    # process-wide flag that two threads set and reset out of order; put it back, or later tests
    # that wait on a real worker's result are refused. A real worker has no such overlap.
    _set_task_join_will_block(False)
    return results


@pytest.mark.postgres
# Real commits (threads have their own connections). The flush after a transactional test
# removes the role groups the migrations made; the factories create them again when needed.
@pytest.mark.django_db(transaction=True)
def test_two_reports_at_once_open_exactly_one_incident():
    if connection.vendor != "postgresql":
        pytest.skip(
            "Needs PostgreSQL: SQLite has no row locks and serialises whole transactions, so"
            " this race cannot happen there. Run with DATABASE_URL=postgres://..."
        )
    owner = OfficerFactory()
    reporters = [owner.user, OfficerFactory().user]
    for _ in range(TRIALS):
        account = SocialAccountFactory(owner=owner)
        results = _race(reporters, account.pk)
        assert not [r for r in results if isinstance(r, Exception)], results
        assert sorted(opened for _, opened in results) == [False, True]
        incident = Incident.objects.get(account=account)
        assert Report.objects.filter(incident=incident).count() == 2
        assert (
            AuditEvent.objects.filter(
                action="socialaccount.compromised", object_id=str(account.pk)
            ).count()
            == 1
        )
