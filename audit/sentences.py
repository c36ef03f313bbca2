"""History read as sentences: "Kate Morgan confirmed the login details were lodged, 3 March 2027
at 14:05", instead of machine event names and field dumps.

The trail itself is untouched (the audit page and exports keep the exact action and changes);
this is only how a history panel words an event. The words are plain strings keyed by the
action names the services record, so the audit app needs no import from the apps above it. An
action without words here still reads as a sentence ("… recorded: handover pending")."""

import dataclasses
import datetime
import re

from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime

# What the actor did, in the past tense, by action.
PHRASES = {
    # The register and the account's own lifecycle
    "socialaccount.registered": "added the account to the register",
    "socialaccount.registered_from_case": "opened the account in the register from its case",
    "socialaccount.imported": "imported the account into the register",
    "socialaccount.activated": "confirmed the account is set up and live",
    "socialaccount.handover_pending": "put the account on hold for a handover or closure",
    "socialaccount.handed_over": "passed the account to its new owner",
    "socialaccount.handover_ended": "took the account off hold: the handover or closure ended",
    "socialaccount.compromised": "marked the account as compromised",
    "socialaccount.recovered": "marked the account as recovered",
    "socialaccount.closed": "closed the account",
    "socialaccount.consolidated": "closed the account, pointing its followers to a unit's account",
    "socialaccount.repurposed": "repurposed the account",
    "socialaccount.orphaned": "recorded that the account's owner has moved or left",
    "socialaccount.checked_in": "recorded the account's latest activity",
    "socialaccount.activity_reported": "reported the account's latest activity",
    "socialaccount.setup_checklist_updated": "updated the set-up checklist",
    "account.dormancy_flagged": "flagged the account as quiet for too long",
    # Suspensions and critical-incident pauses
    "socialaccount.suspended": "suspended the account: no posting until lifted",
    "socialaccount.suspension_lifted": "lifted the account's suspension",
    "socialaccount.paused": "paused the account for a critical incident",
    "socialaccount.pause_lifted": "lifted the critical-incident pause on the account",
    "pause.started": "started the suspension or pause",
    "pause.lifted": "lifted the suspension or pause",
    "pause.acknowledged": "acknowledged the suspension or pause",
    "pause.review_reminded": "reminded the press office to review the suspension",
    # API clients
    "api_client.created": "created the API client",
    "api_client.revoked": "revoked the API client",
    "api_client.wrote": "wrote through the API",
    # Business cases
    "business_case.created": "started the business case as a draft",
    "business_case.changed": "changed the business case",
    "business_case.submitted": "submitted the business case to their supervisor",
    "business_case.withdrawn": "withdrew the business case",
    "business_case.registered": "put the account in the register",
    "business_case.supervisor_approved": "approved the business case as supervisor",
    "business_case.supervisor_returned": "returned the business case for changes",
    "business_case.supervisor_rejected": "rejected the business case as supervisor",
    "business_case.press_office_approved": "signed the business case off for the press office",
    "business_case.press_office_returned": "returned the business case for changes",
    "business_case.press_office_rejected": "rejected the business case for the press office",
    # Login details in custody
    "credential.lodged": "lodged the login details with the press office",
    "credential.replaced": "lodged new login details, replacing the old ones",
    "credential.rotated": "changed the stored login details",
    "credential.revealed": "revealed the stored login details",
    "credential.reencrypted": "re-encrypted the stored login details under a new key",
    "credential.destroyed": "destroyed the stored login details",
    "credential.new_lodging_required": "asked for new login details to be lodged",
    "credential.new_lodging_withdrawn": "withdrew the request for new login details",
    "credential.exposed_in_incident_text": (
        "wrote the lodged password into an incident record; it was cut out"
    ),
    # Handovers, closures, repurposing
    "editor.requested": "asked for an editor of the account",
    "editor.approved": "approved an editor of the account",
    "editor.refused": "refused an editor of the account",
    "editor.policy_accepted": "accepted the social media policy as an editor of the account",
    "editor.removed": "removed an editor of the account",
    "handover.started": "asked to hand the account over",
    "closure.started": "asked to close the account",
    "repurpose.started": "asked to keep the account for a new purpose",
    "handover.accepted": "accepted the handover as successor",
    "handover.declined": "declined the handover as successor",
    "handover.supervisor_approved": "approved the handover as supervisor",
    "handover.supervisor_rejected": "rejected the handover as supervisor",
    "handover.press_office_rejected": "refused the handover for the press office",
    "closure.supervisor_approved": "approved the closure as supervisor",
    "closure.supervisor_rejected": "rejected the closure as supervisor",
    "closure.press_office_rejected": "refused the closure for the press office",
    "repurpose.supervisor_approved": "approved the new purpose as supervisor",
    "repurpose.supervisor_rejected": "rejected the new purpose as supervisor",
    "repurpose.press_office_rejected": "refused the new purpose for the press office",
    "handover.withdrawn": "withdrew the handover",
    "closure.withdrawn": "withdrew the closure",
    "repurpose.withdrawn": "withdrew the request to repurpose",
    "handover.completed": "completed the handover",
    "closure.completed": "completed the closure",
    "repurpose.completed": "completed the repurposing",
    "consolidation.started": "asked to fold the account into a unit's account",
    "consolidation.owner_accepted": "agreed, as owner, to fold the account into a unit's account",
    "consolidation.owner_declined": "declined, as owner, to fold the account into a unit's account",
    "consolidation.supervisor_approved": "approved the consolidation as supervisor",
    "consolidation.supervisor_rejected": "rejected the consolidation as supervisor",
    "consolidation.press_office_rejected": "refused the consolidation for the press office",
    "consolidation.withdrawn": "withdrew the consolidation",
    "consolidation.completed": "completed the consolidation",
    # Incidents
    "incident.reported": "reported the account hacked",
    "incident.reported_again": "reported the hack again",
    "incident.step_recorded": "recorded a recovery step",
    "incident.note_added": "added a note",
    "incident.contained": "recorded the incident as contained",
    "incident.lessons_recorded": "recorded the lessons learned",
    "incident.resolved": "resolved the incident",
    # Re-certification, policy, people
    "recertification.owner_confirmed": "confirmed the account is still needed",
    "recertification.completed": "completed the yearly re-certification as supervisor",
    "policy.acknowledged": "confirmed reading the social media policy",
    "policy.published": "published the social media policy",
    "role.granted": "changed the roles held",
    "role_grant.requested": "asked for a role to be granted",
    "delegation.created": "delegated decisions",
    "delegation.revoked": "ended a delegation",
    "leave.recorded": "recorded leave",
    # Chat (Teams) channels
    "chat_channel.added": "added the Teams channel",
    "chat_channel.address_replaced": "replaced the Teams channel's webhook address",
    "chat_channel.switched_off": "switched the Teams channel off",
    "chat_channel.switched_on": "switched the Teams channel on",
    "chat_channel.choices_changed": "chose which notifications are posted to the Teams channel",
    "chat_channel.reencrypted": "re-encrypted the Teams channel's webhook address under a new key",
}

