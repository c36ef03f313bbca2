"""Done when, through the web pages: an officer reports their account hacked, the press office
contains and resolves the incident, and the times to contain and resolve are shown."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.models import SocialAccount
from audit.models import AuditEvent
from incidents.models import Incident, Step
from notifications.models import Notification
from tests.incidents.conftest import NEW_PASSWORD

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 5, 4, 22, 30, tzinfo=datetime.UTC)  # late evening


def _at(**delta):
    return time_machine.travel(START + datetime.timedelta(**delta), tick=False)


def test_officer_reports_and_the_press_office_contains_and_resolves(
    client,
    login,
    officer,
    supervisor,
    press_officer,
    account,
    django_capture_on_commit_callbacks,
):
    # 1. The officer opens their account page and reports it hacked.
    with _at():
        login(officer)
        page = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
        report_url = reverse("incidents:report_account", args=[account.pk])
        assert report_url in page and "Report a hacked account" in page
        assert client.get(report_url).status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                report_url,
                {
                    "what_happened": "I clicked a link in a DM; odd posts appeared.",
                    "noticed_at": "2026-05-04 22:15",
                    "link_clicked": "yes",
                    "rogue_posts": "Three 'free iPad' posts.",
                },
            )
        assert response.status_code == 302, response.content.decode()[:3000]
    incident = Incident.objects.get()
    assert response.url == reverse("incidents:detail", args=[incident.pk])
    account.refresh_from_db()
    assert account.status == SocialAccount.Status.COMPROMISED
    # The press office was mailed at once, late in the evening, and told in the portal.
    to = {address for m in mail.outbox for address in m.to}
    assert settings.PRESS_OFFICE_EMAIL in to and press_officer.user.email not in to
    assert Notification.objects.filter(recipient=press_officer.user, email="").exists()

    # 2. The officer records the password change, then lodges the new details in custody.
    with _at(minutes=20):
        detail = client.get(response.url).content.decode()
        assert "Mark the incident contained" not in detail
        assert 'value="press_office_told"' not in detail  # not theirs to tick
        response = client.post(
            reverse("incidents:step", args=[incident.pk]),
            {
                "step": Step.PASSWORD_CHANGED,
                "note": "Changed on the app",
                "version": incident.version,
            },
        )
        assert response.status_code == 302
        assert (
            reverse("custody:lodge", args=[account.pk]) in client.get(response.url).content.decode()
        )
    with _at(minutes=50):
        response = client.post(
            reverse("custody:lodge", args=[account.pk]),
            {"login": "priya@police.example", "password": NEW_PASSWORD, "notes": ""},
        )
        assert response.status_code == 302
        # The officer cannot contain it themselves.
        assert client.post(reverse("incidents:contain", args=[incident.pk])).status_code == 403

    # 3. The press office sees it on the home page and in the list, and contains it.
    client.logout()
    with _at(hours=1):
        login(press_officer)
        home = client.get(reverse("home")).content.decode()
        assert "Open incidents" in home
        listing = client.get(reverse("incidents:list")).content.decode()
        assert "@PriyaSharmaWMP" in listing and "1 h" in listing  # its age
        incident.refresh_from_db()
        response = client.post(
            reverse("incidents:contain", args=[incident.pk]), {"version": incident.version}
        )
        assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.state == Incident.State.CONTAINED
    assert incident.time_to_contain == datetime.timedelta(minutes=50)

    # 4. The remaining steps, the lessons, then resolution.
    detail_url = reverse("incidents:detail", args=[incident.pk])
    with _at(hours=20):
        login(press_officer)  # a new shift: sessions last eight hours
        for step in [s for s in Step.values if s != Step.PASSWORD_CHANGED]:
            incident.refresh_from_db()
            response = client.post(
                reverse("incidents:step", args=[incident.pk]),
                {"step": step, "note": "", "version": incident.version},
            )
            assert response.url == detail_url, step
        # Resolution refused until the lessons are recorded.
        incident.refresh_from_db()
        response = client.post(
            reverse("incidents:resolve", args=[incident.pk]),
            {"version": incident.version},
            follow=True,
        )
        assert "Record the lessons learned first" in response.content.decode()
    with _at(hours=26):
        login(press_officer)
        response = client.post(
            reverse("incidents:lessons", args=[incident.pk]),
            {"lessons": "Phishing DM; owner booked on the awareness session."},
        )
        assert response.url == detail_url
        incident.refresh_from_db()
        response = client.post(
            reverse("incidents:resolve", args=[incident.pk]), {"version": incident.version}
        )
        assert response.url == detail_url
    incident.refresh_from_db()
    account.refresh_from_db()
    assert incident.state == Incident.State.RESOLVED
    assert account.status == SocialAccount.Status.ACTIVE
    assert incident.time_to_resolve == datetime.timedelta(hours=26)

    # The times are shown on the incident page and in the list.
    with _at(hours=27):
        login(press_officer)
        detail = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
        listing = client.get(reverse("incidents:list") + "?state=resolved").content.decode()
    assert "50 min" in detail and "1 d 2 h" in detail
    assert "50 min" in listing and "1 d 2 h" in listing
    assert "2026-05" in listing  # the monthly summary
    actions = list(
        AuditEvent.objects.filter(object_type="incidents.incident").values_list("action", flat=True)
    )
    assert actions[0] == "incident.reported" and actions[-1] == "incident.resolved"
    assert "incident.contained" in actions and "incident.lessons_recorded" in actions
