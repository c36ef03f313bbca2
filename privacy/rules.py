"""Who may see retention and export what the portal holds about a person: administrators only
(the force's data protection work is theirs; an officer asks them, or the force's disclosure
unit, for their own data)."""

import rules

from people.predicates import is_administrator

rules.add_perm("privacy.view_retention", is_administrator)
rules.add_perm("privacy.export_subject_data", is_administrator)
