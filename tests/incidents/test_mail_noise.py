"""One hack report, as many mails as people to tell: the press office's mailbox once, the
owner's supervisor once, the reporter never (they know)."""

import pytest
from django.conf import settings
from django.core import mail

from notifications.models import Notification
from people.roles import Role
from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db


def test_a_hack_reported_by_the_owner_sends_one_mail_per_person(
    officer, supervisor, account, report
):
    members = [
        OfficerFactory(rank="staff", roles=[Role.OFFICER, Role.PRESS_OFFICE]) for _ in range(4)
    ]
    report(officer, account)
    to = sorted(address for m in mail.outbox for address in m.to)
    assert to == sorted([settings.PRESS_OFFICE_EMAIL, supervisor.user.email])
    assert not Notification.objects.filter(recipient=officer.user).exists()
    for member in members:
        assert Notification.objects.get(recipient=member.user, kind="incident.reported").email == ""
