"""The whole-page cache (core/page_cache.py): a page is served from the cache only while no write
of any kind can have changed it, never to anyone else, and with this request's own tokens.

These tests commit (transaction=True): the cache stores nothing from inside a transaction that
has written, which is where every other test runs."""

import time
import types

import psycopg2
import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory

from accounts.models import SocialAccount
from core import page_cache
from people.roles import Role
from tests.factories import PASSWORD, OfficerFactory, SocialAccountFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REGISTER = "/register/"


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the page cache's generation lives in PostgreSQL")


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The page cache's clock, held still: a test must not straddle a time bucket by chance."""
    held = types.SimpleNamespace(now=time.time())
    monkeypatch.setattr(
        page_cache, "time", types.SimpleNamespace(time=lambda: held.now, monotonic=time.monotonic)
    )
    return held


@pytest.fixture
def press():
    return OfficerFactory(rank="staff", roles=[Role.OFFICER, Role.PRESS_OFFICE])


@pytest.fixture
def account():
    return SocialAccountFactory(handle="BeforeWMP", display_name="Neighbourhood news")


def signed_in(person, **kwargs) -> Client:
    client = Client(**kwargs)
    assert client.login(username=person.user.username, password=PASSWORD)
    client.get("/")  # the first page after signing in records the session (a write)
    return client


def served(client, path=REGISTER):
    response = client.get(path)
    assert response.status_code == 200
    return getattr(response, "page_cache", None), response.content.decode()


