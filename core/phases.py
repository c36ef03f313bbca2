"""Where a long service spends its time, phase by phase, for benchmarks.

A service marks its phases with `with phase("name"):`. Outside `recording()` that costs one
context-variable read and nothing is kept. Inside, each phase adds up its wall time, this
process's CPU time and, when the recorder is given a way to read it, the CPU time of the
database backend serving this connection: on a shared machine the wall time is those two plus
waiting for a core, so the CPU columns say where the work is. Phases may nest; a nested phase's
time is also counted in its parent's."""

import contextlib
import contextvars
import dataclasses
import time
from collections.abc import Callable


@dataclasses.dataclass
class Totals:
    calls: int = 0
    wall: float = 0.0
    cpu: float = 0.0
    db_cpu: float = 0.0


@dataclasses.dataclass
class Recorder:
    db_cpu: Callable[[], float] = lambda: 0.0
    phases: dict[str, Totals] = dataclasses.field(default_factory=dict)


_recorder: contextvars.ContextVar[Recorder | None] = contextvars.ContextVar(
    "phase_recorder", default=None
)


@contextlib.contextmanager
def recording(db_cpu: Callable[[], float] | None = None):
    """Record the phases run inside this block; yields the Recorder (its `phases` in the order
    they first ran)."""
    recorder = Recorder(db_cpu or (lambda: 0.0))
    token = _recorder.set(recorder)
    try:
        yield recorder
    finally:
        _recorder.reset(token)


@contextlib.contextmanager
def phase(name: str):
    recorder = _recorder.get()
    if recorder is None:
        yield
        return
    wall, cpu, db = time.perf_counter(), time.process_time(), recorder.db_cpu()
    try:
        yield
    finally:
        totals = recorder.phases.setdefault(name, Totals())
        totals.calls += 1
        totals.wall += time.perf_counter() - wall
        totals.cpu += time.process_time() - cpu
        totals.db_cpu += recorder.db_cpu() - db
