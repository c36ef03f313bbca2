"""Notifications posted to a Microsoft Teams channel, through the same outbox as mail: a fake
Teams webhook server started here (never the real network) is down, then fails, then takes the
post exactly once. The webhook address is a secret: sealed, never shown, logged or audited."""

import datetime
import json
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import WorkflowError
from notifications.models import ChatChannel, Notification
from notifications.services import (
    MAX_ATTEMPTS,
    SharedMailbox,
    chat_subscriptions_set,
    notification_deliver,
    notification_event,
    notify,
)
from notifications.tasks import deliver_pending
from people import chat as people_chat
from people.roles import Role
from people.selectors import press_office_recipients
from people.services import failed_mail_retry
from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db

SIGNATURE = "sig=Xy7Secret-Webhook-Signature-0042"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeTeams:
    """A Teams incoming webhook on loopback. Not listening until `start()` (connections are
    refused); answers `status` to each POST and keeps what it was sent."""

    def __init__(self):
        self.port = _free_port()
        self.status = 202
        self.posts: list[tuple[str, dict]] = []
        self.server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/workflows/abc/triggers/manual/invoke?{SIGNATURE}"

    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if fake.status < 300:
                    fake.posts.append((self.path, json.loads(body)))
                self.send_response(fake.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture
def teams(settings, loopback_only):
    settings.CHAT_WEBHOOK_HOSTS = ["127.0.0.1"]
    settings.CHAT_WEBHOOK_ALLOW_HTTP = True
    settings.CHAT_WEBHOOK_TIMEOUT = 2
    fake = FakeTeams()
    yield fake
    fake.stop()


@pytest.fixture
def administrator(db):
    return OfficerFactory(rank="staff", roles=[Role.ADMINISTRATOR])


@pytest.fixture
def channel(teams, administrator):
    return people_chat.chat_channel_add(
        actor=administrator.user, name="Press office alerts", url=teams.url
    )


def _sweep_later():
    """The sweep, as if every back-off had run out."""
    Notification.objects.filter(next_attempt_at__isnull=False).update(
        next_attempt_at=timezone.now() - datetime.timedelta(minutes=61)
    )
    return deliver_pending()


def _tell_press_office(subject="Account @HackedWMP reported hacked"):
    return notify(
        recipients=press_office_recipients(),
        kind="test",
        context={"subject": subject, "message": "Change the password now."},
        link="/incidents/7/",
    )


def test_a_teams_post_is_delivered_exactly_once_after_the_server_was_down(
    teams, channel, press_officer, caplog
):
    caplog.set_level(logging.DEBUG)
    chat_subscriptions_set(channel=channel, kinds=["test"], team="press_office")
    _tell_press_office()
    [post] = Notification.objects.filter(chat_channel=channel)
    assert post.recipient is None and post.email == ""

    # Down: the connection is refused. The try is counted, the row waits out its back-off.
    assert deliver_pending() == 1  # the e-mail to the press office's mailbox, not the post
    post.refresh_from_db()
    assert post.email_attempts == 1 and post.emailed_at is None and post.failed_at is None
    assert post.last_error == "ChatPostError: ConnectError posting to 127.0.0.1"
    assert post.next_attempt_at > timezone.now()
    assert deliver_pending() == 0  # still backing off: not tried again
    post.refresh_from_db()
    assert post.email_attempts == 1

    # Up but failing (Teams answers 503): another try counted.
    teams.status = 503
    teams.start()
    assert _sweep_later() == 0
    post.refresh_from_db()
    assert post.email_attempts == 2 and post.last_error == "ChatPostError: HTTP 503 from 127.0.0.1"

    # Healthy: delivered once, with the card Teams shows.
    teams.status = 202
    assert _sweep_later() == 1
    post.refresh_from_db()
    assert post.emailed_at is not None and post.email_attempts == 3 and post.last_error == ""
    [(path, message)] = teams.posts
    assert SIGNATURE in path
    [attachment] = message["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["body"][0]["inlines"][0]["text"] == "Account @HackedWMP reported hacked"
    assert "Change the password now." in card["body"][1]["inlines"][0]["text"]
    # Text runs: never read as Markdown, so a typed "[words](url)" cannot become a link.
    assert {block["type"] for block in card["body"]} == {"RichTextBlock"}
    assert card["actions"][0]["url"].endswith("/incidents/7/")

    # The sweep runs again, and a stray delivery task too: nothing is posted twice.
    assert _sweep_later() == 0
    assert deliver_pending() == 0
    assert notification_deliver(notification_id=post.pk) is False
    assert len(teams.posts) == 1
    # The e-mail to the press office's mailbox went through the same outbox, once.
    assert Notification.objects.exclude(email="").get().emailed_at is not None
    # Nothing logged the webhook address, even at DEBUG.
    assert SIGNATURE not in caplog.text
    assert "Could not deliver notification" in caplog.text


def test_every_try_failing_parks_the_post_where_an_administrator_retries_it(
    teams, channel, press_officer, administrator, login, django_capture_on_commit_callbacks
):
    chat_subscriptions_set(channel=channel, kinds=["test"], team="press_office")
    _tell_press_office(subject="Parked post")
    post = Notification.objects.get(chat_channel=channel)
    for _ in range(MAX_ATTEMPTS):
        _sweep_later()
    post.refresh_from_db()
    assert post.failed_at is not None and post.email_attempts == MAX_ATTEMPTS
    assert _sweep_later() == 0  # parked: the sweep leaves it alone

    client = login(administrator)
    html = client.get(reverse("people:failed_mail")).content.decode()
    assert "Teams channel “Press office alerts”" in html and "Parked post" in html
    assert SIGNATURE not in html and str(teams.port) not in html

    teams.start()
    with django_capture_on_commit_callbacks(execute=True):
        failed_mail_retry(actor=administrator.user, notification_id=post.pk)
    post.refresh_from_db()
    assert post.emailed_at is not None and post.failed_at is None
    assert len(teams.posts) == 1
    assert AuditEvent.objects.filter(action="notification.retried", object_id=str(post.pk)).exists()


def test_a_webhook_teams_no_longer_knows_is_parked_at_once(teams, channel, press_officer):
    teams.status = 404
    teams.start()
    chat_subscriptions_set(channel=channel, kinds=["test"], team="press_office")
    _tell_press_office()
    post = Notification.objects.get(chat_channel=channel)
    deliver_pending()
    post.refresh_from_db()
    assert post.failed_at is not None and post.email_attempts == 1
    assert post.last_error.startswith("ChatRejected: HTTP 404 from 127.0.0.1")


def test_posts_follow_the_choices_once_per_channel_and_event(
    teams, channel, supervisor, other_supervisor, officer, press_officer, administrator
):
    def posted(**filters):
        return Notification.objects.filter(chat_channel=channel, **filters).count()

    def tell(recipients, kind="test", actor=None):
        notify(
            recipients=recipients,
            kind=kind,
            context={"subject": "s", "message": "m"},
            actor=actor,
        )

    chat_subscriptions_set(channel=channel, kinds=["test"], user=supervisor.user)
    tell([officer.user])  # nobody who chose it was told
    assert posted() == 0
    tell([supervisor.user])
    assert posted() == 1
    tell([supervisor.user], actor=supervisor.user)  # not told of their own action
    assert posted() == 1
    tell([supervisor.user], kind="import_finished")  # a kind they did not choose
    assert posted() == 1
    # Two people who chose the same channel, told of one event: one post.
    chat_subscriptions_set(channel=channel, kinds=["test"], user=other_supervisor.user)
    with notification_event():
        tell([supervisor.user])
        tell([other_supervisor.user, *press_office_recipients()])
    assert posted() == 2
    # The press office's choice follows its shared mailbox, not any e-mail address.
    tell([SharedMailbox("elsewhere@example.org", (press_officer.user,))])
    assert posted() == 2
    chat_subscriptions_set(channel=channel, kinds=["test"], team="press_office")
    tell(press_office_recipients())
    assert posted() == 3

    # Switched off: nothing new is posted, and what waits is parked with the reason.
    people_chat.chat_channel_switch(actor=administrator.user, channel_id=channel.pk, active=False)
    tell([supervisor.user])
    assert posted() == 3
    deliver_pending()
    assert posted(failed_at__isnull=False) == 3
    assert (
        posted(last_error="ChatRejected: The chat channel Press office alerts is switched off.")
        == 3
    )
    assert AuditEvent.objects.filter(action="chat_channel.switched_off", actor=administrator.user)


def test_choosing_is_for_supervisors_and_the_press_office_and_is_audited(
    channel, supervisor, officer, press_officer
):
    with pytest.raises(PermissionDenied):
        people_chat.chat_choices_set(actor=officer.user, channel_id=channel.pk, kinds=["orphan"])
    with pytest.raises(PermissionDenied):
        people_chat.chat_choices_set(
            actor=supervisor.user, channel_id=channel.pk, kinds=["orphan"], for_team="press_office"
        )
    with pytest.raises(WorkflowError, match="no kind of notification called nonsense"):
        people_chat.chat_choices_set(
            actor=supervisor.user, channel_id=channel.pk, kinds=["nonsense"]
        )

    people_chat.chat_choices_set(
        actor=supervisor.user, channel_id=channel.pk, kinds=["orphan", "recert_supervisor"]
    )
    people_chat.chat_choices_set(
        actor=press_officer.user,
        channel_id=channel.pk,
        kinds=["incident.reported"],
        for_team="press_office",
    )
    assert (
        people_chat.chat_choices_set(
            actor=supervisor.user, channel_id=channel.pk, kinds=["recert_supervisor", "orphan"]
        )
        == {}
    )  # the same again: no change, no audit row
    events = AuditEvent.objects.filter(action="chat_channel.choices_changed").order_by("sequence")
    assert [(e.actor, e.changes) for e in events] == [
        (
            supervisor.user,
            {"kinds": [[], ["orphan", "recert_supervisor"]], "for": "themself"},
        ),
        (press_officer.user, {"kinds": [[], ["incident.reported"]], "for": "press_office"}),
    ]


def test_the_webhook_address_is_sealed_and_never_shown_back(teams, administrator, login, settings):
    client = login(administrator)
    # A host that is not Microsoft's (nor, here, the test server's) is refused, and the
    # address typed is not written back into the page.
    response = client.post(
        reverse("people:chat_channels"),
        {"name": "Alerts", "url": f"https://evil.example.net/hook?{SIGNATURE}"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "only posts to Microsoft" in html and SIGNATURE not in html
    settings.CHAT_WEBHOOK_ALLOW_HTTP = False
    response = client.post(reverse("people:chat_channels"), {"name": "Alerts", "url": teams.url})
    assert "starts with https://" in response.content.decode()
    settings.CHAT_WEBHOOK_ALLOW_HTTP = True

    response = client.post(reverse("people:chat_channels"), {"name": "Alerts", "url": teams.url})
    assert response.status_code == 302
    channel = ChatChannel.objects.get(name="Alerts")
    assert SIGNATURE.encode() not in bytes(channel.ciphertext)
    assert channel.url_hint == "http://127.0.0.1/…0042"
    for name in ("people:chat_channels", "people:chat_channel"):
        args = [channel.pk] if name == "people:chat_channel" else []
        html = client.get(reverse(name, args=args)).content.decode()
        assert "Alerts" in html and channel.url_hint in html and SIGNATURE not in html
    [added] = AuditEvent.objects.filter(action="chat_channel.added")
    assert added.actor == administrator.user
    assert SIGNATURE not in json.dumps(added.changes) and SIGNATURE not in added.object_repr

    # Replacing the address: sealed again, audited by its hint.
    new = teams.url.replace("0042", "0099")
    response = client.post(
        reverse("people:chat_channel", args=[channel.pk]), {"replace": "1", "url": new}
    )
    assert response.status_code == 302
    channel.refresh_from_db()
    assert people_chat.notification_services.chat.unseal_url(channel) == new
    [replaced] = AuditEvent.objects.filter(action="chat_channel.address_replaced")
    assert replaced.changes == {"url_hint": ["http://127.0.0.1/…0042", "http://127.0.0.1/…0099"]}
    # A ciphertext copied onto another channel's row does not open there.
    other = people_chat.chat_channel_add(actor=administrator.user, name="Other", url=teams.url)
    ChatChannel.objects.filter(pk=other.pk).update(
        key_id=channel.key_id, nonce=channel.nonce, ciphertext=channel.ciphertext
    )
    other.refresh_from_db()
    from core.crypto import DecryptionError

    with pytest.raises(DecryptionError):
        people_chat.notification_services.chat.unseal_url(other)


def test_the_choices_page_shows_and_saves_the_press_office_choices(
    channel, press_officer, supervisor, login
):
    client = login(press_officer)
    response = client.post(
        reverse("people:chat_choices"),
        {"for_whom": "press_office", "channel": channel.pk, "kinds": ["incident.reported"]},
    )
    assert response.status_code == 302
    assert channel.subscriptions.get(team="press_office").kind == "incident.reported"
    page = client.get(
        reverse("people:chat_choices"), {"channel": channel.pk, "for": "press_office"}
    )
    assert page.context["form"].initial["kinds"] == ["incident.reported"]
    assert "<code>incident.reported</code>" in page.content.decode()  # listed as theirs
    # A supervisor neither sees nor sets the press office's choices.
    client = login(supervisor)
    assert (
        client.get(
            reverse("people:chat_choices"), {"channel": channel.pk, "for": "press_office"}
        ).status_code
        == 403
    )
    response = client.post(
        reverse("people:chat_choices"),
        {"for_whom": "press_office", "channel": channel.pk, "kinds": ["orphan"]},
    )
    assert response.status_code == 400  # not a choice offered to them
    assert not channel.subscriptions.filter(kind="orphan").exists()
