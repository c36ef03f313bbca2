"""Benchmark of the daily dormancy scan at force-wide scale, on PostgreSQL.

Seeds (inside one transaction, rolled back at the end unless --keep) 100,000 accounts and
2,000,000 activity observations (a tenth of the accounts under a lifted pause, a twentieth under
one in force), then runs the scan three times and prints, for each, the wall
time (foreign keys checked as a commit would check them), the CPU seconds spent in this process
and in its PostgreSQL backend (on a shared machine the wall time is the sum of these and of
waiting for a core), the number of SQL queries and Python's peak allocation during the scan:
  1. cold: the first scan ever, which writes every reminder the accounts have earned;
  2. again the same day: the steady state, nothing new;
  3. the next day: a day's worth of new rungs.
Delivery happens on the workers after commit, so it is not part of the scan's cost (and, the
transaction being rolled back, no mail is sent)."""

import os
import resource
import time
import tracemalloc
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reminders.models import Reminder
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

    def check_foreign_keys_at_once(self):
        """The reminder's and the audit event's foreign keys are deferred to the commit, which
        the benchmark never reaches: checked at each statement instead, they count in the
        scan's time as they would in production."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid IN "
                "('reminders_reminder'::regclass, 'audit_auditevent'::regclass)"
            )
            names = [connection.ops.quote_name(name) for (name,) in cursor.fetchall()]
            cursor.execute(f"SET CONSTRAINTS {', '.join(names)} IMMEDIATE")

    def rehearse(self, moment) -> float:
        tracemalloc.start()
        try:
            with transaction.atomic():
                dormancy_scan(now=moment)
                raise Rollback
        except Rollback:
            pass
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
            cursor.execute("ANALYZE accounts_socialaccount")
            cursor.execute("ANALYZE accounts_activityobservation")
            cursor.execute("SELECT count(*) FROM accounts_activityobservation")
            seeded_obs = cursor.fetchone()[0]
        self.stdout.write(
            f"Seeded {accounts:,} accounts and {seeded_obs:,} observations in "
            f"{time.perf_counter() - started:.1f} s"
        )

    def measure(self):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(f"Peak RSS before the scans: {peak:.0f} MiB")
        self.check_foreign_keys_at_once()
        backend_cpu = self.backend_cpu()
        now = timezone.now()
        runs = [
            ("cold (first scan ever)", now),
            ("again the same day", now),
            ("the next day", now + timezone.timedelta(days=1)),
        ]
        self.stdout.write(
            f"{'run':<24}{'seconds':>9}{'py cpu':>8}{'db cpu':>8}{'queries':>9}"
            f"{'py peak MiB':>13}{'reminders':>11}{'flagged':>9}"
        )
        for label, moment in runs:
            # Python's peak allocation, traced in a rehearsal that is rolled back (tracing slows
            # Python down, so the timed run is a separate, untraced one).
            peak = self.rehearse(moment)
            with CaptureQueriesContext(connection) as queries:
                started, cpu, db = time.perf_counter(), time.process_time(), backend_cpu()
                result = dormancy_scan(now=moment)
                elapsed = time.perf_counter() - started
                cpu, db = time.process_time() - cpu, backend_cpu() - db
            self.stdout.write(
                f"{label:<24}{elapsed:>9.2f}{cpu:>8.2f}{db:>8.2f}{len(queries):>9}{peak:>13.1f}"
                f"{result.total:>11,}{result.flagged:>9,}"
            )
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(f"Peak RSS after the scans: {rss:.0f} MiB")
        self.stdout.write(f"Reminder rows: {Reminder.objects.count():,}")
