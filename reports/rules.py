"""Who may read the reports: the press office, auditors and administrators (the whole force) and
supervisors, or officers acting for one by a delegation in force (their team). Officers see no
reports."""

import rules

from people.predicates import has_team, is_supervisor, sees_everything

rules.add_perm("reports.view_reports", sees_everything | is_supervisor | has_team)
