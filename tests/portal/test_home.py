"""Home pages are to-do lists: what waits for the person, oldest first, each a link; a returned
case called out; no wall of zero tiles; the same number of queries however much waits."""

import pytest
from django.urls import reverse

from approvals import services as approvals
from approvals.models import Decision
from tests.factories import (
    BusinessCaseFactory,
    OfficerFactory,
    PolicyVersionFactory,
    SocialAccountFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy(db):
    return PolicyVersionFactory(version="3.0")


def _submit(officer, policy, handle):
    case = BusinessCaseFactory(applicant=officer, handle=handle)
    return approvals.business_case_submit(
        actor=officer.user, case_id=case.pk, policy_id=policy.pk, personal_use_read=True
    )


def _waiting(html: str) -> str:
    return html.split('id="waiting"')[1].split("</ul>")[0]


def test_a_returned_case_is_called_out_on_the_officers_home(officer, supervisor, policy, login):
    case = _submit(officer, policy, "PriyaSharmaWMP")
    approvals.business_case_decide(
        actor=supervisor.user,
        case_id=case.pk,
        outcome=Decision.Outcome.RETURNED,
        comment="Say who covers your leave.",
    )
    html = login(officer).get(reverse("home")).content.decode()
    waiting = _waiting(html)
    assert "Change and resubmit your business case for @PriyaSharmaWMP" in waiting
    assert reverse("approvals:edit", args=[case.pk]) in waiting
    assert ">Returned<" in waiting and "Say who covers your leave." in waiting
    assert "Unread notifications" not in html  # unread mail is not a thing to do


def test_the_supervisors_home_lists_each_case_oldest_first(officer, supervisor, policy, login):
    other = OfficerFactory(unit=officer.unit, supervisor=supervisor)
    first = _submit(officer, policy, "FirstWMP")
    second = _submit(other, policy, "SecondWMP")
    waiting = _waiting(login(supervisor).get(reverse("home")).content.decode())
    assert waiting.index("@FirstWMP") < waiting.index("@SecondWMP")
    assert reverse("approvals:detail", args=[first.pk]) in waiting
    assert reverse("approvals:detail", args=[second.pk]) in waiting


def test_no_zero_tiles_and_tiles_are_links(press_officer, officer, login):
    SocialAccountFactory(owner=officer, status="active")
    html = login(press_officer).get(reverse("home")).content.decode()
    tiles = html.split('class="app-tiles"')
    assert len(tiles) > 1
    for tile in html.split('class="app-tile"')[1:]:
        tile = tile.split("</li>")[0]
        assert "<a " in tile and ">0<" not in tile.replace(" ", "")
    assert "Pending set-up" not in html  # nothing pending: no tile


def test_an_officers_accounts_are_links_to_the_accounts_not_the_register(officer, login):
    accounts = [SocialAccountFactory(owner=officer) for _ in range(2)]
    html = login(officer).get(reverse("home")).content.decode()
    for account in accounts:
        assert reverse("accounts:detail", args=[account.pk]) in html


def test_the_auditor_is_offered_nothing_to_write(auditor, officer, login):
    SocialAccountFactory(owner=officer)
    html = login(auditor).get(reverse("home")).content.decode()
    assert "Write a business case" not in html and "Report a hacked account" not in html
    assert "Nothing is waiting for you." in html


@pytest.mark.parametrize("who", ["officer", "supervisor", "press_officer", "auditor"])
def test_home_runs_the_same_queries_however_much_waits(
    who, request, officer, supervisor, press_officer, auditor, policy, login
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(request.getfixturevalue(who))

    def queries():
        client.get(reverse("home"))  # warm: session, permissions
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("home")).status_code == 200
        return len(ctx.captured_queries)

    def grow(n):
        for i in range(n):
            someone = OfficerFactory(unit=officer.unit, supervisor=supervisor)
            SocialAccountFactory(owner=someone)
            _submit(someone, policy, f"Grow{n}x{i}WMP")
            BusinessCaseFactory(applicant=officer, handle=f"Draft{n}x{i}WMP")

    grow(1)
    few = queries()
    grow(15)  # more than a section shows
    many = queries()
    print(f"home queries for {who}: {few} (little waiting), {many} (much waiting)")
    assert many == few, f"{who}: {few} queries with little waiting, {many} with much"
    assert few <= 40, f"{who}: {few} queries"


def test_the_force_register_tiles_count_each_account_once_whatever_its_past_incidents(
    press_officer, officer
):
    from portal.home import home_for
    from tests.factories import IncidentFactory

    hacked_twice_before = SocialAccountFactory(owner=officer, status="compromised")
    IncidentFactory(account=hacked_twice_before, state="resolved")
    IncidentFactory(account=hacked_twice_before, state="resolved")
    IncidentFactory(account=hacked_twice_before)  # open
    SocialAccountFactory(owner=officer)
    sections = home_for(press_officer.user).sections
    register = next(s for s in sections if s.title == "The force's register")
    counts = {tile.label: tile.count for tile in register.tiles}
    assert counts["Active accounts"] == 1
    assert counts["Compromised"] == 1
    assert counts["Open incidents"] == 1


SHOWN = {
    "officer": ["Accept or decline @", "Confirm @Mine1x0WMP is still needed"],
    "supervisor": ["Decide on the handover of @Team1x0WMP", "as an editor of @Team1x0WMP"],
    "press_officer": [
        "Complete the closure of @",
        "Contain the hack of @",
        "Get the login details of @",
        "Hand over or close @Left1x0WMP",
    ],
}


@pytest.mark.parametrize("who", ["officer", "supervisor", "press_officer"])
def test_every_to_do_source_runs_the_same_queries_however_many_rows(
    who, request, officer, supervisor, press_officer, login
):
    """Each source's rows carry what their line shows (the sources read only some columns and
    joins): more rows in every source never mean more queries."""
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import AccountEditor
    from reminders.models import Recertification
    from tests.factories import AccountTransitionFactory, IncidentFactory

    client = login(request.getfixturevalue(who))

    def queries():
        client.get(reverse("home"))  # warm: session, permissions
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(reverse("home")).content.decode()
        return len(ctx.captured_queries), html

    def grow(n):
        for i in range(n):
            mine = SocialAccountFactory(owner=officer, handle=f"Mine{n}x{i}WMP")
            teammate = OfficerFactory(unit=officer.unit, supervisor=supervisor)
            theirs = SocialAccountFactory(owner=teammate, handle=f"Team{n}x{i}WMP")
            AccountTransitionFactory(account=SocialAccountFactory(), successor=officer)
            AccountTransitionFactory(account=theirs, state="awaiting_supervisor")
            AccountTransitionFactory(state="awaiting_press_office", kind="closure", successor=None)
            IncidentFactory()
            left = OfficerFactory(
                unit=officer.unit,
                supervisor=supervisor,
                status="left",
                status_changed_on=timezone.localdate() - datetime.timedelta(days=3),
            )
            SocialAccountFactory(owner=left, handle=f"Left{n}x{i}WMP")
            Recertification.objects.create(
                account=mine, due_on=timezone.localdate() + datetime.timedelta(days=5)
            )
            AccountEditor.objects.create(
                account=theirs, officer=OfficerFactory(), requested_by=teammate.user
            )

    grow(1)
    few, html = queries()
    for line in SHOWN[who]:
        assert line in html, f"{who}: no “{line}”"
    grow(4)
    many, html = queries()
    print(f"home queries for {who}: {few} (one of each), {many} (five of each)")
    assert many == few, f"{who}: {few} queries with one of each waiting, {many} with five"
