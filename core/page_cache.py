"""The whole-page cache for the pages people load most (home pages, the register, queues,
reports, the audit trail), with an invalidation that no write can slip past.

A page is filed under everything that decides what it shows:

- who asks (the user's id, or nobody) and what they asked (host, full path and query string);
- the **data generation**: every statement that writes to a portal table — an ORM save, a
  queryset `update()`, a bulk insert, a `COPY`, raw SQL, a trigger — fires a statement-level
  trigger that advances one PostgreSQL sequence (`core_change_seq`, installed after every
  migration by `install_change_triggers`), so a write of any kind files later pages under a new
  generation;
- the time (`PAGE_CACHE_SECONDS` buckets, also the entry's lifetime): what changes with the clock
  alone (an account crossing into "dormant") is at most that old;
- the release: a digest of the code and templates, so a deployment never serves a page an older
  template drew.

Why it cannot serve a page older than the database: the generation is read before anything the
page shows, so what the page shows is at least as new as the generation it is filed under. A
write advances the sequence before it commits, so its commit could go unseen under the same
generation: each writing statement therefore holds a shared advisory lock to the end of its
transaction, and a page is stored only when the generation was read holding that lock
exclusively (no write to a watched table was in flight), the same held again after the page was
drawn, and the request wrote nothing itself. The signed-in person, loaded before the view ran, is
loaded again after the generation is read, for the same reason.

What differs per request is punched out: the CSP nonce and the CSRF tokens are stored as holes and
filled in fresh on each hit; a page with messages waiting (the banner after a change) is neither
served from the cache nor stored. Only GET pages that write nothing and show nothing from the
tables the triggers leave out (sessions, allauth's user sessions, the scheduler's heartbeat) are
decorated. On SQLite (`make run`'s embedded default) there is no generation, so nothing is cached.
"""

import functools
import hashlib
import json
import logging
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib import auth
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.utils.functional import empty

from core.crypto import DecryptionError, Sealed, seal, unseal

logger = logging.getLogger(__name__)

# The advisory lock id 7_250_010 is written out in the SQL functions below.
# Tables whose writes change no cached page: written on every sign-in, every minute per signed-in
# person, or by the scheduler every few seconds.
UNWATCHED_PREFIXES = ("django_session", "usersessions_", "core_heartbeat", "django_migrations")

NONCE_HOLE = "\x00csp-nonce\x00"
CSRF_HOLE = "\x00csrf-token\x00"
_CSRF_FIELD = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')


# The generation -----------------------------------------------------------------------------
def install_change_triggers(using=None, **kwargs) -> int:
    """Create the sequence and a statement-level trigger on every watched table (post_migrate:
    a table a later migration adds is covered too). PostgreSQL only; returns the tables covered."""
    from django.db import connections

    conn = connections[using or "default"]
    if conn.vendor != "postgresql":
        return 0
    with conn.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
        # Names are schema-qualified and the functions' search_path fixed: a writer with another
        # search_path (a restore, a console) still advances the same sequence.
        sequence = conn.ops.quote_name(schema) + ".core_change_seq"
        cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {sequence}")
        # A new sequence's first nextval leaves last_value where it was: start it advanced.
        cursor.execute(
            f"SELECT setval('{sequence}', 1, true) FROM {sequence} WHERE NOT is_called"  # noqa: S608  # nosec B608 - the schema's own quoted name
        )
        # A writing statement holds the change lock (shared, to the end of its transaction)
        # before it advances the sequence...
        cursor.execute(
            f"""CREATE OR REPLACE FUNCTION {conn.ops.quote_name(schema)}.core_change_bump()
               RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog AS $$
               BEGIN
                 PERFORM pg_advisory_xact_lock_shared(7250010);
                 PERFORM nextval('{sequence}');
                 RETURN NULL;
               END $$"""
        )
        # ...so a reader who gets it exclusively has seen every advance end. The reader's lock
        # is a transaction-level one, asked for only outside any transaction block (by
        # `generation`): it ends with the statement however the statement ends (a cancel or a
        # timeout included), so it can never be left held.
        cursor.execute(
            f"""CREATE OR REPLACE FUNCTION {conn.ops.quote_name(schema)}.core_change_generation(
                   try_lock boolean, OUT value bigint, OUT settled boolean)
               LANGUAGE plpgsql SET search_path = pg_catalog AS $$
               BEGIN
                 settled := false;
                 IF try_lock AND pg_current_xact_id_if_assigned() IS NULL THEN
                   settled := pg_try_advisory_xact_lock(7250010);
                 END IF;
                 SELECT last_value INTO value FROM {sequence};
               END $$"""  # noqa: S608  # nosec B608 - the schema's own quoted name
        )
        tables = [
            t
            for t in conn.introspection.table_names(cursor)
            if not t.startswith(UNWATCHED_PREFIXES)
        ]
        for table in tables:
            cursor.execute(
                "CREATE OR REPLACE TRIGGER core_change AFTER INSERT OR UPDATE OR DELETE OR "
                f'TRUNCATE ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION core_change_bump()'
            )
    return len(tables)


@dataclass(frozen=True)
class Generation:
    value: int
    # No transaction that wrote to a watched table was open, and this one has written nothing.
    storable: bool


_GENERATION_SQL = "SELECT value, settled FROM core_change_generation(%s)"


def generation() -> Generation | None:
    """The data generation now, or None where there is none (SQLite, or triggers not installed)."""
    if connection.vendor != "postgresql":
        return None
    try:
        with connection.cursor() as cursor:
            # Outside a transaction block the statement is its own transaction, so the lock it
            # tries ends with it; inside one it would last to the block's end: not asked, and
            # nothing is stored from there.
            cursor.execute(_GENERATION_SQL, [not connection.in_atomic_block])
            value, storable = cursor.fetchone()
    except DatabaseError:
        logger.warning("page cache off: the generation cannot be read", exc_info=True)
        return None
    return Generation(value, storable)


