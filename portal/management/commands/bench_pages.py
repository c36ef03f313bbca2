"""Page benchmark at a force's scale, on PostgreSQL (`make bench`).

1. Seeds, once, on top of the demo force: 20,000 officers, 10,000 accounts (`--scale 10` for ten
   times the accounts and their observations), 1,000,000 activity observations, 50,000 business
   cases spread over every state and 500,000 audit events. A database already seeded to the same
   counts is used as it is; seed a fresh database (createdb) to change the scale.
2. Starts gunicorn as production does (portal.settings.production, through portal.settings.bench,
   which adds only the floor view and the query/time probe), two workers.
3. Measures the floor (a bare Django view through the same middleware), drives every page as its
   usual person with wrk at 20 connections for a bounded time, measures the floor again, and
   prints per page: requests/s, p50/p95 latency, ratio to the floor, the SQL queries and the
   server time of one request (median of several), and the page's size.

The figures depend on the machine; the ratio to the floor measured in the same run is what to
compare between runs."""

import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import override_settings

BENCH_USER_PREFIX = "force.officer."
BENCH_HANDLE_PREFIX = "Force"
CONNECTIONS = 20

# Officers: a sergeant for every ten, the supervisor demo login leads the first twenty.
SEED_OFFICERS = [
    """INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email,
                              is_staff, is_active, date_joined)
       SELECT '!', false, %(prefix)s || g, 'Sam', 'Officer' || g,
              'force.officer.' || g || '@force.example', false, true, now()
       FROM generate_series(1, %(officers)s) g""",
    """INSERT INTO accounts_officer (user_id, staff_number, first_name, surname, rank, unit_id,
                                     status)
       SELECT u.id, 'F' || lpad(substr(u.username, length(%(prefix)s) + 1), 6, '0'), 'Sam',
              u.last_name, CASE WHEN substr(u.username, length(%(prefix)s) + 1)::int %% 10 = 1
                                THEN 'ps' ELSE 'pc' END,
              (%(teams)s)[1 + substr(u.username, length(%(prefix)s) + 1)::int %% %(n_teams)s],
              'serving'
       FROM auth_user u WHERE u.username LIKE %(prefix_like)s""",
    """UPDATE accounts_officer o SET supervisor_id = CASE
           WHEN n.g <= 20 THEN %(supervisor)s
           ELSE (SELECT s.id FROM accounts_officer s
                 WHERE s.staff_number = 'F' || lpad(((n.g - 1) / 10 * 10 + 1)::text, 6, '0'))
       END
       FROM (SELECT id, substr(staff_number, 2)::int AS g FROM accounts_officer
             WHERE staff_number LIKE 'F%%') n
       WHERE o.id = n.id AND n.g %% 10 <> 1""",
]

# Accounts: most active, some in every other status, last posts over the past 120 days, a few
# never seen; the officer demo login owns a handful.
SEED_ACCOUNTS = """
    INSERT INTO accounts_socialaccount (platform, handle, display_name, kind, owner_id, unit_id,
                                        status, created_at, activated_on, last_post_at,
                                        followers, credentials_required_since)
    SELECT (ARRAY['x','facebook','instagram','youtube','tiktok','nextdoor'])[1 + g %% 6],
           %(handle)s || lpad(g::text, 6, '0'), 'Force account ' || g,
           (ARRAY['individual','team','unit','central'])[1 + g %% 4],
           CASE WHEN g %% 2000 = 0 THEN %(officer)s ELSE o.id END, o.unit_id,
           CASE WHEN g %% 50 = 1 THEN 'closed' WHEN g %% 50 = 2 THEN 'pending_setup'
                WHEN g %% 50 = 3 THEN 'handover_pending' WHEN g %% 100 = 4 THEN 'compromised'
                ELSE 'active' END,
           now() - interval '400 days', (now() - interval '400 days')::date,
           CASE WHEN g %% 97 = 0 THEN NULL
                ELSE now() - (g %% 120) * interval '1 day' - (g %% 24) * interval '1 hour' END,
           g %% 5000, CASE WHEN g %% 7 = 0 THEN now() - interval '10 days' END
    FROM generate_series(1, %(accounts)s) g
    JOIN accounts_officer o ON o.staff_number = 'F' || lpad((1 + g %% %(officers)s)::text, 6, '0')
"""

