"""Who may read the reports: the press office, auditors and administrators (the whole force) and
supervisors, or officers acting for one by a delegation in force (their team). Officers see no
reports."""

import rules

from accounts.predicates import is_supervisor, sees_everything
from approvals.rules import has_team

rules.add_perm("reports.view_reports", sees_everything | is_supervisor | has_team)
