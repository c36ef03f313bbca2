"""Signed-in sessions (allauth.usersessions): a person sees their own (device, address, last
seen) and ends any of them; an administrator ends all of a person's, or resets their second
factor; each ending is in the audit trail."""

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.selectors import verify_chain
from people.roles import Role
from people.selectors import describe_browser
from tests.factories import PASSWORD, OfficerFactory
from tests.mfa import enrol

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def _device(person, agent, address) -> Client:
    """Another browser signed in as `person`, through the sign-in page."""
    device = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    response = device.post(reverse("login"), {"login": person.user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert device.get(reverse("home")).status_code == 200
    return device


def _signed_in(device) -> bool:
    return device.get(reverse("home")).status_code == 200


@pytest.fixture
def administrator(db):
    return OfficerFactory(rank="staff", roles=[Role.ADMINISTRATOR])


def test_a_person_sees_their_sessions_with_device_address_and_last_seen(officer):
    desk = _device(officer, FIREFOX, "10.20.30.40")
    _device(officer, IPHONE, "10.99.0.7")
    html = desk.get(reverse("people:sessions")).content.decode()
    assert "Firefox on Windows" in html and "Safari on iPhone" in html
    assert "10.20.30.40" in html and "10.99.0.7" in html
    assert html.count("This session") == 1
    assert "Last seen" in html
    assert reverse("people:sessions") in desk.get(reverse("mfa_index")).content.decode()


def test_last_seen_is_kept_to_the_minute(officer):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        desk = _device(officer, FIREFOX, "10.20.30.40")
        first = UserSession.objects.get(user=officer.user).last_seen_at
        traveller.shift(30)
        desk.get(reverse("home"))
        assert UserSession.objects.get(user=officer.user).last_seen_at == first
        traveller.shift(31)
        desk.get(reverse("home"), REMOTE_ADDR="10.20.30.41")
        session = UserSession.objects.get(user=officer.user)
        assert session.last_seen_at > first and session.ip == "10.20.30.41"


def test_a_person_ends_one_of_their_other_sessions(officer):
    desk = _device(officer, FIREFOX, "10.20.30.40")
    phone = _device(officer, IPHONE, "10.99.0.7")
    lost = UserSession.objects.get(user=officer.user, ip="10.99.0.7")
    response = desk.post(reverse("people:sessions"), {"end": lost.pk})
    assert response.status_code == 302
    assert not _signed_in(phone) and _signed_in(desk)
    event = AuditEvent.objects.get(action="sessions.ended")
    assert event.actor == officer.user and event.object_id == str(officer.user.pk)
    assert event.changes["sessions_ended"] == [None, 1]
    assert verify_chain()[1] is None


def test_a_person_signs_out_every_other_session_or_this_one(officer):
    desk = _device(officer, FIREFOX, "10.20.30.40")
    others = [_device(officer, IPHONE, f"10.99.0.{n}") for n in range(2)]
    desk.post(reverse("people:sessions"), {"end_others": "1"})
    assert [_signed_in(o) for o in others] == [False, False] and _signed_in(desk)
    mine = UserSession.objects.get(user=officer.user)
    response = desk.post(reverse("people:sessions"), {"end": mine.pk})
    assert response["Location"] == reverse("login")
    assert not _signed_in(desk)
    assert not UserSession.objects.filter(user=officer.user).exists()


def test_nobody_ends_someone_elses_session_from_their_own_page(officer, other_officer):
    victim = _device(other_officer, FIREFOX, "10.1.1.1")
    theirs = UserSession.objects.get(user=other_officer.user)
    me = _device(officer, FIREFOX, "10.2.2.2")
    me.post(reverse("people:sessions"), {"end": theirs.pk})
    assert _signed_in(victim)
    assert me.get(reverse("people:person_sign_in", args=[other_officer.user.pk])).status_code == 403


def test_an_administrator_ends_all_of_a_persons_sessions(login, administrator, officer):
    devices = [_device(officer, FIREFOX, "10.1.1.1"), _device(officer, IPHONE, "10.1.1.2")]
    client = login(administrator)
    page = client.get(reverse("people:person_sign_in", args=[officer.user.pk]))
    assert page.status_code == 200
    assert "Firefox on Windows" in page.content.decode()
    url = reverse("people:person_sign_in", args=[officer.user.pk])
    response = client.post(url, {"end_all": "1", "reason": ""})
    assert response.status_code == 200 and "Enter the reason" in response.content.decode()
    assert all(_signed_in(d) for d in devices)
    client.post(url, {"end_all": "1", "reason": "Laptop stolen from a car"})
    assert not any(_signed_in(d) for d in devices)
    event = AuditEvent.objects.get(action="sessions.ended")
    assert event.actor == administrator.user and event.object_id == str(officer.user.pk)
    assert event.changes["sessions_ended"] == [None, 2] and event.changes["which"] == "all"
    assert event.reason == "Laptop stolen from a car"
    assert _signed_in(client)  # their own session is untouched


def test_an_administrator_resets_a_press_officers_second_factor(
    login, administrator, press_officer
):
    enrol(press_officer.user)
    client = login(administrator)
    url = reverse("people:person_sign_in", args=[press_officer.user.pk])
    assert "an authenticator app" in client.get(url).content.decode()
    client.post(url, {"reset_second_factor": "1", "reason": "New phone"})
    assert not Authenticator.objects.filter(user=press_officer.user).exists()
    event = AuditEvent.objects.get(action="second_factor.reset")
    assert event.actor == administrator.user and event.reason == "New phone"


def test_the_officer_admin_links_to_a_persons_sign_in_page(login, officer):
    root = OfficerFactory(roles=[Role.ADMINISTRATOR])
    root.user.is_staff = root.user.is_superuser = True
    root.user.save()
    html = login(root).get("/admin/people/officer/").content.decode()
    assert reverse("people:person_sign_in", args=[officer.user.pk]) in html


def test_browsers_are_described_for_people():
    assert describe_browser(FIREFOX) == "Firefox on Windows"
    assert describe_browser(IPHONE) == "Safari on iPhone"
    assert describe_browser("") == "Unknown browser"
