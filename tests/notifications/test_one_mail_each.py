"""Mail noise: one e-mail per person per event however many roles put them on the list, none
about a person's own action, and the press office's shared mailbox read by its members."""

import pytest
from django.conf import settings
from django.core import mail

from notifications.models import Notification
from notifications.services import SharedMailbox, notification_event, notify
from people.roles import Role
from people.selectors import press_office_recipients
from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db

MESSAGE = {"subject": "Hello", "message": "A thing happened"}


@pytest.fixture
def press_office(db):
    return [OfficerFactory(rank="staff", roles=[Role.OFFICER, Role.PRESS_OFFICE]) for _ in range(4)]


def _send(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return notify(kind="test", context=MESSAGE, **kwargs)


def test_the_press_office_gets_one_mail_in_its_mailbox_and_each_member_an_inbox_message(
    press_office, django_capture_on_commit_callbacks
):
    _send(django_capture_on_commit_callbacks, recipients=press_office_recipients())
    assert [m.to for m in mail.outbox] == [[settings.PRESS_OFFICE_EMAIL]]
    inbox = Notification.objects.filter(recipient__isnull=False)
    assert sorted(inbox.values_list("recipient_id", flat=True)) == sorted(
        o.user_id for o in press_office
    )
    assert set(inbox.values_list("email", flat=True)) == {""}
    # The sweep leaves inbox-only messages alone: nothing more is sent.
    from notifications.tasks import deliver_pending

    assert deliver_pending() == 0
    assert len(mail.outbox) == 1


def test_a_person_on_the_list_in_several_roles_gets_one_mail(
    officer, supervisor, press_office, django_capture_on_commit_callbacks
):
    owner_and_press = press_office[0]
    _send(
        django_capture_on_commit_callbacks,
        recipients=[
            *press_office_recipients(),
            owner_and_press.user,  # the owner, who is also in the press office
            supervisor.user,
            supervisor.user,  # the line supervisor, and acting for another by delegation
            supervisor.user.email,  # and their address given plainly
        ],
    )
    to = sorted(address for m in mail.outbox for address in m.to)
    assert to == sorted(
        [settings.PRESS_OFFICE_EMAIL, owner_and_press.user.email, supervisor.user.email]
    )
    # Named in their own right, the owner's message is an e-mail, not an inbox-only copy.
    assert Notification.objects.get(recipient=owner_and_press.user).email == (
        owner_and_press.user.email
    )
    assert Notification.objects.filter(recipient=supervisor.user).count() == 1


def test_nobody_is_told_of_their_own_action(
    officer, supervisor, press_office, django_capture_on_commit_callbacks
):
    actor = press_office[1].user
    _send(
        django_capture_on_commit_callbacks,
        recipients=[*press_office_recipients(), officer.user, actor],
        actor=actor,
    )
    assert not Notification.objects.filter(recipient=actor).exists()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [settings.PRESS_OFFICE_EMAIL, officer.user.email]
    )
    assert Notification.objects.filter(email="").count() == 3  # the other three members


def test_one_event_told_in_several_messages_reaches_each_person_once(
    officer, supervisor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), notification_event():
        notify(recipients=[officer.user], kind="test", context={**MESSAGE, "subject": "First"})
        notify(
            recipients=[officer.user, supervisor.user],
            kind="test",
            context={**MESSAGE, "subject": "Second"},
        )
    assert sorted((m.to[0], m.subject.split("] ")[1]) for m in mail.outbox) == sorted(
        [(officer.user.email, "First"), (supervisor.user.email, "Second")]
    )
    # Outside an event each call stands alone.
    mail.outbox.clear()
    _send(django_capture_on_commit_callbacks, recipients=[officer.user])
    assert [m.to for m in mail.outbox] == [[officer.user.email]]


def test_a_mailbox_without_readers_is_still_mailed(django_capture_on_commit_callbacks):
    _send(django_capture_on_commit_callbacks, recipients=[SharedMailbox("team@test.example")])
    assert [m.to for m in mail.outbox] == [["team@test.example"]]
