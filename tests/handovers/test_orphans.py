"""Marking a mover or leaver (people) and orphaning their accounts (handovers) happen in one
transaction: if either part is refused, nothing is written and nobody is told."""

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import AuditEvent
from handovers import services
from notifications.models import Notification
from people.models import Officer
from tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db


def test_orphaning_records_the_owners_move_and_tells_supervisor_and_press_office(
    administrator, officer, supervisor, account, settings, django_capture_on_commit_callbacks
):
    second = SocialAccountFactory(owner=officer, handle="StechfordWMP")
    with django_capture_on_commit_callbacks(execute=True):
        marked, orphans = services.officer_mark_and_orphan(
            actor=administrator.user, officer_id=officer.pk, status="moved"
        )
    assert marked.status == Officer.Status.MOVED
    assert orphans == [account, second]  # by handle
    orphaned = AuditEvent.objects.filter(action="socialaccount.orphaned")
    assert {e.object_id for e in orphaned} == {str(account.pk), str(second.pk)}
    assert all(e.changes == {"owner_status": ["serving", "moved"]} for e in orphaned)
    assert {e.reason for e in orphaned} == {"Owner moved post"}
    day = f"{timezone.localdate():%-d %B %Y}"
    to_supervisor = [m for m in mail.outbox if m.to == [supervisor.user.email]]
    assert [m.subject for m in to_supervisor] == [
        f"[{settings.PORTAL_NAME}] Hand over @PriyaSharmaWMP: {officer.full_name} has moved post",
        f"[{settings.PORTAL_NAME}] Hand over @StechfordWMP: {officer.full_name} has moved post",
    ]
    assert f"{officer.full_name} has moved post on {day} and still owns @PriyaSharmaWMP." in (
        to_supervisor[0].body
    )
    to_press = [m for m in mail.outbox if m.to == [settings.PRESS_OFFICE_EMAIL]]
    assert len(to_press) == 1
    assert "2 account(s) orphaned" in to_press[0].subject
    assert "handover or closure: @PriyaSharmaWMP, @StechfordWMP." in to_press[0].body


def test_a_refused_orphaning_leaves_the_officer_unmarked(
    administrator, officer, account, monkeypatch
):
    def refuse(**kwargs):
        raise RuntimeError("the account part failed")

    monkeypatch.setattr(services, "orphans_record", refuse)
    with pytest.raises(RuntimeError):
        services.officer_mark_and_orphan(
            actor=administrator.user, officer_id=officer.pk, status="left"
        )
    officer.refresh_from_db()
    officer.user.refresh_from_db()
    assert officer.status == Officer.Status.SERVING and officer.user.is_active
    assert not AuditEvent.objects.filter(action__startswith="officer.marked").exists()
    assert not Notification.objects.exists()


def test_a_refused_orphaning_in_the_hr_import_undoes_every_row(
    administrator, officer, other_officer, account, monkeypatch
):
    calls = []

    def refuse_the_second(**kwargs):
        calls.append(kwargs["officer"])
        if len(calls) == 2:
            raise RuntimeError("the account part failed")
        return []

    monkeypatch.setattr(services, "orphans_record", refuse_the_second)
    today = timezone.localdate().isoformat()
    content = (
        "staff_number,status,date\n"
        f"{officer.staff_number},left,{today}\n"
        f"{other_officer.staff_number},moved,{today}\n"
    )
    with pytest.raises(RuntimeError):
        services.leavers_import_and_orphan(actor=administrator.user, content=content)
    assert len(calls) == 2
    assert set(Officer.objects.values_list("status", flat=True)) == {Officer.Status.SERVING}
    assert not AuditEvent.objects.filter(action__startswith="officer.marked").exists()
