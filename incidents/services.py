"""Every write of the incidents app: one function per action, the acting user passed in, one
transaction, the incident (or account) row locked and its state checked after the lock, an audit
row, and mail sent by `notify` once the transaction commits.

Secrets never reach an incident: every free-text field is compared with the account's lodged
password (decrypted here only for that comparison, never logged or returned) and refused if it
contains it."""

import json

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.models import SocialAccount
from accounts.services import social_account_mark_compromised, social_account_restore
from audit.services import _actor_label, audit_record
from core.errors import WorkflowError
from core.workflow import fire, lock
from custody import crypto
from custody.models import Credential
from custody.services import credentials_require_new
from handovers.models import OPEN_STATES as OPEN_TRANSITION_STATES
from handovers.models import AccountTransition, Kind
from incidents.models import (
    OPEN_STATES,
    PRESS_OFFICE_STEPS,
    Incident,
    IncidentStep,
    Report,
    Step,
    TimelineEntry,
)
from notifications.services import notify
from people.selectors import press_office_recipients, supervisors_to_tell

REDACTED = "[password removed]"
PRESS_OFFICE_ONLY = "Only the press office does that."


def _link(incident) -> str:
    return reverse("incidents:detail", args=[incident.pk])


@sensitive_variables("plaintext", "password")
def _strip_secrets(actor, account: SocialAccount, *texts: str) -> list[str]:
    """The texts with the account's currently lodged password cut out.

    A secret never reaches an incident record. The text is not refused (a refusal would tell
    anyone who can report, which is everyone signed in, whether a guess was the password);
    it is kept without the password, and since someone has just written the password down
    where it should not be, the press office is told to treat it as exposed."""
    texts = list(texts)
    if not any(t and t.strip() for t in texts):
        return texts
    credential = Credential.objects.filter(account=account).first()
    if credential is None:
        return texts
    sealed = crypto.Sealed(credential.key_id, bytes(credential.nonce), bytes(credential.ciphertext))
    try:
        plaintext = crypto.unseal(sealed, account_id=account.pk)
    except crypto.CredentialDecryptionError:
        return texts  # nothing to compare with; custody reports undecryptable details elsewhere
    password = json.loads(plaintext).get("password") or ""
    if len(password) < 4 or not any(password in (t or "") for t in texts):
        return texts
    audit_record(
        actor=actor,
        action="credential.exposed_in_incident_text",
        obj=account,
        changes={},
        reason="The lodged password was written into an incident record and removed from it.",
    )
    notify(
        actor=actor,
        recipients=press_office_recipients(),
        kind="incident.password_exposed",
        context={"account": account},
    )
    return [(t or "").replace(password, REDACTED) for t in texts]


def _timeline(incident, actor, kind, text) -> TimelineEntry:
    return TimelineEntry.objects.create(
        incident=incident,
        kind=kind,
        text=text,
        actor=actor,
        actor_label=_actor_label(actor),
    )


def _check_version(incident, expected_version):
    if expected_version is not None and expected_version != incident.version:
        raise WorkflowError(
            "This incident changed since the page was opened; nothing was recorded. It is now"
            f" {incident.get_state_display().lower()}."
        )


def _people_to_tell(account) -> list:
    owner = account.owner
    return [*press_office_recipients(), owner.user, *supervisors_to_tell(owner)]


def _open_incident(actor, account: SocialAccount, now) -> Incident:
    """A new incident on `account`: new login details are demanded, the incident is saved (the
    one-open-incident constraint backs up the account lock) and the account marked compromised.
    The incident's `account` is the row as it now stands."""
    status_before = account.status
    account = credentials_require_new(
        actor=actor, account=account, reason="a suspected compromise (hacked account)"
    )
    incident = Incident(
        account=account,
        account_status_before=status_before,
        reported_by=actor,
        reported_at=now,
        credentials_required_since=account.credentials_required_since,
        state_changed_at=now,
    )
    try:
        with transaction.atomic():
            incident.save()
    except IntegrityError as exc:  # the constraint backs the lock up
        raise WorkflowError("This account's incident was opened a moment ago.") from exc
    audit_record(
        actor=actor,
        action="incident.reported",
        obj=incident,
        changes={"state": [None, incident.state], "account": [None, str(account)]},
    )
    if account.status != SocialAccount.Status.COMPROMISED:
        social_account_mark_compromised(
            actor=actor, account=account, reason=f"Incident {incident.pk} reported"
        )
    return incident


