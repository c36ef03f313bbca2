"""Times a register import of generated rows end to end, the way the worker runs it, and the
register's CSV export. For each size (default 10,000 and 50,000 rows) a fresh process (as a worker
is) loads Django, records an upload, and then runs the import task's service: the figures are the
time, the process's resident memory before the task (idle) and at its highest while the task ran
(peak), the CPU time the process itself spent, and the time to check the file alone. Each size is
run three times (--repeat) and the fastest shown, as the load of a shared machine moves them.
After the largest import the press office's register export is timed: first byte, first rows and
whole file. Everything is rolled back afterwards unless --keep is given (the tables it writes are
vacuumed before each run, so earlier rolled-back runs cost nothing). Prints figures; asserts
nothing. Needs PostgreSQL for figures that mean anything.

The rolled-back import is timed with the work its COMMIT would do (the deferred foreign-key
checks). Memory is read from /proc (Linux): VmRSS before the task, VmHWM (the high-water mark,
reset through /proc/self/clear_refs just before the task) after it."""

import contextlib
import gc
import json
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import RequestFactory

from accounts import imports
from accounts.models import ActivityObservation, ImportJob, SocialAccount
from accounts.services import import_job_run, import_job_start
from audit.models import AuditEvent
from people.models import Officer, Unit
from people.roles import Role

RESULT = "RESULT "
STATUS = Path("/proc/self/status")


class Rollback(Exception):
    pass


def _memory_mb(key: str) -> float | None:
    """VmRSS or VmHWM of this process in MB (None where /proc is not there)."""
    try:
        for line in STATUS.read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")  # 5: reset the peak RSS (VmHWM)


