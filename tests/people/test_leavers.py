"""Done when: marking an officer as left ends their sessions, orphans their accounts and
proposes handovers; the HR import is row by row and all or nothing."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import SocialAccount
from accounts.selectors import orphaned_accounts
from audit.models import AuditEvent
from notifications.models import Notification
from people import services
from people.models import Officer
from tests.factories import PASSWORD, OfficerFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db


def _signed_in(person) -> Client:
    other = Client()
    assert other.login(username=person.user.username, password=PASSWORD)
    assert other.get(reverse("home")).status_code == 200
    return other


def test_marking_a_leaver_ends_their_sessions_orphans_their_accounts_and_proposes_handovers(
    post, login, officer, supervisor, administrator, account, settings
):
    closed = SocialAccountFactory(owner=officer, status=SocialAccount.Status.CLOSED)
    leaver_client = _signed_in(officer)
    assert Session.objects.count() == 1

    login(administrator)
    today = timezone.localdate()
    response = post(
        reverse("handovers:leavers"),
        {"mark": "1", "officer": officer.pk, "status": "left", "on": today.isoformat()},
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    officer.user.refresh_from_db()
    assert officer.status == Officer.Status.LEFT and officer.status_changed_on == today
    assert not officer.user.is_active

    # Their session is gone: the next request is signed out, and they cannot sign in again.
    response = leaver_client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert not Client().login(username=officer.user.username, password=PASSWORD)
    assert not Session.objects.filter(session_key=leaver_client.session.session_key).exists()

    # Their live account is an orphan; the closed one is not.
    assert list(orphaned_accounts()) == [account]
    assert closed not in orphaned_accounts()
    marked = AuditEvent.objects.get(action="officer.marked_left", object_id=str(officer.pk))
    assert marked.changes["status"] == ["serving", "left"]
    assert marked.changes["sessions_ended"] == [None, 1]
    assert AuditEvent.objects.filter(
        action="socialaccount.orphaned", object_id=str(account.pk)
    ).exists()

    # The supervisor is asked to propose a handover, with a link that starts one.
    note = Notification.objects.get(
        recipient=supervisor.user, kind="handover.proposed_to_supervisor"
    )
    start = reverse("handovers:start", args=[account.pk])
    assert note.link == f"{start}?kind=handover"
    to_supervisor = [m for m in mail.outbox if m.to == [supervisor.user.email]]
    assert len(to_supervisor) == 1 and "@PriyaSharmaWMP" in to_supervisor[0].subject
    assert settings.PRESS_OFFICE_EMAIL in [a for m in mail.outbox for a in m.to]

    # Following that link, the supervisor starts the handover for the leaver's account.
    successor = OfficerFactory(unit=officer.unit, supervisor=supervisor)
    client = login(supervisor)
    page = client.get(f"{start}?kind=handover").content.decode()
    radio = page[page.index('value="handover"') :][:80]
    assert 'checked="checked"' in radio
    response = post(
        start, {"kind": "handover", "successor": successor.pk, "reason": "PC left the force"}
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.status == SocialAccount.Status.HANDOVER_PENDING
    assert account not in orphaned_accounts()


def test_a_mover_keeps_signing_in_but_their_accounts_become_orphans(
    administrator, officer, account
):
    mover = _signed_in(officer)
    services.officer_mark_moved(actor=administrator.user, officer_id=officer.pk)
    officer.refresh_from_db()
    assert officer.status == Officer.Status.MOVED
    assert mover.get(reverse("home")).status_code == 200
    assert list(orphaned_accounts()) == [account]


def test_only_an_administrator_marks_officers(login, officer, supervisor, press_officer):
    for person in (officer, supervisor, press_officer):
        client = login(person)
        assert client.get(reverse("handovers:leavers")).status_code == 403
        client.post(
            reverse("handovers:leavers"),
            {"mark": "1", "officer": officer.pk, "status": "left", "on": "2026-01-01"},
        )
        client.logout()
    officer.refresh_from_db()
    assert officer.status == Officer.Status.SERVING
    with pytest.raises(services.PermissionDenied):
        services.officer_mark_left(actor=supervisor.user, officer_id=officer.pk)


def _upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("hr.csv", text.encode(), content_type="text/csv")


def test_hr_import_with_a_bad_row_imports_nothing_and_reports_each_line(
    post, login, administrator, officer, other_officer, account
):
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    text = (
        "staff_number,status,date\n"
        f"{officer.staff_number},left,{yesterday}\n"
        f"99999,moved,{yesterday}\n"
        f"{other_officer.staff_number},retired,{yesterday}\n"
        f"{other_officer.staff_number},moved,24/11/2026\n"
    )
    login(administrator)
    response = post(reverse("handovers:leavers"), {"import": "1", "file": _upload(text)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "Line 3: no officer has staff number &#x27;99999&#x27;" in page
    assert "Line 4: status must be &#x27;moved&#x27; or &#x27;left&#x27;" in page
    assert "Line 5:" in page and "appears twice" in page and "2026-11-24" in page
    assert "Line 2" not in page
    officer.refresh_from_db()
    officer.user.refresh_from_db()
    assert officer.status == Officer.Status.SERVING and officer.user.is_active
    assert not AuditEvent.objects.filter(action__startswith="officer.marked").exists()
    assert not orphaned_accounts().exists()
    assert mail.outbox == []


def test_hr_import_of_good_rows_marks_every_officer_in_one_go(
    post, login, administrator, officer, other_officer, account, supervisor
):
    other_account = SocialAccountFactory(owner=other_officer)
    today = timezone.localdate().isoformat()
    text = (
        "Staff_Number,Status,Date\n"
        f"{officer.staff_number},left,{today}\n"
        f"{other_officer.staff_number},moved,{today}\n"
    )
    login(administrator)
    response = post(reverse("handovers:leavers"), {"import": "1", "file": _upload(text)})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="import-report"' in page and "@PriyaSharmaWMP" in page
    officer.refresh_from_db()
    other_officer.refresh_from_db()
    assert officer.status == Officer.Status.LEFT and other_officer.status == Officer.Status.MOVED
    assert set(orphaned_accounts()) == {account, other_account}
    reasons = set(
        AuditEvent.objects.filter(action__startswith="officer.marked").values_list(
            "reason", flat=True
        )
    )
    assert reasons == {"HR import, line 2", "HR import, line 3"}
    assert Notification.objects.filter(
        recipient=supervisor.user, kind="handover.proposed_to_supervisor"
    ).exists()
