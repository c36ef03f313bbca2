"""Who may start, answer, decide, complete and withdraw a handover, repurposing or closure.
Transitions in handovers/models.py name these permissions; views, templates and services ask for
them. Who marks officers as moved or left is people's rule (`people.change_officer_status`)."""

import rules

from accounts.models import AccountEditor, SocialAccount
from accounts.predicates import is_account_owner, is_supervisor_of_account_owner
from people.predicates import (
    has_team,
    is_officer,
    is_press_office,
    officer_of,
    sees_everything,
    supervises,
)


@rules.predicate
def account_is_live(user, account):
    return account is not None and account.status == SocialAccount.Status.ACTIVE


@rules.predicate
def is_transition_owner(user, transition):
    me = officer_of(user)
    return me is not None and transition is not None and transition.owner_id == me.pk


@rules.predicate
def is_successor(user, transition):
    me = officer_of(user)
    return me is not None and transition is not None and transition.successor_id == me.pk


@rules.predicate
def is_owners_supervisor(user, transition):
    """Line supervisor of the owner, or acting for them today; never the owner themself."""
    return transition is not None and supervises(user, transition.owner)


@rules.predicate
def started_it(user, transition):
    return transition is not None and transition.started_by_id == user.pk


# Writes need the Officer role (owner, successor, supervisor) or the Press office role.
rules.add_perm(
    "handovers.start_transition",
    (((is_account_owner | is_supervisor_of_account_owner) & is_officer) | is_press_office)
    & account_is_live,
)
rules.add_perm("handovers.respond_as_successor", is_successor & is_officer)
# A consolidation someone else started waits for the owner to agree (or decline).
rules.add_perm("handovers.respond_as_owner", is_transition_owner & is_officer)
rules.add_perm(
    "handovers.decide_as_supervisor",
    is_owners_supervisor & ~is_transition_owner & ~is_successor & is_officer,
)
rules.add_perm(
    "handovers.complete_transition", is_press_office & ~is_transition_owner & ~is_successor
)
rules.add_perm(
    "handovers.withdraw_transition",
    (is_transition_owner | started_it) & (is_officer | is_press_office),
)
rules.add_perm("handovers.view_press_office_queue", is_press_office)
# The consolidation proposals: the whole force for the press office, auditors and
# administrators; their team's for a supervisor (or an officer acting for one).
rules.add_perm("handovers.view_consolidation_proposals", sees_everything | has_team)


# Editors of shared accounts (handovers/editors.py) --------------------------------------------


@rules.predicate
def account_is_shared(user, account):
    return (
        account is not None
        and account.kind in AccountEditor.SHARED_KINDS
        and account.status != SocialAccount.Status.CLOSED
    )


@rules.predicate
def is_the_editor(user, editorship):
    me = officer_of(user)
    return me is not None and editorship is not None and editorship.officer_id == me.pk


@rules.predicate
def owns_edited_account(user, editorship):
    me = officer_of(user)
    return me is not None and editorship is not None and editorship.account.owner_id == me.pk


@rules.predicate
def supervises_edited_account_owner(user, editorship):
    return editorship is not None and supervises(user, editorship.account.owner)


@rules.predicate
def requested_editor(user, editorship):
    return editorship is not None and editorship.requested_by_id == user.pk


rules.add_perm("handovers.request_editor", is_account_owner & is_officer & account_is_shared)
rules.add_perm(
    "handovers.decide_editor",
    ((supervises_edited_account_owner & is_officer) | is_press_office)
    & ~requested_editor
    & ~is_the_editor
    & ~owns_edited_account,
)
rules.add_perm("handovers.accept_editorship", is_the_editor & is_officer)
rules.add_perm("handovers.remove_editor", (owns_edited_account & is_officer) | is_press_office)
