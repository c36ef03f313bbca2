"""Who may do what with incidents. Transitions in incidents/models.py name these permissions;
views, templates and services ask for them; nothing re-states them elsewhere."""

import rules

from accounts.predicates import is_account_owner, is_supervisor_of_account_owner
from people.predicates import is_officer, is_press_office, sees_everything


@rules.predicate
def owns_incident_account(user, incident):
    return incident is not None and is_account_owner(user, incident.account)


@rules.predicate
def supervises_incident_account_owner(user, incident):
    return incident is not None and is_supervisor_of_account_owner(user, incident.account)


@rules.predicate
def incident_is_open(user, incident):
    return incident is not None and incident.is_open


can_view_incident = owns_incident_account | supervises_incident_account_owner | sees_everything
# The auditor reads everything and changes nothing: no write rule names them.
can_work_on_incident = (
    ((owns_incident_account | supervises_incident_account_owner) & is_officer) | is_press_office
) & incident_is_open

# A report marks the account compromised and alerts the press office: an officer (or the press
# office itself) reports; the auditor and an administrator without the Officer role do not.
rules.add_perm("incidents.report_incident", is_officer | is_press_office)
rules.add_perm("incidents.list_incidents", is_officer | sees_everything)
rules.add_perm("incidents.view_incident", can_view_incident)
rules.add_perm("incidents.add_note", can_work_on_incident)
rules.add_perm("incidents.record_step", can_work_on_incident)
rules.add_perm("incidents.record_press_office_step", is_press_office & incident_is_open)
rules.add_perm("incidents.record_lessons", is_press_office & incident_is_open)
rules.add_perm("incidents.contain_incident", is_press_office)
rules.add_perm("incidents.resolve_incident", is_press_office)
rules.add_perm("incidents.view_incident_summary", sees_everything)
