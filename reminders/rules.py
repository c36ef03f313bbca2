"""Who may confirm a re-certification, and who may see the reminders' lists."""

import rules

from people.predicates import is_officer, officer_of, sees_everything, supervises


@rules.predicate
def is_recert_owner(user, recert):
    me = officer_of(user)
    return me is not None and recert is not None and recert.account.owner_id == me.pk


@rules.predicate
def is_recert_supervisor(user, recert):
    return recert is not None and supervises(user, recert.account.owner)


# Confirming is a write: it needs the Officer role as well as the account or the team.
can_confirm_as_owner = is_recert_owner & is_officer
can_confirm_as_supervisor = is_recert_supervisor & ~is_recert_owner & is_officer

rules.add_rule("reminders.confirm_recert_as_owner", can_confirm_as_owner)
rules.add_rule("reminders.confirm_recert_as_supervisor", can_confirm_as_supervisor)
rules.add_perm("reminders.confirm_recert_as_owner", can_confirm_as_owner)
rules.add_perm("reminders.confirm_recert_as_supervisor", can_confirm_as_supervisor)
rules.add_perm("reminders.view_overdue", sees_everything)