def _report_entry(report: Report, opened: bool) -> str:
    """The timeline's record of a report."""
    clicked = Report.LinkClicked(report.link_clicked).label.lower()
    return (
        f"{'Reported' if opened else 'Reported again'}: {report.what_happened}\n"
        f"Noticed {timezone.localtime(report.noticed_at):%d %b %Y %H:%M}; link clicked: {clicked}."
        + (f"\nRogue posts seen: {report.rogue_posts}" if report.rogue_posts else "")
    )


@transaction.atomic
def incident_report(
    *,
    actor,
    account_id: int,
    what_happened: str,
    noticed_at,
    link_clicked: str,
    rogue_posts: str = "",
) -> tuple[Report, bool]:
    """Anyone signed in reports a suspected compromise. The account row is locked first, so of
    two reports at the same moment the second finds the first's incident and joins it. Returns
    (report, whether a new incident was opened)."""
    if not actor.has_perm("incidents.report_incident"):
        raise PermissionDenied("Sign in to report a hacked account.")
    account = lock(SocialAccount, account_id, "owner")
    if account.status == SocialAccount.Status.CLOSED:
        raise WorkflowError(f"@{account.handle} is closed; tell the press office directly.")
    if not what_happened.strip():
        raise WorkflowError("Say what happened.")
    what_happened, rogue_posts = _strip_secrets(actor, account, what_happened, rogue_posts)
    now = timezone.now()
    incident = Incident.objects.filter(account=account, state__in=OPEN_STATES).first()
    opened = incident is None
    if opened:
        incident = _open_incident(actor, account, now)
        account = incident.account
    report = Report.objects.create(
        incident=incident,
        reported_by=actor,
        what_happened=what_happened.strip(),
        noticed_at=noticed_at,
        link_clicked=link_clicked,
        rogue_posts=rogue_posts.strip(),
        reported_at=now,
    )
    _timeline(incident, actor, TimelineEntry.Kind.REPORT, _report_entry(report, opened))
    if not opened:
        audit_record(
            actor=actor,
            action="incident.reported_again",
            obj=incident,
            changes={"reports": [None, incident.reports.count()]},
        )
    notify(
        actor=actor,
        recipients=_people_to_tell(account),
        kind="incident.reported" if opened else "incident.reported_again",
        context={
            "incident": incident,
            "account": account,
            "report": report,
            "reported_by": _actor_label(actor),
        },
        link=_link(incident),
    )
    return report, opened


@transaction.atomic
def incident_add_note(*, actor, incident_id: int, text: str) -> TimelineEntry:
    incident = lock(Incident, incident_id, "account")
    if not actor.has_perm("incidents.add_note", incident):
        raise PermissionDenied("You cannot add notes to this incident.")
    if not text.strip():
        raise WorkflowError("Write the note.")
    (text,) = _strip_secrets(actor, incident.account, text)
    entry = _timeline(incident, actor, TimelineEntry.Kind.NOTE, text.strip())
    audit_record(actor=actor, action="incident.note_added", obj=incident, changes={})
    return entry


@transaction.atomic
def incident_record_step(
    *, actor, incident_id: int, step: str, note: str = "", expected_version: str | None = None
) -> IncidentStep:
    """Record one checklist step as done, by the actor, now. Each step is recorded once."""
    incident = lock(Incident, incident_id, "account")
    step = Step(step)
    if not actor.has_perm("incidents.record_step", incident):
        raise PermissionDenied("You cannot record steps on this incident.")
    if step in PRESS_OFFICE_STEPS and not actor.has_perm(
        "incidents.record_press_office_step", incident
    ):
        raise PermissionDenied("Only the press office records that step.")
    _check_version(incident, expected_version)
    if incident.steps.filter(step=step).exists():
        raise WorkflowError(f"'{step.label}' is already recorded.")
    if step == Step.PRESS_OFFICE_TOLD and incident.fresh_credential() is None:
        raise WorkflowError(
            "Lodge the new login details first: the ones held were lodged before the incident."
        )
    (note,) = _strip_secrets(actor, incident.account, note)
    row = IncidentStep.objects.create(
        incident=incident, step=step, done_by=actor, note=note.strip()
    )
    _timeline(
        incident,
        actor,
        TimelineEntry.Kind.STEP,
        step.label + (f": {row.note}" if row.note else ""),
    )
    audit_record(
        actor=actor,
        action="incident.step_recorded",
        obj=incident,
        changes={step.value: [None, row.done_at.isoformat()]},
    )
    return row