SEED_OBSERVATIONS = """
    INSERT INTO accounts_activityobservation (account_id, source, observed_at, last_post_at,
                                              followers, recorded_by_id, import_job_id)
    SELECT a.id, 'import',
           coalesce(a.last_post_at, now()) + interval '1 hour' - k * interval '1 day',
           a.last_post_at - k * interval '1 day', a.followers, NULL, NULL
    FROM accounts_socialaccount a CROSS JOIN generate_series(0, %(per_account)s - 1) k
    WHERE a.handle LIKE %(handle_like)s
"""

# Lodged login details for most live accounts, never the rest (the credentials-needed report).
SEED_CREDENTIALS = """
    INSERT INTO custody_credential (key_id, nonce, ciphertext, lodged_at, encrypted_at,
                                    account_id, lodged_by_id)
    SELECT 'bench', '\\x00'::bytea, '\\x00'::bytea, now() - interval '30 days',
           now() - interval '30 days', a.id, %(press_user)s
    FROM accounts_socialaccount a
    WHERE a.handle LIKE %(handle_like)s AND a.id %% 3 <> 0
"""

CASE_STATES = [
    "draft",
    "submitted",
    "supervisor_approved",
    "returned",
    "rejected",
    "withdrawn",
    "signed_off",
    "registered",
]

SEED_CASES = """
    INSERT INTO approvals_businesscase (
        state, platform, kind, handle, display_name, policing_purpose, audience,
        attracting_audience, benefits_force, benefits_public, expected_outcomes,
        communications_plan, hours_per_week, is_event_or_campaign, hashtag_alternative,
        personal_use_acknowledged, submission_count, created_at, updated_at, submitted_at,
        state_changed_at, account_id, applicant_id, unit_id, policy_acknowledged_id)
    SELECT (%(states)s::text[])[1 + g %% 8], 'x', 'individual', 'ForceCase' || g,
           'Force case ' || g, 'Engage the neighbourhood about local priorities.',
           'Residents', 'Leaflets', 'Intelligence', 'Reassurance', 'Better engagement',
           'Weekly posts', 2.5, false, '', true, 1,
           now() - (g %% 60) * interval '1 day', now() - (g %% 60) * interval '1 day',
           now() - (g %% 60) * interval '1 day', now() - (g %% 30) * interval '1 day',
           CASE WHEN g %% 8 = 7 THEN %(first_account)s + g / 8 END,
           o.id, o.unit_id, NULL
    FROM generate_series(1, %(cases)s) g
    JOIN accounts_officer o ON o.staff_number = 'F' || lpad((1 + g %% %(officers)s)::text, 6, '0')
"""

AUDIT_TYPES = [
    "accounts.socialaccount",
    "approvals.businesscase",
    "people.officer",
    "custody.credential",
    "handovers.accounttransition",
]

SEED_AUDIT = """
    INSERT INTO audit_auditevent (sequence, created_at, actor_label, action, object_type,
                                  object_id, object_repr, changes, reason, prev_hash, hash,
                                  actor_id)
    SELECT %(start)s + g, now() - (%(events)s - g) * interval '1 minute', 'Kate Morgan',
           (ARRAY['account.registered','case.submitted','activity.recorded','credential.lodged',
                  'handover.started'])[1 + g %% 5],
           (%(types)s::text[])[1 + g %% 5], (1 + g %% 10000)::text, '@Force' || (1 + g %% 10000),
           '{"status": ["active", "closed"]}'::jsonb, '',
           md5((g - 1)::text) || md5('p' || (g - 1)), md5(g::text) || md5('p' || g), %(actor)s
    FROM generate_series(1, %(events)s) g
"""


@dataclass
class Page:
    name: str
    who: str
    path: str


