"""Production keeps sessions in the shared Redis cache (written through to the database). A
cached session belongs to one browser's key, never to anyone else, and every way a session ends
removes it from the cache too: the next request with its cookie is signed out."""

import uuid

import pytest
from allauth.usersessions.models import UserSession
from django.test import Client, override_settings
from django.urls import reverse

from people.roles import Role
from tests.factories import PASSWORD, OfficerFactory

pytestmark = [pytest.mark.django_db]

CACHED_DB = "django.contrib.sessions.backends.cached_db"


@pytest.fixture(autouse=True)
def redis_sessions(redis_url):
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": f"test-sessions-{uuid.uuid4().hex}",
        }
    }
    with override_settings(SESSION_ENGINE=CACHED_DB, CACHES=caches):
        yield


def _signed_in_as(person) -> Client:
    device = Client()
    response = device.post(reverse("login"), {"login": person.user.username, "password": PASSWORD})
    assert response.status_code == 302
    return device


def _who(device) -> str | None:
    response = device.get(reverse("people:sessions"))
    if response.status_code != 200:
        return None
    return response.wsgi_request.user.username


def test_each_cached_session_answers_only_for_its_own_person(officer, other_officer):
    mine, theirs = _signed_in_as(officer), _signed_in_as(other_officer)
    for _ in range(2):  # the second time from the cache
        assert _who(mine) == officer.user.username
        assert _who(theirs) == other_officer.user.username


def test_signing_out_ends_the_cached_session(officer):
    device = _signed_in_as(officer)
    cookie = device.cookies["sessionid"].value
    assert _who(device) == officer.user.username
    device.post(reverse("logout"))
    replay = Client()
    replay.cookies["sessionid"] = cookie
    assert _who(replay) is None


def test_an_administrator_ending_a_persons_sessions_ends_the_cached_ones(login, officer):
    devices = [_signed_in_as(officer), _signed_in_as(officer)]
    assert all(_who(d) == officer.user.username for d in devices)  # now in the cache
    administrator = OfficerFactory(rank="staff", roles=[Role.ADMINISTRATOR])
    client = login(administrator)
    url = reverse("people:person_sign_in", args=[officer.user.pk])
    client.post(url, {"end_all": "1", "reason": "Laptop stolen from a car"})
    assert not any(_who(d) for d in devices)
    assert not UserSession.objects.filter(user=officer.user).exists()


def test_a_person_ending_one_of_their_sessions_ends_it_in_the_cache(officer):
    lost, here = _signed_in_as(officer), _signed_in_as(officer)
    assert _who(lost) and _who(here)
    key = lost.cookies["sessionid"].value
    session = UserSession.objects.get(user=officer.user, session_key=key)
    here.post(reverse("people:sessions"), {"end": session.pk})
    assert _who(lost) is None
    assert _who(here) == officer.user.username
