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


# Only the press office suspends, pauses and lifts; the auditor and administrators read.
rules.add_perm("pauses.suspend_account", is_press_office)
rules.add_perm("pauses.start_pause", is_press_office)
rules.add_perm("pauses.lift_pause", is_press_office)
rules.add_perm("pauses.list_pauses", sees_everything)
rules.add_perm("pauses.view_pause", sees_everything)
# A person acknowledges only a pause they were told of, and only while it is open.
rules.add_perm("pauses.acknowledge_pause", is_told_of_pause & pause_is_open)