class Command(BaseCommand):
    help = "Seed force-scale data, serve it with gunicorn and benchmark each page (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="Times 10,000 accounts.")
        parser.add_argument("--seconds", type=int, default=6, help="Load time per page.")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--port", type=int, default=0, help="Default: a free port.")
        parser.add_argument("--only", default="", help="Run only pages whose name has this.")
        parser.add_argument("--seed-only", action="store_true")

    def handle(self, *args, scale, seconds, workers, port, only, seed_only, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark runs on PostgreSQL: set DATABASE_URL=postgres://...")
        if not shutil.which("wrk"):
            raise CommandError("The benchmark drives pages with wrk: apt-get install wrk")
        if not os.environ.get("CACHE_URL", "").startswith("redis://"):
            raise CommandError("Set CACHE_URL=redis://... (production settings need it).")
        self.seed(scale)
        if seed_only:
            return
        secret_key = secrets.token_urlsafe(64)
        cookies = self.sessions(secret_key)
        pages = self.pages()
        if only:
            pages = [p for p in pages if only in p.name]
        port = port or free_port()
        with Server(port, workers, secret_key, self.stdout) as server:
            self.run_pages(server, pages, cookies, seconds)

    # Seeding --------------------------------------------------------------------------------
    def seed(self, scale: int):
        accounts, officers = 10_000 * scale, 20_000
        observations, cases, events = 1_000_000 * scale, 50_000, 500_000
        want = {"accounts": accounts, "officers": officers, "cases": cases}
        call_command("migrate", "--noinput", verbosity=0)
        have = self.counts()
        if have == want:
            self.stdout.write(f"Seeded data found: {self.describe()}")
            return
        if any(have.values()):
            raise CommandError(
                f"This database holds other benchmark data ({have}); seed a fresh one "
                "(dropdb/createdb) for this scale."
            )
        started = time.perf_counter()
        if not get_user_model().objects.filter(username="press").exists():
            call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        user = {
            u.username: u
            for u in get_user_model()
            .objects.filter(username__in=["officer", "supervisor", "press", "auditor"])
            .select_related("officer")
        }
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT array_agg(id ORDER BY id) FROM accounts_unit WHERE kind = 'team'"
            )
            teams = cursor.fetchone()[0]
            params = {
                "prefix": BENCH_USER_PREFIX,
                "prefix_like": BENCH_USER_PREFIX.replace(".", "_") + "%",
                "officers": officers,
                "teams": teams,
                "n_teams": len(teams),
                "supervisor": user["supervisor"].officer.pk,
                "officer": user["officer"].officer.pk,
                "handle": BENCH_HANDLE_PREFIX,
                "handle_like": BENCH_HANDLE_PREFIX + "0%",
                "accounts": accounts,
                "per_account": observations // accounts,
                "press_user": user["press"].pk,
                "cases": cases,
                "states": CASE_STATES,
                "types": AUDIT_TYPES,
                "events": events,
                "actor": user["press"].pk,
            }
            for sql in SEED_OFFICERS:
                cursor.execute(sql, params)
            cursor.execute(SEED_ACCOUNTS, params)
            cursor.execute(SEED_OBSERVATIONS, params)
            cursor.execute(SEED_CREDENTIALS, params)
            cursor.execute(
                "SELECT min(id) FROM accounts_socialaccount WHERE handle LIKE %s",
                [params["handle_like"]],
            )
            params["first_account"] = cursor.fetchone()[0]
            cursor.execute(SEED_CASES, params)
            cursor.execute("SELECT coalesce(max(sequence), 0) FROM audit_auditevent")
            params["start"] = cursor.fetchone()[0]
            cursor.execute(SEED_AUDIT, params)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # as autovacuum leaves a live database
        self.stdout.write(f"Seeded in {time.perf_counter() - started:.0f} s: {self.describe()}")

    def counts(self) -> dict:
        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT (SELECT count(*) FROM accounts_socialaccount WHERE handle LIKE %s),
                          (SELECT count(*) FROM accounts_officer WHERE staff_number LIKE 'F0%%'),
                          (SELECT count(*) FROM approvals_businesscase
                           WHERE handle LIKE 'ForceCase%%')""",
                [BENCH_HANDLE_PREFIX + "0%"],
            )
            accounts, officers, cases = cursor.fetchone()
        return {"accounts": accounts, "officers": officers, "cases": cases}

    def describe(self) -> str:
        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT (SELECT count(*) FROM accounts_socialaccount),
                          (SELECT count(*) FROM accounts_officer),
                          (SELECT reltuples::bigint FROM pg_class
                           WHERE relname = 'accounts_activityobservation'),
                          (SELECT count(*) FROM approvals_businesscase),
                          (SELECT reltuples::bigint FROM pg_class
                           WHERE relname = 'audit_auditevent')"""
            )
            a, o, obs, c, e = cursor.fetchone()
        return (
            f"{a:,} accounts, {o:,} officers, ~{obs:,} observations, {c:,} cases, "
            f"~{e:,} audit events"
        )

    # Who asks --------------------------------------------------------------------------------
    def sessions(self, secret_key: str) -> dict:
        """A signed-in session per demo login, as the sign-in flow leaves it (password and, for
        the press office, the authenticator code), signed with the server's SECRET_KEY."""
        cookies = {"anonymous": ""}
        now = time.time()
        with override_settings(SECRET_KEY=secret_key):
            for user in get_user_model().objects.filter(
                username__in=["officer", "supervisor", "press", "auditor"]
            ):
                session = SessionStore()
                session[SESSION_KEY] = str(user.pk)
                session[BACKEND_SESSION_KEY] = "people.backends.PortalBackend"  # as signing in does
                session[HASH_SESSION_KEY] = user.get_session_auth_hash()
                session["account_authentication_methods"] = [
                    {"method": "password", "at": now, "username": user.username},
                    {"method": "mfa", "at": now, "type": "totp"},
                ]
                session["account_authentication_methods_user"] = str(user.pk)
                session.create()
                cookies[user.username] = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
        return cookies

    def pages(self) -> list[Page]:
        from accounts.models import SocialAccount
        from approvals.models import BusinessCase

        account = SocialAccount.objects.filter(handle__startswith="Force0").order_by("pk")[50]
        case = BusinessCase.objects.filter(
            state="supervisor_approved", handle__startswith="ForceCase"
        ).order_by("pk")[10]
        public = SocialAccount.objects.filter(
            status="active", handle__startswith="Force0"
        ).order_by("pk")[100]
        return [
            Page("home", "officer", "/"),
            Page("home", "supervisor", "/"),
            Page("home", "press", "/"),
            Page("register", "press", "/register/"),
            Page("register search", "press", "/register/?q=Force0012"),
            Page("register dormancy filter", "press", "/register/?dormancy=dormant"),
            Page("account page", "press", f"/register/{account.pk}/"),
            Page("case page", "press", f"/cases/{case.pk}/"),
            Page("queue: supervisor", "supervisor", "/cases/supervisor/"),
            Page("queue: press office", "press", "/cases/press-office/"),
            Page("handover queues", "press", "/handovers/"),
            Page("reports: index", "auditor", "/reports/"),
            Page("reports: dormancy", "auditor", "/reports/dormancy/"),
            Page("reports: waiting", "auditor", "/reports/waiting/"),
            Page("reports: credentials", "auditor", "/reports/credentials/"),
            Page("audit trail", "auditor", "/audit/"),
            Page("verification", "anonymous", f"/verify/?handle={public.handle}"),
        ]

    # Measuring -------------------------------------------------------------------------------
    def run_pages(self, server, pages, cookies, seconds):
        floor_before = server.load("/bench/floor/", "", seconds)
        self.stdout.write(
            f"floor before: {floor_before.rps:,.0f} req/s, p50 {floor_before.p50:.1f} ms"
        )
        results = []
        for page in pages:
            cold = server.probe(page.path, cookies[page.who], cold=True)
            probe = server.probe(page.path, cookies[page.who])
            if probe.status != 200:
                raise CommandError(f"{page.name} as {page.who}: HTTP {probe.status}")
            load = server.load(page.path, cookies[page.who], seconds)
            results.append((page, load, probe, cold))
        floor_after = server.load("/bench/floor/", "", seconds)
        self.stdout.write(
            f"floor after:  {floor_after.rps:,.0f} req/s, p50 {floor_after.p50:.1f} ms"
        )
        floor = (floor_before.rps + floor_after.rps) / 2
        self.stdout.write("")
        self.stdout.write(
            f"{'page':<26}{'who':<11}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'ratio':>7}"
            f"{'queries':>8}{'server ms':>10}{'cold q':>7}{'cold ms':>8}{'KB':>7}{'non-2xx':>8}"
        )
        for page, load, probe, cold in results:
            self.stdout.write(
                f"{page.name:<26}{page.who:<11}{load.rps:>8,.0f}{load.p50:>9.1f}"
                f"{load.p95:>9.1f}{load.rps / floor:>7.3f}{probe.queries:>8}"
                f"{probe.server_ms:>10.1f}{cold.queries:>7}{cold.server_ms:>8.1f}"
                f"{probe.size / 1024:>7.0f}{load.errors:>8}"
            )
        self.stdout.write(
            f"(floor {floor:,.0f} req/s, mean of before and after; {CONNECTIONS} connections, "
            f"{seconds} s per page; server ms: median of 7 single requests as served; cold: the "
            "same with the page cache bypassed, the page drawn from the database)"
        )


