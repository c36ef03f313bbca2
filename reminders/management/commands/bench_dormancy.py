"""Benchmark of the daily dormancy scan at force-wide scale, on PostgreSQL.

Seeds (inside one transaction, rolled back at the end unless --keep) 100,000 accounts and
2,000,000 activity observations (a tenth of the accounts under a lifted pause, a twentieth under
one in force), then runs the scan three times and prints, for each, the wall
time (foreign keys checked as a commit would check them), the CPU seconds spent in this process
and in its PostgreSQL backend (on a shared machine the wall time is the sum of these and of
waiting for a core), the number of SQL queries, Python's peak allocation during the scan
(traced in a second pass) and how far the process's RSS grew above where it started; then each
scan's phases (`core.phases`) with the same columns:
  1. cold: the first scan ever, which writes every reminder the accounts have earned;
  2. again the same day: the steady state, nothing new;
  3. the next day: a day's worth of new rungs.
Delivery happens on the workers after commit, so it is not part of the scan's cost (and, the
transaction being rolled back, no mail is sent)."""

import contextlib
import gc
import os
import resource
import time
import tracemalloc
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import phases
from reminders.services import dormancy_scan


class Rollback(Exception):
    pass


SEED_SQL = [
    # Officers to own the accounts: one unit, 1,000 users and officers.
    """INSERT INTO accounts_unit (name, code, kind, parent_id)
       VALUES ('Bench unit', 'bench-unit', 'team', NULL) RETURNING id""",
    """INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email,
                              is_staff, is_active, date_joined)
       SELECT '!', false, 'bench' || g, 'Bench', 'Officer' || g, 'bench' || g || '@bench.example',
              false, true, now()
       FROM generate_series(1, 1000) g""",
    """INSERT INTO accounts_officer (user_id, staff_number, first_name, surname, rank, unit_id,
                                     status)
       SELECT u.id, 'BENCH' || u.id, 'Bench', u.last_name, 'pc', %(unit)s, 'serving'
       FROM auth_user u WHERE u.username LIKE 'bench%%'""",
    # 100,000 accounts, 95% active, last posts spread over the past 90 days.
    """INSERT INTO accounts_socialaccount (platform, handle, display_name, kind, owner_id, unit_id,
                                           status, created_at, activated_on, last_post_at,
                                           followers, credentials_required_since)
       SELECT 'x', 'Bench' || g, 'Bench ' || g, 'individual',
              (SELECT min(id) FROM accounts_officer WHERE staff_number LIKE 'BENCH%%') + g %% 1000,
              %(unit)s,
              CASE WHEN g %% 20 = 0 THEN 'closed' ELSE 'active' END,
              now() - interval '400 days', (now() - interval '400 days')::date,
              now() - (g %% 90) * interval '1 day' - (g %% 24) * interval '1 hour',
              g %% 5000, NULL
       FROM generate_series(1, %(accounts)s) g""",
    # 2,000,000 observations: twenty per account, the latest matching its last post.
    """INSERT INTO accounts_activityobservation (account_id, source, observed_at, last_post_at,
                                                 followers, recorded_by_id, import_job_id)
       SELECT a.id, 'import', a.last_post_at + interval '1 hour' - k * interval '3 days',
              a.last_post_at - k * interval '3 days', a.followers, NULL, NULL
       FROM accounts_socialaccount a
       CROSS JOIN generate_series(0, %(per_account)s - 1) k
       WHERE a.handle LIKE 'Bench%%'""",
]


# Suspensions and pauses (pauses app): one force-wide pause lifted five days ago over every
# tenth account, and one still in force over every twentieth, so the scan's pause lookup has
# rows to find.
PAUSE_SQL = [
    """INSERT INTO pauses_pause (kind, scope, account_id, unit_id, reason, review_on,
                                 review_reminded_at, started_at, started_by_id, lifted_at,
                                 lifted_by_id, lift_reason)
       SELECT 'incident', 'force', NULL, NULL, 'Bench', NULL, NULL, now() - interval '9 days',
              min(id), CASE WHEN %(lifted)s THEN now() - interval '5 days' END,
              CASE WHEN %(lifted)s THEN min(id) END, ''
       FROM auth_user WHERE username LIKE 'bench%%' RETURNING id""",
    """INSERT INTO pauses_pausedaccount (pause_id, account_id, status_then, lifted_at)
       SELECT %(pause)s, a.id, a.status, CASE WHEN %(lifted)s THEN now() - interval '5 days' END
       FROM accounts_socialaccount a
       WHERE a.handle LIKE 'Bench%%' AND a.id %% %(every)s = 0""",
]