def test_every_watched_table_has_the_change_trigger():
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = current_schema() AND c.relkind = 'r'
                  AND NOT EXISTS (SELECT 1 FROM pg_trigger t
                                   WHERE t.tgrelid = c.oid AND t.tgname = 'core_change')"""
        )
        unwatched = {row[0] for row in cursor.fetchall()}
    assert unwatched
    assert all(t.startswith(page_cache.UNWATCHED_PREFIXES) for t in unwatched), unwatched
    assert "accounts_socialaccount" not in unwatched


def test_a_page_is_served_from_the_cache_until_any_write(press, account):
    client = signed_in(press)
    assert served(client)[0] == "stored"
    how, page = served(client)
    assert how == "hit"
    assert "@BeforeWMP" in page or "BeforeWMP" in page

    # A queryset update sends no signal: the trigger still sees it.
    SocialAccount.objects.filter(pk=account.pk).update(handle="AfterUpdateWMP")
    how, page = served(client)
    assert how == "stored"
    assert "AfterUpdateWMP" in page and "BeforeWMP" not in page

    # Raw SQL too.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_socialaccount SET handle = 'AfterRawWMP' WHERE id = %s", [account.pk]
        )
    how, page = served(client)
    assert how == "stored"
    assert "AfterRawWMP" in page and "AfterUpdateWMP" not in page
    assert served(client)[0] == "hit"


def test_nothing_is_stored_while_a_write_is_in_flight_and_its_commit_is_seen(press, account):
    client = signed_in(press)
    settings_dict = connection.settings_dict
    other = psycopg2.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"],
        host=settings_dict["HOST"],
        port=settings_dict["PORT"] or 5432,
    )
    try:
        with other.cursor() as cursor:  # psycopg2 opens a transaction: not committed yet
            cursor.execute(
                "UPDATE accounts_socialaccount SET handle = 'InFlightWMP' WHERE id = %s",
                [account.pk],
            )
        how, page = served(client)
        assert how is None  # drawn, not stored: a commit could follow under the same generation
        assert "BeforeWMP" in page and "InFlightWMP" not in page
        assert served(client)[0] is None
        other.commit()
    finally:
        other.close()
    how, page = served(client)
    assert "InFlightWMP" in page
    assert how == "stored"


def test_a_page_is_never_served_to_someone_else(press, account):
    first = signed_in(press)
    second_person = OfficerFactory(rank="staff", roles=[Role.OFFICER, Role.PRESS_OFFICE])
    second = signed_in(second_person)
    assert served(first)[0] == "stored"
    assert served(first)[0] == "hit"
    how, _page = served(second)
    assert how == "stored"  # their own entry, not the first person's


def test_a_hit_carries_this_sessions_csrf_token_and_a_fresh_nonce(press, account):
    client = signed_in(press, enforce_csrf_checks=True)
    stored = client.get(REGISTER)
    hit = client.get(REGISTER)
    assert hit.page_cache == "hit"
    assert page_cache.CSRF_HOLE not in hit.content.decode()
    assert page_cache.NONCE_HOLE not in hit.content.decode()
    nonce = hit["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in hit.content.decode()
    assert nonce not in stored.content.decode()
    token = hit.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    signed_out = client.post("/logout/", {"csrfmiddlewaretoken": token})
    assert signed_out.status_code == 302  # the token the hit carried is this session's


def test_a_page_with_a_message_waiting_is_drawn_not_cached(press, account):
    client = signed_in(press)
    assert served(client)[0] == "stored"
    request = RequestFactory().get("/")
    storage = CookieStorage(request)
    storage.add(constants.SUCCESS, "Something was recorded.")
    response = HttpResponse()
    storage.update(response)
    client.cookies[storage.cookie_name] = response.cookies[storage.cookie_name].value
    how, page = served(client)
    assert how is None
    assert "Something was recorded." in page
    assert served(client)[0] == "hit"  # the message was shown once


def test_refused_and_missing_pages_are_not_stored(press, account):
    officer = OfficerFactory()
    client = signed_in(officer)
    hidden = client.get(f"/register/{account.pk}/")
    assert hidden.status_code == 404
    assert getattr(hidden, "page_cache", None) is None
    assert client.get(f"/register/{account.pk}/").status_code == 404


def test_a_write_inside_the_request_transaction_stores_nothing(press, account):
    with transaction.atomic():
        SocialAccount.objects.filter(pk=account.pk).update(display_name="Changed")
        generation = page_cache.generation()
    assert generation is not None and generation.storable is False
    assert page_cache.generation().storable is True


def test_the_time_bucket_expires_pages(press, account, clock, settings):
    client = signed_in(press)
    assert served(client)[0] == "stored"
    assert served(client)[0] == "hit"
    clock.now += settings.PAGE_CACHE_SECONDS
    assert served(client)[0] == "stored"


def test_a_failing_cache_is_skipped_for_a_while_and_pages_are_drawn(press, account, monkeypatch):
    client = signed_in(press)
    calls = []

    def down(*args):
        calls.append(args)
        raise ConnectionError("cache down")

    monkeypatch.setattr(page_cache.shelf, "skip_until", 0.0)
    monkeypatch.setattr(page_cache.shelf.cache, "get", down)
    how, page = served(client)
    assert how is None and "BeforeWMP" in page
    assert len(calls) == 1
    assert served(client)[0] is None
    assert len(calls) == 1  # not asked again while it is skipped
    monkeypatch.setattr(page_cache.shelf, "skip_until", 0.0)


def test_reading_the_generation_leaves_no_lock_held(press, account):
    def locks_held() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 7250010"
                " AND pid = pg_backend_pid()"
            )
            return cursor.fetchone()[0]

    assert page_cache.generation().storable is True
    assert locks_held() == 0
    with transaction.atomic():
        # Inside a transaction block the lock would outlive the statement: not even tried.
        assert page_cache.generation().storable is False
        assert locks_held() == 0


def test_who_asks_is_read_again_after_the_generation(press, account, monkeypatch):
    """A role taken away between the person's load and the generation's read: the page is
    drawn for the person as they are now, never filed under the newer generation as before."""
    from django.contrib.auth.models import Group

    client = signed_in(press)
    path = f"/register/{account.pk}/"
    real = page_cache.generation
    calls = []

    def revoked_meanwhile():
        if not calls:
            press.user.groups.remove(Group.objects.get(name=Role.PRESS_OFFICE.value))
        calls.append(1)
        return real()

    monkeypatch.setattr(page_cache, "generation", revoked_meanwhile)
    assert client.get(path).status_code == 404
    monkeypatch.setattr(page_cache, "generation", real)
    assert client.get(path).status_code == 404


def test_what_the_cache_holds_is_sealed(press, account):
    from django.core.cache import caches

    client = signed_in(press)
    assert served(client)[0] == "stored"
    held = b"".join(caches["pages"]._cache.values())
    assert held
    assert b"BeforeWMP" not in held and b"Neighbourhood news" not in held
    assert served(client)[0] == "hit"
