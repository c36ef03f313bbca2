"""Who may touch an account's lodged login details."""

import rules

from accounts.predicates import is_account_owner
from people.predicates import is_officer, is_press_office

rules.add_perm("custody.lodge_credential", (is_account_owner & is_officer) | is_press_office)
rules.add_perm("custody.rotate_credential", is_press_office)
rules.add_perm("custody.reveal_credential", is_press_office)
rules.add_perm("custody.list_credentials_needed", is_press_office)
