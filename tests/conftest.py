import pytest

from people.roles import Role
from tests.factories import PASSWORD, OfficerFactory, UnitFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (sign-in throttling counts live there)."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def _closed_broker_breaker():
    """The broker circuit breaker (core.queue) is per process: a test that trips it must not
    leave the next test's publishes skipped."""
    from core.queue import breaker

    breaker.close()
    yield
    breaker.close()


@pytest.fixture(autouse=True)
def _second_factor_for_test_logins(request, monkeypatch):
    """The portal asks the press office and administrators for a second factor before any page
    (people/middleware.py). Tests that sign a person in with `client.login` or `force_login`
    skip the sign-in pages, so here those two also do what signing in with a code would: the
    session gets its allauth.usersessions row, the person an authenticator app (tests/mfa.py's
    known key) and the session is marked as having passed it, the way allauth marks it.
    Production has no such path: this patches the test client only. Tests of the second factor
    itself opt out with @pytest.mark.real_second_factor, and sign in through the real pages."""
    if request.node.get_closest_marker("real_second_factor"):
        return
    from django.test import Client

    from tests.mfa import sign_in_with_second_factor

    original = Client._login

    def _login(client, user, backend=None):
        original(client, user, backend)
        sign_in_with_second_factor(client, user)

    monkeypatch.setattr(Client, "_login", _login)


@pytest.fixture
def team(db):
    return UnitFactory(name="Stechford Neighbourhood Team", code="stechford")


@pytest.fixture
def supervisor(team):
    return OfficerFactory(unit=team, rank="sergeant", roles=[Role.OFFICER, Role.SUPERVISOR])


@pytest.fixture
def officer(team, supervisor):
    return OfficerFactory(unit=team, supervisor=supervisor)


@pytest.fixture
def other_supervisor(db):
    return OfficerFactory(rank="sergeant", roles=[Role.OFFICER, Role.SUPERVISOR])


@pytest.fixture
def other_officer(other_supervisor):
    return OfficerFactory(unit=other_supervisor.unit, supervisor=other_supervisor)


@pytest.fixture
def press_officer(db):
    return OfficerFactory(rank="staff", roles=[Role.OFFICER, Role.PRESS_OFFICE])


@pytest.fixture
def auditor(db):
    return OfficerFactory(rank="staff", roles=[Role.AUDITOR])


@pytest.fixture
def login(client):
    """login(officer) signs the test client in as that officer and returns the client."""

    def _login(person):
        user = getattr(person, "user", person)
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return _login


@pytest.fixture
def redis_url():
    """The real Redis server for tests marked `redis`. Required in CI; skipped on a laptop
    without one."""
    import os

    import redis

    url = os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/14"
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not os.environ.get("TEST_REDIS_URL") and broker.startswith("redis://"):
        url = broker
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI and is unreachable at {url}")
        pytest.skip(f"Redis unreachable at {url}")
    return url


@pytest.fixture(scope="session")
def _oidc_server():
    from tests.oidc_provider import LocalOIDCProvider

    provider = LocalOIDCProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def loopback_only(monkeypatch):
    """Any socket opened to an address off this machine fails the test (the SSO tests never
    touch the real network)."""
    import socket

    real_connect = socket.socket.connect

    def connect(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]
            assert host in {"127.0.0.1", "::1", "localhost"}, f"network access to {host}"
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def oidc_provider(_oidc_server, settings, loopback_only):
    """Single sign-on switched on against the local OpenID Connect provider (tests/
    oidc_provider.py), as portal/settings/base.py would configure it from OIDC_* variables."""
    from portal.settings.sso import openid_connect_provider, origin

    _oidc_server.reset()
    settings.OIDC_ISSUER = _oidc_server.issuer
    settings.SSO_ENABLED = True
    settings.SOCIALACCOUNT_PROVIDERS = openid_connect_provider(
        issuer=_oidc_server.issuer,
        client_id=_oidc_server.client_id,
        client_secret=_oidc_server.client_secret,
        provider_id="entra",
        name="Microsoft Entra ID",
    )
    settings.SECURE_CSP = {
        **settings.SECURE_CSP,
        "form-action": [*settings.SECURE_CSP["form-action"], origin(_oidc_server.issuer)],
    }
    return _oidc_server