class Command(BaseCommand):
    help = "Time CSV imports of generated accounts and the register export (rolled back)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--rows",
            type=int,
            action="append",
            help="Rows to import (repeat for several sizes; default 10,000 and 50,000).",
        )
        parser.add_argument("--keep", action="store_true", help="Keep the imported accounts.")
        parser.add_argument(
            "--no-export", action="store_true", help="Skip timing the register export."
        )
        parser.add_argument(
            "--repeat", type=int, default=3, help="Runs per size; the fastest is shown."
        )
        parser.add_argument("--child", action="store_true", help="(internal) one measured run.")

    def handle(self, *args, rows, keep, no_export, repeat, child, **options):
        sizes = rows or [10_000, 50_000]
        if child:
            self.child(sizes[0], keep=keep, export=not no_export)
            return
        self.stdout.write(
            f"{connection.vendor}: register import, each size in a fresh process "
            "(memory in MB; peak is while the import task ran)"
        )
        for size in sizes:
            runs = []
            for _ in range(max(1, repeat)):
                result = self.measure(size, keep=keep, export=not no_export and size == max(sizes))
                if result is None:
                    break
                runs.append(result)
            if runs:
                runs.sort(key=lambda r: r["import_s"])
                self.report(runs[0])
                if len(runs) > 1:
                    times = ", ".join(f"{r['import_s']:.2f}" for r in runs)
                    self.stdout.write(
                        f"{'':>7} best of {len(runs)} runs shown (import times {times}s; "
                        "the machine's load moves them)"
                    )

    def measure(self, size: int, *, keep: bool, export: bool) -> dict | None:
        if connection.vendor == "postgresql":
            # A rolled-back run leaves dead rows (and dead index entries under the same audit
            # sequence numbers) that the next run would wade through: clear them first.
            with connection.cursor() as cursor:
                for model in (SocialAccount, ActivityObservation, AuditEvent):
                    table = connection.ops.quote_name(model._meta.db_table)
                    cursor.execute(f"VACUUM (ANALYZE) {table}")
        command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "bench_register_import"]
        command += ["--child", "--rows", str(size)]
        if keep:
            command.append("--keep")
        if not export:
            command.append("--no-export")
        # This interpreter and this project's manage.py, with arguments made above.
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        results = [ln for ln in done.stdout.splitlines() if ln.startswith(RESULT)]
        if done.returncode or not results:
            self.stderr.write(f"{size} rows: the measured run failed\n{done.stderr[-3000:]}")
            return None
        return json.loads(results[-1][len(RESULT) :])

    def report(self, r: dict) -> None:
        delta = (
            f"{r['peak_mb'] - r['idle_mb']:.0f}"
            if r["peak_mb"] is not None and r["idle_mb"] is not None
            else "?"
        )
        self.stdout.write(
            f"{r['rows']:>7,} rows: check alone {r['check_s']:.2f}s; import (check + write + "
            f"audit, one transaction) {r['import_s']:.2f}s ({r['rows'] / r['import_s']:,.0f} "
            f"rows/s; worker CPU {r['cpu_s']:.2f}s; the commit's foreign-key checks "
            f"{r['commit_checks_s']:.2f}s), "
            f"status {r['status']}, {r['written']:,} accounts written; memory idle "
            f"{r['idle_mb']:.0f}, peak {r['peak_mb']:.0f}, +{delta}"
        )
        if "export_first_byte_s" in r:
            self.stdout.write(
                f"{'':>7} register CSV export of {r['export_rows']:,} accounts (press office): "
                f"first byte {r['export_first_byte_s']:.2f}s, "
                f"first rows {r['export_first_rows_s']:.2f}s, "
                f"whole file {r['export_total_s']:.2f}s "
                f"({r['export_bytes'] / 1e6:.1f} MB, {r['export_chunks']:,} chunks)"
            )

    # The measured run, in its own process ----------------------------------------------------

    def child(self, rows: int, *, keep: bool, export: bool) -> None:
        result = {}
        try:
            with transaction.atomic():
                result = self.run(rows, export=export)
                if not keep:
                    raise Rollback
        except Rollback:
            pass
        self.stdout.write(RESULT + json.dumps(result))

    def run(self, rows: int, *, export: bool) -> dict:
        stamp = time.time_ns() % 10**9
        unit = Unit.objects.create(name=f"Bench unit {stamp}", code=f"bench-{stamp}", kind="team")
        user = get_user_model().objects.create(username=f"bench-{stamp}")
        user.groups.add(Group.objects.get(name=Role.PRESS_OFFICE))
        owner = Officer.objects.create(
            user=user, staff_number=f"B{stamp}", first_name="Bench", surname="Mark", unit=unit
        )
        header = "platform,handle,display_name,kind,owner_staff_number,last_post_at\n"
        content = header + "".join(
            f"x,B{stamp % 100000}n{n:06d},Bench {n},individual,{owner.staff_number},2026-10-01\n"
            for n in range(rows)
        )
        started = time.perf_counter()
        checked = imports.check_register_file(content)
        check_s = time.perf_counter() - started
        if checked.errors:
            raise SystemExit(f"Generated file has errors: {checked.errors[:3]}")
        job = import_job_start(
            actor=user,
            kind=ImportJob.Kind.REGISTER,
            filename="bench.csv",
            content=content,
            reason="Benchmark",
        )
        del content, checked
        before = SocialAccount.objects.count()
        gc.collect()
        idle = _memory_mb("VmRSS")
        _reset_peak()
        started, cpu = time.perf_counter(), time.process_time()
        job = import_job_run(job_id=job.pk)
        checks_started = time.perf_counter()
        if connection.vendor == "postgresql":
            # What the import's COMMIT would do and the rollback here skips: check the foreign
            # keys Django declares DEFERRABLE INITIALLY DEFERRED.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        import_s = time.perf_counter() - started
        commit_checks_s = time.perf_counter() - checks_started
        cpu_s = time.process_time() - cpu
        peak = _memory_mb("VmHWM")
        result = {
            "rows": rows,
            "check_s": check_s,
            "import_s": import_s,
            "commit_checks_s": commit_checks_s,
            "cpu_s": cpu_s,
            "status": job.status,
            "written": SocialAccount.objects.count() - before,
            "idle_mb": idle,
            "peak_mb": peak,
        }
        if export:
            result.update(self.export(user))
        return result

    def export(self, user) -> dict:
        from accounts.views import register_export

        request = RequestFactory().get("/register/export/")
        request.user = user
        started = time.perf_counter()
        response = register_export(request)
        chunks = iter(response.streaming_content if response.streaming else [response.content])
        size = len(next(chunks, b""))
        first = time.perf_counter() - started
        first_rows = None
        count = 1
        for chunk in chunks:
            size += len(chunk)
            count += 1
            if first_rows is None:
                first_rows = time.perf_counter() - started
        total = time.perf_counter() - started
        return {
            "export_rows": SocialAccount.objects.count(),
            "export_first_byte_s": first,
            "export_first_rows_s": first_rows if first_rows is not None else first,
            "export_total_s": total,
            "export_bytes": size,
            "export_chunks": count,
        }
