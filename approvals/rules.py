"""Who may do what with business cases, decisions, set-up checklists and the policy (who may
name an acting supervisor is people's rule). Transitions in approvals/models.py name these
permissions; views, templates and services ask for them; nothing re-states them elsewhere."""

import rules

from people.predicates import (
    has_team,
    is_administrator,
    is_officer,
    is_press_office,
    is_supervisor,
    officer_of,
    sees_everything,
    supervises,
)


@rules.predicate
def is_applicant(user, case):
    me = officer_of(user)
    return me is not None and case is not None and case.applicant_id == me.pk


@rules.predicate
def is_applicants_supervisor(user, case):
    """Line supervisor of the applicant, or acting for them by a delegation in force; never the
    applicant (supervises() is never true of oneself)."""
    return case is not None and supervises(user, case.applicant)


@rules.predicate
def case_is_editable(user, case):
    return case is not None and case.is_editable


can_view_case = is_applicant | is_applicants_supervisor | sees_everything
# Every write needs a role that writes: the Officer role for the applicant's and the supervisor's
# part (an auditor with an officer record, or a team, changes nothing), the Press office role for
# the press office's part.
can_decide_as_supervisor = is_applicants_supervisor & ~is_applicant & is_officer
can_decide_as_press_office = is_press_office & ~is_applicant

rules.add_perm("approvals.add_businesscase", is_officer)
rules.add_perm("approvals.view_businesscase", can_view_case)
rules.add_perm("approvals.change_businesscase", is_applicant & is_officer & case_is_editable)
rules.add_perm("approvals.submit_businesscase", is_applicant & is_officer)
rules.add_perm("approvals.withdraw_businesscase", is_applicant & is_officer)
rules.add_perm("approvals.decide_as_supervisor", can_decide_as_supervisor)
rules.add_perm("approvals.decide_as_press_office", can_decide_as_press_office)
rules.add_perm("approvals.complete_setup", is_applicant & is_officer)
rules.add_perm("approvals.confirm_setup", is_press_office & ~is_applicant)
rules.add_perm("approvals.view_press_office_queue", is_press_office)
rules.add_perm("approvals.view_supervisor_queue", is_supervisor | has_team)

rules.add_perm("approvals.publish_policy", is_administrator)
rules.add_perm("approvals.acknowledge_policy", is_officer)
rules.add_perm("approvals.view_policy_outstanding", sees_everything)
