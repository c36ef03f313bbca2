"""Who governs API clients: administrators alone (creating one hands out its owner's rights to a
machine)."""

import rules

from people.predicates import is_administrator

rules.add_perm("api.manage_clients", is_administrator)