# A ticked box on a checklist, as the thing it confirms.
CONFIRMS = {
    "created_with_police_email": "the account was created with a police e-mail address",
    "handle_as_approved": "the handle is exactly the one approved",
    "profile_picture": "the account has a clear profile picture",
    "bio_no_crime_reports": "the bio says crime cannot be reported there",
    "login_lodged": "the login details were lodged",
    "promoted": "the account was promoted to the community",
    "handle_changed": "the handle and display name were changed for the successor",
    "login_changed": "the password was changed on the platform",
    "followers_told": "followers were told",
    "old_access_removed": "the old access was removed",
    "farewell_posted": "a farewell post was made",
    "credentials_destroyed": "the login details were destroyed",
}

# How a field is named in a sentence; fields not here are named from their own name.
FIELD_NAMES = {
    "display_name": "display name",
    "handle": "handle",
    "new_handle": "handle",
    "hours_per_week": "hours a week",
    "is_event_or_campaign": "for an event or campaign",
    "hashtag_alternative": "why a hashtag would not do",
    "policing_purpose": "policing purpose",
    "communications_plan": "communications plan",
    "owner": "owner",
    "dormancy": "dormancy",
    "last_post_at": "last post",
    "closed_on": "closed on",
    "activated_on": "live since",
    "deactivated_on": "deactivated on",
    "followers": "followers",
    "review_on": "review date",
}

