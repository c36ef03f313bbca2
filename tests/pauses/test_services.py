"""Suspending, pausing, lifting and acknowledging, on the database: states, audit rows, the
people told (one message each), and who may do it."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.selectors import verify_chain
from core.errors import DomainError
from notifications.models import Notification
from pauses import services
from pauses.models import Pause, PausedAccount, PauseNotice
from pauses.selectors import pause_labels
from people.roles import Role
from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db


def _suspend(press, account, **kw):
    return services.account_suspend(
        actor=press.user,
        account_id=account.pk,
        reason=kw.get("reason", "Posted about a live court case"),
        review_on=kw.get("review_on", timezone.localdate() + datetime.timedelta(days=14)),
    )


def _events(action, obj):
    return AuditEvent.objects.filter(
        action=action, object_type=obj._meta.label_lower, object_id=str(obj.pk)
    )


def test_suspension_tells_the_owner_is_audited_and_shows_in_the_history(
    press, owner, suspendable, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pause = _suspend(press, suspendable)
    suspendable.refresh_from_db()
    assert suspendable.status == "active"  # the status is untouched: the pause overlays it
    assert pause.kind == Pause.Kind.SUSPENSION and pause.is_open
    assert PausedAccount.objects.get(pause=pause).account == suspendable
    assert pause_labels([suspendable.pk]) == {suspendable.pk: "Suspended"}
    event = _events("socialaccount.suspended", suspendable).get()
    assert event.actor == press.user
    assert event.reason == "Posted about a live court case"
    assert _events("pause.started", pause).count() == 1
    assert [m.to for m in mail.outbox] == [[owner.user.email]]
    assert "Suspended: do not post from @PriyaSharmaWMP" in mail.outbox[0].subject
    assert "Posted about a live court case" in mail.outbox[0].body
    notice = PauseNotice.objects.get(pause=pause)
    assert notice.officer == owner and notice.acknowledged_at is None
    assert list(notice.accounts.all()) == [suspendable]

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.pause_lift(actor=press.user, pause_id=pause.pk, reason="Reviewed: words agreed")
    pause.refresh_from_db()
    assert not pause.is_open and pause.lifted_by == press.user
    assert PausedAccount.objects.get(pause=pause).lifted_at == pause.lifted_at
    assert pause_labels([suspendable.pk]) == {}
    assert _events("socialaccount.suspension_lifted", suspendable).count() == 1
    assert _events("pause.lifted", pause).count() == 1
    assert [m.to for m in mail.outbox] == [[owner.user.email]]
    assert "Suspension lifted" in mail.outbox[0].subject
    actions = list(
        AuditEvent.objects.filter(
            object_type="accounts.socialaccount", object_id=str(suspendable.pk)
        ).values_list("action", flat=True)
    )
    assert actions == ["socialaccount.suspended", "socialaccount.suspension_lifted"]
    assert verify_chain()[1] is None


@pytest.mark.parametrize("days", [0, -1])
def test_review_date_must_be_in_the_future(press, suspendable, days):
    with pytest.raises(DomainError, match="future"):
        _suspend(press, suspendable, review_on=timezone.localdate() + datetime.timedelta(days))
    assert not Pause.objects.exists() and not AuditEvent.objects.exists()


def test_a_second_suspension_and_a_closed_account_are_refused(press, suspendable, owner):
    _suspend(press, suspendable)
    with pytest.raises(DomainError, match="already suspended"):
        _suspend(press, suspendable)
    with transaction.atomic(), pytest.raises(IntegrityError):  # the database says so too
        Pause.objects.create(
            kind="suspension",
            scope="account",
            account=suspendable,
            reason="x",
            review_on=timezone.localdate(),
            started_at=timezone.now(),
            started_by=press.user,
        )
    from tests.factories import SocialAccountFactory

    closed = SocialAccountFactory(owner=owner, status="closed")
    with pytest.raises(DomainError, match="closed"):
        _suspend(press, closed)


@pytest.mark.parametrize("who", ["owner", "supervisor", "auditor", "admin"])
def test_only_the_press_office_suspends_pauses_and_lifts(press, owner, suspendable, lpu, who):
    people = {
        "owner": owner,
        "supervisor": OfficerFactory(roles=[Role.OFFICER, Role.SUPERVISOR]),
        "auditor": OfficerFactory(roles=[Role.AUDITOR]),
        "admin": OfficerFactory(roles=[Role.ADMINISTRATOR]),
    }
    actor = people[who].user
    with pytest.raises(DomainError, match="Only the press office"):
        services.account_suspend(
            actor=actor,
            account_id=suspendable.pk,
            reason="x",
            review_on=timezone.localdate() + datetime.timedelta(days=3),
        )
    with pytest.raises(DomainError, match="Only the press office"):
        services.pause_start(actor=actor, unit=lpu, reason="x")
    pause = _suspend(press, suspendable)
    with pytest.raises(DomainError, match="Only the press office"):
        services.pause_lift(actor=actor, pause_id=pause.pk, reason="x")
    pause.refresh_from_db()
    assert pause.is_open
    assert Pause.objects.count() == 1


def test_a_unit_pause_covers_its_teams_accounts_and_no_others(
    press, lpu, unit_accounts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pause = services.pause_start(actor=press.user, unit=lpu, reason="Major incident in B9")
    covered = set(pause.effects.values_list("account__handle", flat=True))
    assert covered == {"BEastWMP", "StechfordWMP", "StechfordCopsWMP", "HodgeHillWMP"}
    labels = pause_labels(a.pk for a in unit_accounts.values())
    assert set(labels) == {
        unit_accounts[k].pk for k in ("lpu", "stechford_1", "stechford_2", "hodge")
    }
    assert set(labels.values()) == {"Paused"}
    # One record of the pause and one event on each account it covers.
    assert _events("pause.started", pause).get().changes["accounts"] == [None, 4]
    assert AuditEvent.objects.filter(action="socialaccount.paused").count() == 4
    # One message per person, however many of the accounts they post to.
    busy = unit_accounts["stechford_1"].owner
    to = sorted(m.to[0] for m in mail.outbox)
    assert len(to) == 3 and to.count(busy.user.email) == 1
    busy_mail = next(m for m in mail.outbox if m.to == [busy.user.email])
    assert "@StechfordWMP" in busy_mail.body and "@StechfordCopsWMP" in busy_mail.body
    assert unit_accounts["elsewhere"].owner.user.email not in to
    assert PauseNotice.objects.filter(pause=pause).count() == 3
    assert sorted(
        PauseNotice.objects.get(pause=pause, officer=busy).accounts.values_list("handle", flat=True)
    ) == ["StechfordCopsWMP", "StechfordWMP"]
    assert verify_chain()[1] is None


def test_a_force_pause_covers_every_live_account(press, unit_accounts):
    pause = services.pause_start(actor=press.user, unit=None, reason="Force-wide incident")
    assert pause.scope == Pause.Scope.FORCE
    assert pause.effects.count() == 5  # all but the closed one


def test_the_lift_tells_everyone_again_and_leaves_an_overlapping_suspension(
    press, lpu, unit_accounts, django_capture_on_commit_callbacks
):
    hodge = unit_accounts["hodge"]
    suspension = _suspend(press, hodge)
    pause = services.pause_start(actor=press.user, unit=lpu, reason="Incident")
    assert pause_labels([hodge.pk]) == {hodge.pk: "Suspended"}
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.pause_lift(actor=press.user, pause_id=pause.pk, reason="Incident over")
    assert len(mail.outbox) == 3
    assert all("Pause lifted" in m.subject for m in mail.outbox)
    assert AuditEvent.objects.filter(action="socialaccount.pause_lifted").count() == 4
    # The suspension is a pause of its own: lifting the incident pause leaves it.
    assert pause_labels([hodge.pk]) == {hodge.pk: "Suspended"}
    suspension.refresh_from_db()
    assert suspension.is_open
    with pytest.raises(DomainError, match="lifted already"):
        services.pause_lift(actor=press.user, pause_id=pause.pk, reason="again")


def test_a_paused_account_in_a_handover_or_compromised_keeps_its_status(press, lpu, unit_accounts):
    from accounts.models import SocialAccount

    SocialAccount.objects.filter(pk=unit_accounts["hodge"].pk).update(status="compromised")
    pause = services.pause_start(actor=press.user, unit=lpu, reason="Incident")
    effect = pause.effects.get(account=unit_accounts["hodge"])
    assert effect.status_then == "compromised"
    services.pause_lift(actor=press.user, pause_id=pause.pk, reason="over")
    assert SocialAccount.objects.get(pk=unit_accounts["hodge"].pk).status == "compromised"


def test_acknowledgement_is_recorded_audited_and_only_ones_own(press, lpu, unit_accounts):
    pause = services.pause_start(actor=press.user, unit=lpu, reason="Incident")
    busy = unit_accounts["stechford_1"].owner
    stranger = unit_accounts["elsewhere"].owner
    with pytest.raises(DomainError, match="Only someone told"):
        services.pause_acknowledge(actor=stranger.user, pause_id=pause.pk)
    with pytest.raises(DomainError, match="Only someone told"):
        services.pause_acknowledge(actor=press.user, pause_id=pause.pk)
    notice = services.pause_acknowledge(actor=busy.user, pause_id=pause.pk)
    assert notice.officer == busy and notice.acknowledged_at is not None
    event = _events("pause.acknowledged", pause).get()
    assert event.actor == busy.user
    with pytest.raises(DomainError, match="already acknowledged"):
        services.pause_acknowledge(actor=busy.user, pause_id=pause.pk)
    # The others have not acknowledged: the press office sees them waiting.
    waiting = PauseNotice.objects.filter(pause=pause, acknowledged_at__isnull=True)
    assert waiting.count() == 2 and busy.pk not in waiting.values_list("officer", flat=True)
    # Once lifted there is nothing left to acknowledge.
    services.pause_lift(actor=press.user, pause_id=pause.pk, reason="over")
    other = waiting.first().officer
    with pytest.raises(DomainError, match="Only someone told"):
        services.pause_acknowledge(actor=other.user, pause_id=pause.pk)


def test_the_review_date_reminds_the_press_office_once(
    press, suspendable, django_capture_on_commit_callbacks
):
    pause = _suspend(press, suspendable, review_on=timezone.localdate() + datetime.timedelta(3))
    mail.outbox.clear()
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.suspension_review_reminders(now=now + datetime.timedelta(days=2)) == 0
        assert services.suspension_review_reminders(now=now + datetime.timedelta(days=3)) == 1
        assert services.suspension_review_reminders(now=now + datetime.timedelta(days=3)) == 0
        assert services.suspension_review_reminders(now=now + datetime.timedelta(days=9)) == 0
    assert [m.to for m in mail.outbox] == [["press-office@localhost"]]
    assert "Review the suspension of @PriyaSharmaWMP" in mail.outbox[0].subject
    assert Notification.objects.filter(recipient=press.user, kind="pause.review_due").count() == 1
    assert _events("pause.review_reminded", pause).count() == 1


def test_a_lifted_suspension_is_not_reviewed(press, suspendable):
    pause = _suspend(press, suspendable, review_on=timezone.localdate() + datetime.timedelta(3))
    services.pause_lift(actor=press.user, pause_id=pause.pk, reason="done")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=5)):
        assert services.suspension_review_reminders() == 0
