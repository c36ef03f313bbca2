"""Who may suspend, pause, lift and acknowledge. Views, templates and services ask these names;
nothing re-states them elsewhere."""

import rules

from people.predicates import is_press_office, officer_of, sees_everything


@rules.predicate
def is_told_of_pause(user, pause):
    """The person was told of the pause (they post to an account it covers)."""
    me = officer_of(user)
    return me is not None and pause is not None and pause.notices.filter(officer=me).exists()


@rules.predicate
def pause_is_open(user, pause):
    return pause is not None and pause.lifted_at is None


can_acknowledge = is_told_of_pause & pause_is_open

# Only the press office suspends, pauses and lifts; the auditor and administrators read. A
# person acknowledges only a pause they were told of, and only while it is open. Services test
# the rules; views and templates ask the permissions of the same names.
WRITES = {
    "pauses.suspend_account": is_press_office,
    "pauses.start_pause": is_press_office,
    "pauses.lift_pause": is_press_office,
    "pauses.acknowledge_pause": can_acknowledge,
}
for name, predicate in WRITES.items():
    rules.add_rule(name, predicate)
    rules.add_perm(name, predicate)
rules.add_perm("pauses.list_pauses", sees_everything)
rules.add_perm("pauses.view_pause", sees_everything)
