"""What people feel while Redis is out: N people at once (default 30; half submit a case, which
queues mail, half save a draft, which queues nothing) against gunicorn started as production
starts it, with Redis stopped and then with Redis hanging (accepting connections, never
answering). Prints each kind's answer times and checks that nothing was lost; asserts nothing.

Runs in a database of its own (created, migrated and dropped again) beside DATABASE_URL's, with
a redis-server of its own on a free port: the shared services are never stopped."""

import argparse
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.urls import reverse

from approvals.models import BusinessCase, PolicyVersion
from people.models import Officer, Unit
from people.roles import Role, ensure_role_groups

ROOT = Path(settings.BASE_DIR)
CASE_TEXT = {
    "policing_purpose": "Raise trust and confidence in the neighbourhood.",
    "audience": "Residents of the ward and local businesses.",
    "attracting_audience": "Follow local groups; tell residents at ward meetings.",
    "benefits_force": "Direct contact with the community.",
    "benefits_public": "Know what their team is doing about local priorities.",
    "expected_outcomes": "More information from the public about anti-social behaviour.",
    "communications_plan": "Three posts a week; the team covers leave.",
    "hours_per_week": "3",
    "hashtag_alternative": "Continuing neighbourhood engagement, not a single event.",
}


def _request(url, data=None, session=None, csrf_cookie=None):
    cookies = [f"sessionid={session}"] if session else []
    if csrf_cookie:
        cookies.append(f"csrftoken={csrf_cookie}")
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Cookie": "; ".join(cookies)})
    opener = urllib.request.build_opener(_NoRedirect)
    return opener.open(request, timeout=120)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _status(url, data=None, session=None, csrf_cookie=None) -> int | None:
    try:
        with _request(url, data, session, csrf_cookie) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise CommandError(f"timed out waiting for {what}")