# The release --------------------------------------------------------------------------------
@functools.cache
def release() -> str:
    """A digest of the code and templates this process serves: each file's name, size and
    modification time (computed once per process; a deployment changes them)."""
    digest = hashlib.blake2b(digest_size=12)
    base = Path(settings.BASE_DIR)
    skip = {".venv", "node_modules", "var", "static", "tests", "docs", "scripts"}
    for root, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if d not in skip and not d.startswith("."))
        for name in sorted(files):
            if name.endswith((".py", ".html")):
                path = Path(root, name)
                stat = path.stat()
                digest.update(
                    f"{path.relative_to(base)}:{stat.st_size}:{stat.st_mtime_ns}".encode()
                )
    return digest.hexdigest()


# The pages ----------------------------------------------------------------------------------
def _key(request, gen: Generation) -> str:
    user = request.user.pk if request.user.is_authenticated else None
    bucket = int(time.time() // settings.PAGE_CACHE_SECONDS)
    parts = (
        release(),
        connection.settings_dict["NAME"],  # two databases may share one Redis
        user,
        request.get_host(),
        request.get_full_path(),
        gen.value,
        bucket,
    )
    return "page:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _messages_waiting(request) -> bool:
    return bool(len(get_messages(request)))


def _punch(request, html: str) -> str:
    """The page with this request's nonce and CSRF tokens replaced by holes."""
    nonce = get_nonce(request)
    if nonce is not None and getattr(nonce, "_wrapped", empty) is not empty:  # it was used
        value = str(nonce)
        if value:
            html = html.replace(value, NONCE_HOLE)
    return _CSRF_FIELD.sub(lambda m: m.group(1) + CSRF_HOLE + m.group(2), html)


def _fill(request, html: str) -> str:
    if NONCE_HOLE in html:
        html = html.replace(NONCE_HOLE, str(get_nonce(request)))
    if CSRF_HOLE in html:
        html = html.replace(CSRF_HOLE, get_token(request))
    return html


# A longer query string is none of the portal's own links (filters, sort, page): drawn, not
# stored, so that made-up queries cannot fill the cache.
MAX_QUERY_STRING = 300


def _storable(request, response) -> bool:
    return (
        len(request.META.get("QUERY_STRING", "")) <= MAX_QUERY_STRING
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and response.get("Content-Type", "").startswith("text/html")
    )


class _Shelf:
    """The page cache (its own alias, `pages`, with short timeouts), skipped for a while once it
    fails: when Redis is down or hangs, one request in a process waits out the timeout and the
    rest draw their pages at once (as the broker's circuit breaker does for publishing; no lock
    held while the cache is asked). Each page is sealed (AES-GCM, the custody key ring, bound to
    its key): what Redis holds, or writes to disk, is no reading of the register."""

    def __init__(self):
        self.skip_until = 0.0

    @property
    def cache(self):
        return caches["pages" if "pages" in settings.CACHES else "default"]

    def _call(self, method, *args):
        """(whether the cache answered, its answer)"""
        if time.monotonic() < self.skip_until:
            return False, None
        try:
            return True, method(*args)
        except Exception:
            self.skip_until = time.monotonic() + settings.BROKER_BREAKER_RESET_SECONDS
            logger.warning("page cache unavailable: pages are drawn", exc_info=True)
            return False, None

    def get(self, key):
        stored = self._call(self.cache.get, key)[1]
        if stored is None:
            return None
        try:
            kid, nonce, ciphertext = stored
            plain = unseal(Sealed(kid, nonce, ciphertext), aad=key.encode())
        except (DecryptionError, TypeError, ValueError):  # a key rotated away, or junk
            return None
        return json.loads(plain)

    def set(self, key, value) -> bool:
        sealed = seal(json.dumps(value).encode(), aad=key.encode())
        entry = (sealed.key_id, sealed.nonce, sealed.ciphertext)
        return self._call(self.cache.set, key, entry, settings.PAGE_CACHE_SECONDS)[0]


shelf = _Shelf()


def page_cache(view):
    """Serve the GET page from the cache when nothing it shows can have changed (see above).

    Put it inside the view's permission checks, which therefore still run on every request."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        off = getattr(request, "page_cache_off", False)  # the benchmark's cold probe
        if request.method != "GET" or not settings.PAGE_CACHE_SECONDS or off:
            return view(request, *args, **kwargs)
        if _messages_waiting(request):
            return view(request, *args, **kwargs)
        gen = generation()
        if gen is None:
            return view(request, *args, **kwargs)
        key = _key(request, gen)
        hit = shelf.get(key)
        if hit is not None:
            headers, html = hit
            response = HttpResponse(_fill(request, html), headers=headers)
            response.page_cache = "hit"
            return response
        if request.user.is_authenticated:
            # Who asks (their roles, officer record, team) was read before the generation: read
            # again now, so that nothing the page is drawn from is older than the generation.
            fresh = auth.get_user(request)
            if fresh.pk != request.user.pk:  # signed out meanwhile: draw, store nothing
                return view(request, *args, **kwargs)
            request.user = fresh
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        after = generation() if gen.storable else None
        unchanged = after is not None and after.value == gen.value and after.storable
        if unchanged and _storable(request, response):
            headers = dict(response.headers.items())
            html = _punch(request, response.content.decode(response.charset))
            if shelf.set(key, (headers, html)):
                response.page_cache = "stored"
        return response

    return wrapper
