"""Who may read the reports: the press office, auditors and administrators (the whole force) and
supervisors (their team). Officers see no reports."""

import rules

from accounts.predicates import is_supervisor, sees_everything

rules.add_perm("reports.view_reports", sees_everything | is_supervisor)
