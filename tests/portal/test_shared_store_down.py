"""The shared cache (Redis) is down: signing in, which counts wrong passwords there, answers 503
with a page that says so (never a 500, never an uncounted sign-in); pages of someone already
signed in do not need the cache and work as usual."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

CLOSED_PORT_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/2",  # nothing listens on port 1
        "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
    }
}


@pytest.fixture
def cache_down(settings):
    settings.CACHES = CLOSED_PORT_CACHE


@pytest.mark.real_second_factor
def test_signing_in_with_the_cache_down_is_refused_with_a_503_page(client, officer, cache_down):
    client.raise_request_exception = False
    response = client.post(reverse("login"), {"login": officer.user.username, "password": PASSWORD})
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert b"unavailable for a moment" in response.content
    assert b"<title>Error: " in response.content
    assert "_auth_user_id" not in client.session  # failed closed: not signed in


def test_a_signed_in_person_works_on_with_the_cache_down(client, officer, login, settings):
    login(officer)
    settings.CACHES = CLOSED_PORT_CACHE
    for name in ("home", "approvals:mine", "approvals:create"):
        assert client.get(reverse(name)).status_code == 200, name