class Command(BaseCommand):
    help = "Time the dormancy scan over 100,000 accounts and 2,000,000 observations (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=int, default=100_000)
        parser.add_argument("--observations", type=int, default=2_000_000)
        parser.add_argument("--keep", action="store_true", help="Keep the seeded rows.")

    def handle(self, *args, accounts, observations, keep, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark runs on PostgreSQL: set DATABASE_URL=postgres://...")
        try:
            with transaction.atomic():
                self.seed(accounts, observations)
                self.measure()
                if not keep:
                    raise Rollback
        except Rollback:
            self.stdout.write("Rolled back: nothing was kept.")

    def backend_cpu(self):
        """CPU seconds of this connection's PostgreSQL backend, when it runs on this machine."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
        if not stat.exists():
            return lambda: float("nan")
        tick = os.sysconf("SC_CLK_TCK")

        def cpu() -> float:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / tick

        return cpu

    def check_foreign_keys(self):
        """Fire the foreign-key checks the scan left pending, as its commit would (they are
        deferred to the commit, which the benchmark never reaches), and defer again."""
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def rehearse(self, moment) -> float:
        """Python's peak allocation (MiB) in a scan at `moment`, traced (tracing slows Python
        down, so the timed runs are separate, untraced ones)."""
        tracemalloc.start()
        dormancy_scan(now=moment)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return peak / 2**20

    def seed(self, accounts: int, observations: int):
        started = time.perf_counter()
        per_account = max(1, observations // accounts)
        with connection.cursor() as cursor:
            cursor.execute(SEED_SQL[0])
            unit = cursor.fetchone()[0]
            params = {"unit": unit, "accounts": accounts, "per_account": per_account}
            for sql in SEED_SQL[1:]:
                cursor.execute(sql, params)
            for lifted, every in ((True, 10), (False, 20)):
                cursor.execute(PAUSE_SQL[0], {"lifted": lifted})
                pause = cursor.fetchone()[0]
                cursor.execute(PAUSE_SQL[1], {"pause": pause, "lifted": lifted, "every": every})
            cursor.execute("ANALYZE pauses_pausedaccount")
        self.check_foreign_keys()  # the seed's own, so that the scans' are theirs alone
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE accounts_socialaccount")
            cursor.execute("ANALYZE accounts_activityobservation")
            cursor.execute("SELECT count(*) FROM accounts_activityobservation")
            seeded_obs = cursor.fetchone()[0]
        self.stdout.write(
            f"Seeded {accounts:,} accounts and {seeded_obs:,} observations in "
            f"{time.perf_counter() - started:.1f} s"
        )

    def measure(self):
        rss = rss_now()
        self.stdout.write(f"RSS before the scans: {rss:.0f} MiB")
        backend_cpu = self.backend_cpu()
        now = timezone.now()
        runs = [
            ("cold (first scan ever)", now),
            ("again the same day", now),
            ("the next day", now + timezone.timedelta(days=1)),
        ]
        before = transaction.savepoint()
        timed = []
        for label, moment in runs:
            gc.collect()
            start_rss = rss_now()
            reset_peak_rss()
            with (
                CaptureQueriesContext(connection) as queries,
                phases.recording(backend_cpu) as recorder,
            ):
                started, cpu, db = time.perf_counter(), time.process_time(), backend_cpu()
                result = dormancy_scan(now=moment)
                with phases.phase("foreign keys checked (as at commit)"):
                    self.check_foreign_keys()
                elapsed = time.perf_counter() - started
                cpu, db = time.process_time() - cpu, backend_cpu() - db
            grew = peak_rss() - start_rss
            timed.append((label, elapsed, cpu, db, len(queries), grew, result, recorder))
        # Python's peak allocation, traced in a second pass over the same three scans from the
        # same start (rolled back to it), after the timed pass so that the timed scans meet no
        # dead rows left by a rehearsal.
        transaction.savepoint_rollback(before)
        traced = [self.rehearse(moment) for _, moment in runs]
        self.stdout.write(
            f"{'run':<24}{'seconds':>9}{'py cpu':>8}{'db cpu':>8}{'queries':>9}"
            f"{'py peak MiB':>13}{'RSS +MiB':>10}{'reminders':>11}{'flagged':>9}"
        )
        for (label, elapsed, cpu, db, queries, grew, result, _), peak in zip(
            timed, traced, strict=True
        ):
            self.stdout.write(
                f"{label:<24}{elapsed:>9.2f}{cpu:>8.2f}{db:>8.2f}{queries:>9}{peak:>13.1f}"
                f"{grew:>10.1f}{result.total:>11,}{result.flagged:>9,}"
            )
        for label, elapsed, *_, recorder in timed:
            self.stdout.write(f"\nPhases of the scan {label} ({elapsed:.2f} s):")
            self.stdout.write(
                f"  {'phase':<40}{'calls':>6}{'seconds':>9}{'py cpu':>8}{'db cpu':>8}"
            )
            for name, totals in recorder.phases.items():
                self.stdout.write(
                    f"  {name:<40}{totals.calls:>6}{totals.wall:>9.2f}{totals.cpu:>8.2f}"
                    f"{totals.db_cpu:>8.2f}"
                )
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(f"\nPeak RSS of the process: {rss:.0f} MiB")


PROC_STATUS = Path("/proc/self/status")


def _status_mib(field: str) -> float:
    """A memory figure from /proc/self/status (Linux), in MiB; NaN elsewhere."""
    if not PROC_STATUS.exists():
        return float("nan")
    for line in PROC_STATUS.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_now() -> float:
    return _status_mib("VmRSS")


def peak_rss() -> float:
    return _status_mib("VmHWM")


def reset_peak_rss() -> None:
    """Start the peak (VmHWM) again from the current RSS (Linux: clear_refs 5)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
