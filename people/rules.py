"""Who may do what with people. Views, templates and selectors use these names; nothing
re-states the rules elsewhere."""

import rules

from people.predicates import (
    is_administrator,
    is_officer,
    is_self,
    is_supervisor,
    is_supervisor_of,
    sees_everything,
)

rules.add_perm("people.view_officer", is_self | is_supervisor_of | sees_everything)
rules.add_perm("people.change_officer_status", is_administrator)  # marks movers and leavers
# Resets a person's second factor and ends their sessions (people/services.py).
rules.add_perm("people.reset_second_factor", is_administrator)
rules.add_perm("people.end_sessions", is_administrator)
rules.add_perm("people.manage_delegations", is_supervisor | is_administrator)
rules.add_perm("people.create_delegation", is_supervisor & is_officer)
rules.add_perm("people.record_leave", is_self | is_supervisor_of)