@transaction.atomic
def incident_record_lessons(*, actor, incident_id: int, lessons: str) -> Incident:
    incident = lock(Incident, incident_id, "account")
    if not actor.has_perm("incidents.record_lessons", incident):
        raise PermissionDenied("Only the press office records the lessons learned.")
    if not lessons.strip():
        raise WorkflowError("Write the lessons learned.")
    (lessons,) = _strip_secrets(actor, incident.account, lessons)
    before = incident.lessons
    incident.lessons = lessons.strip()
    incident.lessons_recorded_by = actor
    incident.lessons_recorded_at = timezone.now()
    incident.save(update_fields=["lessons", "lessons_recorded_by", "lessons_recorded_at"])
    _timeline(incident, actor, TimelineEntry.Kind.EVENT, "Lessons learned recorded.")
    audit_record(
        actor=actor,
        action="incident.lessons_recorded",
        obj=incident,
        changes={"lessons": [before, incident.lessons]},
    )
    return incident


def _not_possible(incident) -> str:
    return f"This incident is {incident.get_state_display().lower()}; not possible."


def _cannot_contain(incident) -> str:
    return incident.containment_problem() or _not_possible(incident)


def _cannot_resolve(incident) -> str:
    return incident.resolution_problem() or _not_possible(incident)


@transaction.atomic
def incident_contain(*, actor, incident_id: int, expected_version: str | None = None) -> Incident:
    """The press office marks the incident contained: the password is changed and new login
    details were lodged after the incident began."""
    incident = lock(Incident, incident_id, "account")
    _check_version(incident, expected_version)
    # The permission first: only the press office learns what is still missing.
    if not actor.has_perm("incidents.contain_incident", incident):
        raise PermissionDenied(PRESS_OFFICE_ONLY)
    before, after = fire(
        incident, "contain", actor, denied=PRESS_OFFICE_ONLY, not_open=_cannot_contain
    )
    incident.save()
    _timeline(incident, actor, TimelineEntry.Kind.STATE, "Contained.")
    audit_record(
        actor=actor,
        action="incident.contained",
        obj=incident,
        changes={
            "state": [before, after],
            "contained_at": [None, incident.contained_at.isoformat()],
        },
    )
    account = incident.account
    notify(
        actor=actor,
        recipients=[account.owner.user, *supervisors_to_tell(account.owner)],
        kind="incident.contained",
        context={"incident": incident, "account": account},
        link=_link(incident),
    )
    return incident


def _status_after_recovery(account: SocialAccount, incident: Incident) -> str:
    """What the account goes back to: handover pending if a handover or closure is still open
    (a repurposing leaves it active), pending set-up if it was pending set-up when the incident
    opened, otherwise active. (An account registered as active need not have a start date, so
    `activated_on` is read only for incidents opened before their status was kept.)"""
    if AccountTransition.objects.filter(
        account=account, state__in=OPEN_TRANSITION_STATES, kind__in=[Kind.HANDOVER, Kind.CLOSURE]
    ).exists():
        return SocialAccount.Status.HANDOVER_PENDING
    was = incident.account_status_before or (
        SocialAccount.Status.PENDING_SETUP
        if account.activated_on is None
        else SocialAccount.Status.ACTIVE
    )
    if was == SocialAccount.Status.PENDING_SETUP:
        return SocialAccount.Status.PENDING_SETUP
    return SocialAccount.Status.ACTIVE


@transaction.atomic
def incident_resolve(*, actor, incident_id: int, expected_version: str | None = None) -> Incident:
    """The press office closes the incident once every step is done and the lessons are
    recorded; the account returns to active."""
    incident = lock(Incident, incident_id, "account")
    _check_version(incident, expected_version)
    # The permission first: only the press office learns what is still missing.
    if not actor.has_perm("incidents.resolve_incident", incident):
        raise PermissionDenied(PRESS_OFFICE_ONLY)
    before, after = fire(
        incident, "resolve", actor, denied=PRESS_OFFICE_ONLY, not_open=_cannot_resolve
    )
    incident.save()
    account = lock(SocialAccount, incident.account_id)
    if account.status == SocialAccount.Status.COMPROMISED:
        social_account_restore(
            actor=actor,
            account=account,
            to=_status_after_recovery(account, incident),
            reason=f"Incident {incident.pk} resolved",
        )
    _timeline(incident, actor, TimelineEntry.Kind.STATE, "Resolved; the account is active again.")
    audit_record(
        actor=actor,
        action="incident.resolved",
        obj=incident,
        changes={"state": [before, after], "resolved_at": [None, incident.resolved_at.isoformat()]},
    )
    notify(
        actor=actor,
        recipients=[account.owner.user, *supervisors_to_tell(account.owner)],
        kind="incident.resolved",
        context={"incident": incident, "account": account},
        link=_link(incident),
    )
    return incident
