"""Who may do what with people, units and accounts. Views, templates and selectors use these
names; nothing re-states the rules elsewhere."""

import rules

from accounts.predicates import (
    is_account_editor,
    is_account_owner,
    is_supervisor_of_account_owner,
)
from people.predicates import (
    is_officer,
    is_press_office,
    sees_everything,
)

rules.add_perm("accounts.list_socialaccounts", is_officer | sees_everything)
rules.add_perm(
    "accounts.view_socialaccount",
    is_account_owner | is_account_editor | is_supervisor_of_account_owner | sees_everything,
)
rules.add_perm("accounts.register_socialaccount", is_press_office)
rules.add_perm("accounts.change_socialaccount", is_press_office)
rules.add_perm("accounts.view_audit_trail", sees_everything)

# The register (issue 4).
rules.add_perm("accounts.export_socialaccounts", is_officer | sees_everything)
rules.add_perm("accounts.import_socialaccounts", is_press_office)
rules.add_perm("accounts.import_activity", is_press_office)
# Writes: an owner records activity only while they hold the Officer role; press office work
# stays with the Press office role.
# Editors post to the account too, so they may record its activity.
rules.add_perm(
    "accounts.check_in_socialaccount",
    ((is_account_owner | is_account_editor) & is_officer) | is_press_office,
)