# Bookkeeping that says nothing to a reader: ids, keys, hashes, counters, states (the phrase
# already says what happened), and checklist ticks (said as "confirmed ...").
HIDDEN = {
    "state",
    "status",
    "decision",
    "submission",
    "key_id",
    "old_key_id",
    "new_key_id",
    "credential",
    "version",
    "reports",
    "checklist",
    "run_id",
    "pause",
}

CREATIONS = (".created", ".registered", ".registered_from_case", ".imported", ".uploaded")

_STAFF_NUMBER = re.compile(r"\s*\([^()]*\)$")


@dataclasses.dataclass(frozen=True)
class Sentence:
    text: str  # "Kate Morgan confirmed the login details were lodged, 3 March 2027 at 14:05"
    details: list[str]  # further facts: changed values, the reason given


def when(moment: datetime.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{formats.date_format(local, 'j F Y')} at {local:%H:%M}"


def who(event) -> str:
    """The person, without the staff number (the audit page has it), or the portal itself."""
    label = (event.actor_label or "").strip()
    if not label or (event.actor_id is None and label == "system"):
        return "The portal"
    return _STAFF_NUMBER.sub("", label) or label


def _value(value) -> str:
    if value is None or value == "":
        return "nothing"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, str):
        moment = parse_datetime(value) if "T" in value else None
        if moment is not None:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            return when(moment)
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            return value
        return formats.date_format(day, "j F Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _field(name: str) -> str:
    return FIELD_NAMES.get(name, name.replace("_", " "))


def _ticks(changes: dict) -> tuple[list[str], list[str]]:
    ticked, unticked = [], []
    for name, values in changes.items():
        if name in CONFIRMS and isinstance(values, list | tuple) and len(values) == 2:
            if values[1] is True and values[0] is not True:
                ticked.append(CONFIRMS[name])
            elif values[0] is True and values[1] is not True:
                unticked.append(CONFIRMS[name])
    return ticked, unticked


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def describe(event) -> Sentence:
    changes = event.changes if isinstance(event.changes, dict) else {}
    ticked, unticked = _ticks(changes)
    if ticked or unticked:
        parts = []
        if ticked:
            parts.append("confirmed " + _join(ticked))
        if unticked:
            parts.append("took back that " + _join(unticked))
        phrase = " and ".join(parts)
    else:
        phrase = PHRASES.get(event.action) or (
            "recorded: " + event.action.split(".")[-1].replace("_", " ")
        )
    details = []
    # A record being made: its first values are on the page already, not news of the event.
    creation = event.action.endswith(CREATIONS)
    for name, values in changes.items():
        if creation or name in HIDDEN or name in CONFIRMS:
            continue
        if isinstance(values, list | tuple) and len(values) == 2:
            before, after = values
            if before in (None, "", [], {}) and after in (None, "", [], {}):
                continue
            if before in (None, "", [], {}):
                details.append(f"{_field(name).capitalize()}: {_value(after)}")
            else:
                details.append(f"{_field(name).capitalize()}: {_value(before)} → {_value(after)}")
    if event.reason:
        details.append(f"Reason: {event.reason}")
    return Sentence(f"{who(event)} {phrase}, {when(event.created_at)}", details)
