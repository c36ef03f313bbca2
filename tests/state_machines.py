"""What the hypothesis state machines over the portal's workflows share: each example runs in a
savepoint of its own, rolled back at teardown, and reads where the audit trail stood."""

from django.db import transaction
from hypothesis.stateful import RuleBasedStateMachine

from audit.models import AuditEvent


class SavepointMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    @staticmethod
    def _max_sequence() -> int:
        last = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()
        return last or 0
