"""`make run` (scripts/run.sh) supervises what it starts: a worker or beat that dies is started
again, and stopping the script stops everything it started."""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PORTALCTL = ROOT / "scripts" / "portalctl"

pytestmark = pytest.mark.skipif(
    not (ROOT / ".venv" / "bin" / "supervisord").exists(), reason="make setup installs supervisor"
)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(env):
    out = subprocess.run(
        [PORTALCTL, "status"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=20,
    ).stdout
    status = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            pid = parts[3].rstrip(",") if len(parts) > 3 and parts[2] == "pid" else None
            status[parts[0]] = (parts[1], pid)
    return status


def _wait_running(env, names, *, not_pid=None, timeout=60):
    deadline = time.monotonic() + timeout
    status = {}
    while time.monotonic() < deadline:
        status = _status(env)
        if all(status.get(n, ("",))[0] == "RUNNING" for n in names) and (
            not_pid is None or all(status[n][1] != not_pid.get(n) for n in names)
        ):
            return status
        time.sleep(0.5)
    raise AssertionError(f"not running in time: {status}")


def test_run_restarts_a_worker_or_beat_that_dies_and_stops_everything_on_ctrl_c(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CELERY_"))},
        "PORTAL_VAR_DIR": str(tmp_path),  # SQLite and the filesystem broker, in the test's dir
        "PORT": str(_free_port()),
        "DJANGO_SETTINGS_MODULE": "portal.settings.local",
    }
    env.pop("DATABASE_URL", None)
    run = subprocess.Popen(
        ["bash", "scripts/run.sh"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        first = _wait_running(env, ["web", "worker", "beat"])
        # The worker and the beat die hard (as under the OOM killer): both come back.
        for name in ("worker", "beat"):
            os.kill(int(first[name][1]), signal.SIGKILL)
        again = _wait_running(
            env, ["worker", "beat"], not_pid={n: first[n][1] for n in ("worker", "beat")}
        )
        assert again["web"][1] == first["web"][1]  # the others were left alone
    finally:
        stopping = time.monotonic()
        run.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            run.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
            raise
    took = time.monotonic() - stopping
    pids = [int(p) for _, p in again.values() if p]
    assert len(pids) == 3
    assert [pid for pid in pids if _alive(pid)] == [], "processes outlived Ctrl-C"
    log = (tmp_path / "supervisord.log").read_text()
    assert "exited: worker (terminated by SIGKILL" in log
    assert "exited: beat (terminated by SIGKILL" in log
    # On Ctrl-C the worker stops its own pool: no 30 s wait ending in a SIGKILL.
    assert "killing 'worker'" not in log
    assert took < 25


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
