"""Every list page runs the same number of queries with 10 rows as with 10,000: rows are paged,
counted and fetched set-based, never a query per row. (Speed itself is measured by
`make bench`, not here.)"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import SocialAccount
from approvals.models import BusinessCase, CaseState
from audit.services import audit_record_many
from tests.factories import BusinessCaseFactory, OfficerFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db

SMALL, LARGE = 10, 10_000


def _accounts(owner, n, start):
    now = timezone.now()
    SocialAccount.objects.bulk_create(
        SocialAccountFactory.build(
            owner=owner,
            unit=owner.unit,
            handle=f"Bulk{start + i}WMP",
            display_name=f"Bulk {start + i}",
            last_post_at=now - timezone.timedelta(days=(start + i) * 7 % 90),
            status="active",
        )
        for i in range(n)
    )


def _cases(applicant, n, start, state):
    now = timezone.now()
    BusinessCase.objects.bulk_create(
        BusinessCaseFactory.build(
            applicant=applicant,
            unit=applicant.unit,
            handle=f"BulkCase{start + i}WMP",
            state=state,
            submitted_at=now,
            state_changed_at=now,
        )
        for i in range(n)
    )


def _events(actor, n):
    accounts = list(SocialAccount.objects.order_by("pk")[:n])
    entries = [(accounts[i % len(accounts)], {"n": [i, i + 1]}) for i in range(n)]
    audit_record_many(actor=actor, action="bulk.step", entries=entries)


def _queries(client, url) -> int:
    client.get(url)  # first use of a session may write it
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


PAGES = {
    "press_officer": [
        reverse("accounts:list"),
        reverse("accounts:list") + "?q=bulk1",
        reverse("accounts:list") + "?dormancy=dormant",
        reverse("accounts:list") + "?sort=-last_post",
        reverse("approvals:press_office_queue"),
        reverse("handovers:queues"),
        reverse("custody:needed"),
        reverse("reports:dormancy"),
        reverse("reports:waiting"),
        reverse("reports:credentials"),
    ],
    "auditor": [reverse("audit:trail"), reverse("audit:trail") + "?page=3"],
    "supervisor": [reverse("approvals:supervisor_queue"), reverse("accounts:list")],
    "anonymous": [reverse("verify:accounts"), reverse("verify:page") + "?handle=Bulk5WMP"],
}


def test_list_pages_run_as_many_queries_at_10_000_rows_as_at_10(
    client, login, press_officer, auditor, supervisor, officer
):
    who = {"press_officer": press_officer, "auditor": auditor, "supervisor": supervisor}
    teammate = OfficerFactory(unit=officer.unit, supervisor=supervisor)

    def measure():
        counts = {}
        for person, urls in PAGES.items():
            client.logout()
            if person != "anonymous":
                login(who[person])
            for url in urls:
                counts[(person, url)] = _queries(client, url)
        return counts

    _accounts(officer, SMALL, 0)
    _cases(teammate, SMALL, 0, CaseState.SUBMITTED)
    _cases(teammate, SMALL, SMALL, CaseState.SUPERVISOR_APPROVED)
    _events(press_officer.user, SMALL)
    small = measure()
    _accounts(officer, LARGE, SMALL)
    _cases(teammate, LARGE // 10, 2 * SMALL, CaseState.SUBMITTED)
    _cases(teammate, LARGE // 10, 2 * SMALL + LARGE, CaseState.SUPERVISOR_APPROVED)
    _events(press_officer.user, LARGE)
    assert SocialAccount.objects.count() >= LARGE
    large = measure()
    assert large == small
