"""What the hypothesis state machines over the portal's workflows share: each example runs in a
savepoint of its own, rolled back at teardown; a step reads the audit events it wrote; a probe
(one person trying something, to see whether the rules let them) runs in a savepoint of its own
and is undone; and a tally of what the runs did, printed at the end (`pytest -s`)."""

import os
from collections import Counter
from contextlib import contextmanager

from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, run_state_machine_as_test

from audit.models import AuditEvent
from audit.selectors import verify_chain

# How many examples each machine runs, as a multiple of its CI figure: STATE_MACHINES=thorough
# runs ten times as many (a long run before a change to a workflow lands). Runs are random, not
# derandomized: each CI run explores different examples.
SCALE = {"ci": 1, "thorough": 10}[os.environ.get("STATE_MACHINES", "ci")]


def machine_settings(*, examples: int, steps: int) -> settings:
    """The settings of one machine: `examples` (times SCALE) runs of at most `steps` steps; no
    deadline (a step is several services on a real database) and no example database (each
    run starts afresh)."""
    return settings(
        max_examples=examples * SCALE,
        stateful_step_count=steps,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


class Tally(Counter):
    """Steps taken, refused and probed, over every example of one machine."""

    def line(self, name: str) -> str:
        actions = self["action"]
        refused = self["action refused"]
        share = f"{refused / actions:.0%}" if actions else "-"
        return (
            f"{name}: {self['example']} examples, {actions} actions"
            f" ({actions / max(self['example'], 1):.0f} a run, {share} refused),"
            f" {self['probe']} probes ({self['probe refused']} refused)"
        )


def run_machine(machine, name: str, *, examples: int, steps: int) -> None:
    """Run `machine` as a test with `machine_settings`, then print its tally (`pytest -s`)."""
    run_state_machine_as_test(machine, settings=machine_settings(examples=examples, steps=steps))
    print(machine.tally.line(name))
    print(sorted(machine.tally.items()))


class SavepointMachine(RuleBasedStateMachine):
    """Every machine also checks, after every step, that the audit chain verifies."""

    tally: Tally  # each machine's own

    @invariant()
    def audit_chain_verifies(self):
        _checked, broken, why = verify_chain()
        assert broken is None, why

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.last_sequence = self._max_sequence()
        self.tally["example"] += 1

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    @staticmethod
    def _max_sequence() -> int:
        last = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()
        return last or 0

    def _new_events(self) -> list[AuditEvent]:
        """The audit events written since the last call, in order."""
        events = list(
            AuditEvent.objects.filter(sequence__gt=self.last_sequence).order_by("sequence")
        )
        if events:
            self.last_sequence = events[-1].sequence
        return events

    @contextmanager
    def undone(self):
        """Run the block in a savepoint and roll it back: a probe leaves no trace."""
        try:
            with transaction.atomic():
                yield
                raise _Undo
        except _Undo:
            pass
        finally:
            self.last_sequence = self._max_sequence()


class _Undo(Exception):
    """Raised to roll a probe's savepoint back."""