@contextlib.contextmanager
def _hung_redis():
    """A socket that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(256)
    held, stop = [], threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                held.append(server.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"redis://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(2)
        for conn in held:
            conn.close()
        server.close()


@contextlib.contextmanager
def _stopped_redis(workdir: Path):
    """A redis-server of our own, started (so the port really was Redis) and stopped again."""
    with _running_redis(workdir) as url:
        pass
    yield url


@contextlib.contextmanager
def _running_redis(workdir: Path):
    """A redis-server of our own on a free port."""
    port = _free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
    )
    _wait_for(
        lambda: (
            subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).stdout
            == b"PONG\n"
        ),
        10,
        "redis-server",
    )
    try:
        yield f"redis://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


class Command(BaseCommand):
    help = "Answer times while Redis is stopped or hangs (own database, own Redis, gunicorn)."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=30)
        parser.add_argument(
            "--redis",
            choices=["running", "stopped", "hangs"],
            action="append",
            help="Only these cases (default: all three).",
        )
        parser.add_argument("--prepare", help=argparse.SUPPRESS)
        parser.add_argument("--first-name", default="Alex", help=argparse.SUPPRESS)

    def handle(self, *args, people, prepare, first_name, redis, **options):
        if prepare:
            return self.prepare(people, Path(prepare), first_name)
        if connection.vendor != "postgresql":
            raise CommandError("bench_broker_outage needs DATABASE_URL on PostgreSQL.")
        if not shutil.which("redis-server"):
            raise CommandError("bench_broker_outage needs redis-server.")
        name = f"bench_outage_{os.getpid()}"
        s = connection.settings_dict
        auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
        url = f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        workdir = Path(settings.VAR_DIR) / name
        workdir.mkdir(parents=True, exist_ok=True)
        try:
            self.run_bench(url, people, workdir, redis or ["running", "stopped", "hangs"])
        finally:
            connection.close()
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            shutil.rmtree(workdir, ignore_errors=True)

    # -- the bench --------------------------------------------------------------------------

    def run_bench(self, database_url, people, workdir, only):
        base_env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "PORTAL_VAR_DIR": str(workdir),
            "DJANGO_SETTINGS_MODULE": "portal.settings.local",
            # One key for the sessions made below and the server that reads them.
            "SECRET_KEY": secrets.token_urlsafe(60),
        }
        self.stdout.write(f"Preparing {people} people in a database of their own…")
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=base_env,
            check=True,
        )
        self.stdout.write(
            f"{'Redis':<8} {'kind':<22} {'n':>3} {'min s':>7} {'median s':>9} {'max s':>7}  answers"
        )
        troubles = (  # people of another first name each time: their handles must not clash
            ("running", "Ann", _running_redis(workdir)),  # the baseline: same load, Redis up
            ("stopped", "Bob", _stopped_redis(workdir)),
            ("hangs", "Cal", _hung_redis()),
        )
        for trouble, first_name, broker in troubles:
            if trouble not in only:
                continue
            plan_file = workdir / f"plan-{trouble}.json"
            subprocess.run(
                [
                    sys.executable,
                    "manage.py",
                    "bench_broker_outage",
                    "--people",
                    str(people),
                    "--prepare",
                    str(plan_file),
                    "--first-name",
                    first_name,
                ],
                cwd=ROOT,
                env=base_env,
                check=True,
            )
            plan = json.loads(plan_file.read_text())
            with broker as redis_url:
                env = {
                    **base_env,
                    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
                    "ALLOWED_HOSTS": "127.0.0.1",
                    "CREDENTIAL_KEYS": "bench:" + secrets.token_urlsafe(32)[:43] + "=",
                    "CELERY_BROKER_URL": f"{redis_url}/0",
                    "CELERY_RESULT_BACKEND": f"{redis_url}/1",
                    "CACHE_URL": f"{redis_url}/2",
                    "SECURE_SSL_REDIRECT": "false",
                }
                results, health = self.drive(env, plan, workdir)
            self.report(trouble, results, health)
            self.check_nothing_lost(base_env, plan, trouble)

    def drive(self, env, plan, workdir):
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        port = _free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "portal.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "3",
                "--timeout",
                "120",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(workdir / "gunicorn.log", "a"),  # noqa: SIM115 - the process owns it
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            try:
                _wait_for(lambda: _status(base + "/login/") == 200, 60, "gunicorn")
            except CommandError:
                self.stderr.write((workdir / "gunicorn.log").read_text()[-3000:])
                raise
            forms = [self.form(base, item) for item in plan["people"]]
            results = [None] * len(forms)
            gate = threading.Barrier(len(forms))

            def post(i, item, form):
                gate.wait()
                started = time.monotonic()
                cookie = form.pop("_csrf_cookie")
                status = _status(base + item["path"], form, item["session"], cookie)
                results[i] = (item["kind"], time.monotonic() - started, status)

            threads = [
                threading.Thread(target=post, args=(i, item, form))
                for i, (item, form) in enumerate(zip(plan["people"], forms, strict=True))
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(180)
            started = time.monotonic()
            health_status = _status(base + "/health/?format=json")
            health = (time.monotonic() - started, health_status)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
        return results, health

    def form(self, base, item):
        try:
            page = _request(base + item["path"], session=item["session"])
        except urllib.error.HTTPError as exc:
            raise CommandError(
                f"{item['path']} answered {exc.code} (to {exc.headers.get('Location')})"
            ) from exc
        html = page.read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        csrf_cookie = re.search(r"csrftoken=([^;]+)", page.headers.get("Set-Cookie", "")).group(1)
        return {**item["data"], "csrfmiddlewaretoken": token, "_csrf_cookie": csrf_cookie}

    def report(self, trouble, results, health):
        for kind in ("submit a case", "save a draft"):
            times = [t for k, t, _ in results if k == kind]
            answers = sorted({s or "no answer" for k, _, s in results if k == kind}, key=str)
            self.stdout.write(
                f"{trouble:<8} {kind:<22} {len(times):>3} {min(times):>7.2f} "
                f"{statistics.median(times):>9.2f} {max(times):>7.2f}  {answers}"
            )
        self.stdout.write(
            f"{trouble:<8} {'health page':<22} {1:>3} {health[0]:>7.2f} "
            f"{health[0]:>9.2f} {health[0]:>7.2f}  [{health[1]}]"
        )

    def check_nothing_lost(self, env, plan, trouble):
        out = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                "from approvals.models import BusinessCase as C; "
                "from notifications.models import Notification as N; "
                f"ids={[p['case'] for p in plan['people']]!r}; "
                "print(C.objects.filter(pk__in=ids, state='submitted').count(), "
                "C.objects.filter(pk__in=ids, display_name__startswith='PC Saved').count(), "
                "N.objects.filter(kind='case.submitted', emailed_at__isnull=True, "
                f"recipient_id={plan['supervisor_user']}).count())",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        out = out.stdout.split()
        submitted, saved, waiting = (int(x) for x in out[-3:])
        expected = sum(p["kind"] == "submit a case" for p in plan["people"])
        self.stdout.write(
            f"{trouble:<8} kept: {submitted}/{expected} submissions, {saved}/"
            f"{len(plan['people']) - expected} drafts, "
            f"{waiting} mails in the outbox (no worker here)"
        )

    # -- the data, made in the bench database by a child process ------------------------------

    def prepare(self, people, plan_file: Path, first_name: str):
        groups = ensure_role_groups()

        def create_person_for_bench(unit, first, surname, roles, supervisor=None):
            username = f"{first}{surname}{stamp}".lower()
            user = get_user_model().objects.create(
                username=username, email=f"{username}@bench.invalid"
            )
            user.groups.add(*roles)
            return Officer.objects.create(
                user=user,
                staff_number=f"B{stamp}{user.pk}",
                first_name=first,
                surname=surname,
                unit=unit,
                supervisor=supervisor,
            )

        stamp = f"{int(time.time()) % 100000}"
        unit = Unit.objects.create(name=f"Bench team {stamp}", code=f"bt{stamp}", kind="team")
        supervisor = create_person_for_bench(
            unit, "Sam", "Super", [groups[Role.OFFICER], groups[Role.SUPERVISOR]]
        )
        policy = PolicyVersion.objects.order_by("-pk").first() or PolicyVersion.objects.create(
            title="Bench policy",
            version=f"bench-{stamp}",
            text="Use the account for policing purposes only.",
            published_by=supervisor.user,
        )
        plan = []
        for n in range(people):
            surname = "Bench" + chr(97 + n // 26) + chr(97 + n % 26)
            officer = create_person_for_bench(
                unit, first_name, surname.title(), [groups[Role.OFFICER]], supervisor=supervisor
            )
            case = BusinessCase.objects.create(
                applicant=officer,
                unit=unit,
                platform="x",
                kind="individual",
                handle=f"{first_name}{surname.title()}WMP",
                display_name=f"PC {first_name} {surname.title()}",
                **CASE_TEXT,
            )
            session = SessionStore()
            session["_auth_user_id"] = str(officer.user.pk)
            session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
            session["_auth_user_hash"] = officer.user.get_session_auth_hash()
            session.create()
            submit = n % 2 == 1
            plan.append(
                {
                    "case": case.pk,
                    "kind": "submit a case" if submit else "save a draft",
                    "path": reverse(
                        "approvals:submit" if submit else "approvals:edit", args=[case.pk]
                    ),
                    "session": session.session_key,
                    "data": (
                        {"policy": policy.pk, "read_policy": "on", "read_personal_use": "on"}
                        if submit
                        else {
                            **CASE_TEXT,
                            "platform": "x",
                            "kind": "individual",
                            "handle": case.handle,
                            "display_name": f"PC Saved {n}",
                        }
                    ),
                }
            )
        assert Officer.objects.filter(unit=unit).count() == people + 1
        plan_file.write_text(json.dumps({"people": plan, "supervisor_user": supervisor.user_id}))