@dataclass
class Load:
    rps: float
    p50: float
    p95: float
    errors: int


@dataclass
class Probe:
    status: int
    queries: int
    server_ms: float
    size: int


WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95),
    summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout))
end
"""


class Server:
    """gunicorn serving the portal with production settings (plus the bench's floor and probe)."""

    def __init__(self, port, workers, secret_key, stdout):
        self.port, self.workers, self.secret_key, self.stdout = port, workers, secret_key, stdout
        self.base = f"http://127.0.0.1:{port}"

    def __enter__(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-pages-"))
        (self.tmp / "wrk.lua").write_text(WRK_SCRIPT)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.bench",
            "SECRET_KEY": self.secret_key,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CREDENTIAL_KEYS": os.environ.get(
                "CREDENTIAL_KEYS", "bench:" + "QmVuY2gta2V5LW5vdC1hLXNlY3JldC0zMi1ieXRlcyE="
            ),
            "SECURE_SSL_REDIRECT": "false",
            "STATIC_ROOT": str(self.tmp / "static"),
            "LOG_LEVEL": "WARNING",
        }
        manage = [sys.executable, "manage.py"]
        subprocess.run(
            [*manage, "collectstatic", "--noinput", "-v0"],
            env=env,
            check=True,
            cwd=settings.BASE_DIR,
        )
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "portal.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=settings.BASE_DIR,
            start_new_session=True,
        )
        for _ in range(100):
            try:
                urllib.request.urlopen(self.base + "/bench/floor/", timeout=1)  # nosec B310 - loopback
                break
            except OSError:
                time.sleep(0.2)
        else:
            self.__exit__(None, None, None)
            raise CommandError("gunicorn did not start")
        return self

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def probe(self, path, cookie, times=7, cold=False) -> Probe:
        timings, last = [], None
        for _ in range(times + 1):  # the first warms the worker up
            request = urllib.request.Request(
                self.base + path,
                headers={"Cookie": cookie, "X-Bench-Probe": "cold" if cold else "1"},
            )
            try:
                with urllib.request.urlopen(request, timeout=120) as response:  # nosec B310 - loopback
                    body = response.read()
                    last = Probe(
                        response.status,
                        int(response.headers["X-Bench-Queries"]),
                        float(response.headers["X-Bench-Ms"]),
                        len(body),
                    )
            except urllib.error.HTTPError as error:
                return Probe(error.code, 0, 0.0, 0)
            timings.append(last.server_ms)
        last.server_ms = statistics.median(timings[1:])
        return last

    def drain(self):
        """Wait for the requests wrk left queued when it stopped: the next run starts clean."""
        for _ in range(3):
            urllib.request.urlopen(self.base + "/bench/floor/", timeout=120).read()  # nosec B310

    def load(self, path, cookie, seconds) -> Load:
        command = [
            "wrk",
            f"-c{CONNECTIONS}",
            "-t2",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "-s",
            str(self.tmp / "wrk.lua"),
        ]
        if cookie:
            command += ["-H", f"Cookie: {cookie}"]
        output = subprocess.run(
            [*command, self.base + path], capture_output=True, text=True, check=True
        ).stdout
        self.drain()
        line = next(line for line in output.splitlines() if line.startswith("RESULT"))
        requests, duration_us, p50_us, p95_us, errors = (int(x) for x in line.split()[1:])
        return Load(requests / (duration_us / 1e6), p50_us / 1000, p95_us / 1000, errors)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
