"""Who may do what with people. Views, templates and selectors use these names; nothing
re-states the rules elsewhere."""

import rules

from people.predicates import (
    is_administrator,
    is_officer,
    is_press_office,
    is_self,
    is_supervisor,
    is_supervisor_of,
    is_user,
    officer_of,
    sees_everything,
)


@rules.predicate
def gave_delegation(user, delegation):
    me = officer_of(user)
    return me is not None and delegation is not None and delegation.supervisor_id == me.pk


rules.add_perm("people.view_officer", is_self | is_supervisor_of | sees_everything)
rules.add_perm("people.change_officer_status", is_administrator)  # marks movers and leavers
# Resets a person's second factor and ends their sessions (people/services.py).
rules.add_perm("people.reset_second_factor", is_administrator)
rules.add_perm("people.end_sessions", is_administrator)
# Sees e-mails parked as failed, with the reason, and puts them back in the outbox.
rules.add_perm("people.retry_failed_mail", is_administrator)
rules.add_perm("people.record_training", is_administrator)
# Chat (Teams) channels: an administrator adds them and holds their webhook addresses;
# supervisors and the press office choose what is posted there for them, the press office for
# the press office's shared mailbox too (people/chat.py).
rules.add_perm("people.manage_chat_channels", is_administrator)
rules.add_perm("people.choose_chat", is_supervisor | is_press_office)
rules.add_perm("people.choose_team_chat", is_press_office)
rules.add_perm("people.manage_delegations", is_supervisor | is_administrator)
rules.add_perm("people.create_delegation", is_supervisor & is_officer)
rules.add_perm("people.revoke_delegation", is_officer & gave_delegation)
# Recording leave at all (the page, the menu), and for one officer: oneself, or one's team.
rules.add_perm("people.use_leave_page", is_officer)
rules.add_perm("people.record_leave", is_officer & (is_self | is_supervisor_of))


# Roles: an administrator gives and takes away roles, never their own; a role that needs a second
# administrator (Press office, Administrator) is approved by one who neither asked for it nor is
# the person it is for.
@rules.predicate
def asked_for_it(user, request):
    return request is not None and user is not None and request.requested_by_id == user.pk


@rules.predicate
def is_role_request_subject(user, request):
    return request is not None and user is not None and request.user_id == user.pk


rules.add_perm("people.manage_roles", is_administrator)
rules.add_perm("people.change_roles_of", is_administrator & ~is_user)  # object: the login
rules.add_perm(
    "people.decide_role_grant", is_administrator & ~asked_for_it & ~is_role_request_subject
)
