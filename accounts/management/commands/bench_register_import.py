"""Times a register import of N generated rows (default 10,000) end to end: validation, the
bulk write with one audit event per account, and the activity observations. Everything is rolled
back afterwards unless --keep is given. Prints figures; asserts nothing."""

import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from accounts import imports
from accounts.models import ImportJob, SocialAccount
from accounts.services import import_job_run, import_job_start
from people.models import Officer, Unit
from people.roles import Role


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time a CSV import of generated accounts (rolled back afterwards)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=10_000)
        parser.add_argument("--keep", action="store_true", help="Keep the imported accounts.")

    def handle(self, *args, rows, keep, **options):
        try:
            with transaction.atomic():
                self.run(rows)
                if not keep:
                    raise Rollback
        except Rollback:
            self.stdout.write("Rolled back: nothing was kept.")

    def run(self, rows: int):
        stamp = int(time.time())
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
        validated = time.perf_counter() - started
        if checked.errors:
            self.stderr.write(f"Generated file has errors: {checked.errors[:3]}")
            return
        before = SocialAccount.objects.count()
        started = time.perf_counter()
        job = import_job_start(
            actor=user,
            kind=ImportJob.Kind.REGISTER,
            filename="bench.csv",
            content=content,
            reason="Benchmark",
        )
        job = import_job_run(job_id=job.pk)
        total = time.perf_counter() - started
        written = SocialAccount.objects.count() - before
        self.stdout.write(
            f"{connection.vendor}: {rows} rows — validation alone {validated:.2f}s; "
            f"full import (validate + write + audit) {total:.2f}s "
            f"({rows / total:,.0f} rows/s); status {job.status}, {written} accounts written."
        )
