"""Every write about people: acting supervisors, leave, roles, and officers who move post or
leave. One function per action, the acting user passed in, one transaction, an audit row, and
mail sent by `notify` once the transaction commits.

What an officer's move means for the social-media accounts they own (orphans, proposed
handovers) belongs to the layers above, which call these services and then their own inside
one transaction (see `handovers.services.officer_mark_and_orphan`)."""

import datetime
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from audit.services import audit_record, diff, snapshot
from core import csv_read
from core.errors import DomainError, WorkflowError
from core.workflow import fire, lock
from notifications.models import Notification
from notifications.services import notification_requeue, notify
from people.models import (
    Delegation,
    Leave,
    Officer,
    RoleGrantDecision,
    RoleGrantRequest,
    Training,
)
from people.predicates import officer_of
from people.roles import ROLES_NEEDING_APPROVAL, Role, ensure_role_groups
from people.selectors import administrators_to_tell, person_label, roles_of

# Acting supervisors ---------------------------------------------------------------------------


@transaction.atomic
def delegation_create(
    *, actor, acting: Officer, starts_on, ends_on, reason: str, link: str = ""
) -> Delegation:
    """A supervisor names an acting supervisor for their team for a date range. `link` is the
    page where the acting supervisor finds the team's work (it belongs to a layer above)."""
    me = officer_of(actor)
    if me is None or not actor.has_perm("people.create_delegation"):
        raise PermissionDenied("Only a supervisor can name someone to act for them.")
    if acting.pk == me.pk:
        raise DomainError("You cannot name yourself.")
    if ends_on < starts_on:
        raise DomainError("The end date must be on or after the start date.")
    if acting.status != Officer.Status.SERVING:
        raise DomainError(f"{acting.full_name} is no longer serving.")
    delegation = Delegation.objects.create(
        supervisor=me,
        acting=acting,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="delegation.created",
        obj=delegation,
        changes=diff({}, snapshot(delegation)),
        reason=reason,
    )
    notify(
        actor=actor,
        recipients=[acting.user],
        kind="delegation.created",
        context={"delegation": delegation},
        link=link,
    )
    return delegation


@transaction.atomic
def delegation_revoke(*, actor, delegation_id: int) -> Delegation:
    delegation = Delegation.objects.select_for_update().get(pk=delegation_id)
    if not actor.has_perm("people.revoke_delegation", delegation):
        raise PermissionDenied("Only the supervisor who named the acting supervisor can end it.")
    if delegation.revoked_at is not None:
        raise DomainError("This delegation has already ended.")
    delegation.revoked_at = timezone.now()
    delegation.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action="delegation.revoked",
        obj=delegation,
        changes={"revoked_at": [None, delegation.revoked_at]},
    )
    return delegation


# Leave ----------------------------------------------------------------------------------------


@transaction.atomic
def leave_record(*, actor, officer: Officer, starts_on, ends_on, reason: str) -> Leave:
    """Record leave for oneself, or (as their supervisor) for a member of the team: no dormancy
    reminder chases the officer's accounts until they are back."""
    if not actor.has_perm("people.record_leave", officer):
        raise DomainError("You can record leave only for yourself or for your team.")
    if ends_on < starts_on:
        raise DomainError("The leave must end on or after the day it starts.")
    leave = Leave.objects.create(
        officer=officer, starts_on=starts_on, ends_on=ends_on, reason=reason, created_by=actor
    )
    audit_record(
        actor=actor,
        action="leave.recorded",
        obj=officer,
        changes={"leave": [None, f"{starts_on} to {ends_on}"]},
        reason=reason,
    )
    return leave


# Roles ----------------------------------------------------------------------------------------
#
# A role is a group; who holds one is governed here and nowhere else (the Django admin shows
# groups and memberships read-only). Every change is audited in the hash chain, nobody changes
# their own roles, and Press office and Administrator are given only when a second administrator
# approves the first one's request.

ROLE_DENIED = "Only an administrator changes roles, and never their own."
DECIDE_DENIED = (
    "A second administrator decides: not the one who asked, nor the person the role is for."
)


def _roles_link() -> str:
    return reverse("people:role_requests")


def _person_locked(actor, user_id: int):
    """The login whose roles change, locked, once the actor may change them."""
    user = get_user_model().objects.select_for_update().get(pk=user_id)
    if not actor.has_perm("people.change_roles_of", user):
        raise PermissionDenied(ROLE_DENIED)
    return user


def _check_may_hold(user) -> None:
    officer = officer_of(user)
    if not user.is_active or (officer is not None and officer.status == Officer.Status.LEFT):
        raise DomainError(f"{person_label(user)} can no longer sign in; give them no role.")


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why: the reason is kept in the audit trail.")
    return reason


def _role_set(*, actor, user, role: Role, held: bool, reason: str, facts=None) -> None:
    """Add `user` to or remove them from `role`'s group, audit it and tell them."""
    before = roles_of(user)
    group = ensure_role_groups()[role]
    if held:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    user.__dict__.pop("_portal_roles", None)  # the predicates' per-request cache
    after = roles_of(user)
    audit_record(
        actor=actor,
        action="role.granted" if held else "role.revoked",
        obj=user,
        changes={
            "granted" if held else "revoked": [None, role.value],
            "person": [None, person_label(user)],
            "roles": [", ".join(before) or "none", ", ".join(after) or "none"],
            **(facts or {}),
        },
        reason=reason,
    )
    notify(
        actor=actor,
        recipients=[user],
        kind="role.changed",
        context={"role": role.label, "granted": held, "reason": reason},
    )


@transaction.atomic
def role_grant(*, actor, user_id: int, role: str, reason: str) -> RoleGrantRequest | None:
    """An administrator gives `role` to someone else. Officer, Supervisor and Auditor are given at
    once (returns None). Press office and Administrator need a second administrator: the request
    is recorded, the other administrators are told, and nothing changes until one of them
    approves it (`role_grant_approve`); returns the request."""
    role = Role(role)
    user = _person_locked(actor, user_id)
    reason = _reason(reason)
    _check_may_hold(user)
    if role.value in roles_of(user):
        raise DomainError(f"{person_label(user)} already holds the {role.label} role.")
    if role not in ROLES_NEEDING_APPROVAL:
        _role_set(actor=actor, user=user, role=role, held=True, reason=reason)
        return None
    try:
        with transaction.atomic():
            request = RoleGrantRequest.objects.create(
                user=user, role=role, reason=reason, requested_by=actor
            )
    except IntegrityError:
        raise DomainError(
            f"A request to give {person_label(user)} the {role.label} role is already waiting."
        ) from None
    audit_record(
        actor=actor,
        action="role_grant.requested",
        obj=request,
        changes={
            "person": [None, person_label(user)],
            "role": [None, role.value],
            "state": [None, request.state],
        },
        reason=reason,
    )
    notify(
        actor=actor,
        recipients=administrators_to_tell(exclude=[actor, user]),
        kind="role_grant.requested",
        context={"request": request, "person": person_label(user), "by": person_label(actor)},
        link=_roles_link(),
    )
    return request


@transaction.atomic
def role_revoke(*, actor, user_id: int, role: str, reason: str) -> None:
    """An administrator takes `role` away from someone else, at once."""
    role = Role(role)
    user = _person_locked(actor, user_id)
    reason = _reason(reason)
    if role.value not in roles_of(user):
        raise DomainError(f"{person_label(user)} does not hold the {role.label} role.")
    _role_set(actor=actor, user=user, role=role, held=False, reason=reason)


def _request_decide(*, actor, request_id: int, name: str, comment: str) -> RoleGrantRequest:
    request = lock(RoleGrantRequest, request_id, "user", "requested_by")
    before, after = fire(
        request,
        name,
        actor,
        denied=DECIDE_DENIED,
        not_open=lambda r: f"This request is already {r.get_state_display().lower()}.",
    )
    request.save()
    decision = RoleGrantDecision.objects.create(
        request=request, outcome=after, comment=comment, decided_by=actor
    )
    audit_record(
        actor=actor,
        action=f"role_grant.{after}",
        obj=request,
        changes={
            "state": [before, after],
            "person": [None, person_label(request.user)],
            "role": [None, request.role],
            "requested_by": [None, person_label(request.requested_by)],
        },
        reason=comment,
    )
    notify(
        actor=actor,
        recipients=[request.requested_by],
        kind="role_grant.decided",
        context={
            "request": request,
            "decision": decision,
            "person": person_label(request.user),
            "by": person_label(actor),
        },
        link=_roles_link(),
    )
    return request


@transaction.atomic
def role_grant_approve(*, actor, request_id: int, comment: str = "") -> RoleGrantRequest:
    """A second administrator approves a request: only now is the role given. Never the one who
    asked, nor the person the role is for."""
    request = _request_decide(
        actor=actor, request_id=request_id, name="approve", comment=(comment or "").strip()
    )
    user = get_user_model().objects.select_for_update().get(pk=request.user_id)
    _check_may_hold(user)
    role = Role(request.role)
    if role.value in roles_of(user):
        raise DomainError(f"{person_label(user)} already holds the {role.label} role.")
    _role_set(
        actor=actor,
        user=user,
        role=role,
        held=True,
        reason=request.reason,
        facts={
            "requested_by": [None, person_label(request.requested_by)],
            "approved_by": [None, person_label(actor)],
            "request": [None, request.pk],
        },
    )
    return request


@transaction.atomic
def role_grant_refuse(*, actor, request_id: int, comment: str) -> RoleGrantRequest:
    """A second administrator refuses a request, saying why; nobody's roles change."""
    comment = (comment or "").strip()
    if not comment:
        raise DomainError("Say why you refuse the request.")
    return _request_decide(actor=actor, request_id=request_id, name="refuse", comment=comment)


# Movers and leavers ---------------------------------------------------------------------------


class Marked(NamedTuple):
    """An officer just marked as moved or left, and the status they had before."""

    officer: Officer
    was: str


def _sessions_end(user, keys=None) -> int:
    """End `user`'s sessions (those whose keys are given, or all): allauth.usersessions keeps a
    row per signed-in session, so nothing else is decoded. Returns how many were still live."""
    from allauth.usersessions.adapter import get_adapter
    from allauth.usersessions.models import UserSession

    sessions = UserSession.objects.filter(user=user)
    if keys is not None:
        sessions = sessions.filter(session_key__in=keys)
    sessions = list(sessions)
    live = sum(1 for session in sessions if session.exists())
    get_adapter().end_sessions(sessions)
    return live


def _officer_mark(*, actor, officer_id: int, status: str, on: datetime.date, reason: str) -> Marked:
    if not actor.has_perm("people.change_officer_status"):
        raise PermissionDenied("Only an administrator marks officers as moved or left.")
    officer = Officer.objects.select_for_update().select_related("user").get(pk=officer_id)
    if officer.status == Officer.Status.LEFT:
        raise DomainError(f"{officer.full_name} is already marked as having left.")
    if officer.status == status:
        raise DomainError(f"{officer.full_name} is already marked as moved.")
    fields = ["status", "status_changed_on"]
    before = snapshot(officer, fields)
    officer.status = status
    officer.status_changed_on = on
    officer.save(update_fields=fields)
    changes = diff(before, snapshot(officer, fields))
    if status == Officer.Status.LEFT:
        user = officer.user
        user.is_active = False
        user.save(update_fields=["is_active"])
        changes["is_active"] = [True, False]
        changes["sessions_ended"] = [None, _sessions_end(user)]
    audit_record(
        actor=actor, action=f"officer.marked_{status}", obj=officer, changes=changes, reason=reason
    )
    return Marked(officer, before["status"])


@transaction.atomic
def officer_mark_moved(*, actor, officer_id: int, on=None, reason: str = "") -> Marked:
    """An administrator records that an officer has moved post."""
    return _officer_mark(
        actor=actor,
        officer_id=officer_id,
        status=Officer.Status.MOVED,
        on=on or timezone.localdate(),
        reason=reason,
    )


@transaction.atomic
def officer_mark_left(*, actor, officer_id: int, on=None, reason: str = "") -> Marked:
    """An administrator records that an officer has left: they can no longer sign in and every
    session of theirs ends."""
    return _officer_mark(
        actor=actor,
        officer_id=officer_id,
        status=Officer.Status.LEFT,
        on=on or timezone.localdate(),
        reason=reason,
    )


HR_COLUMNS = ["staff_number", "status", "date"]


@dataclass
class ImportReport:
    """What an import of a CSV file found: `rows` to write (dicts with their `line`) and
    `errors` (line, message); `encoding` and `delimiter` say how the file was read."""

    rows: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


class HRImportReport(ImportReport):
    """Rows: line, officer, status, on (and, once marked, was: the status before)."""


def _rows_parse(report: ImportReport, content, columns, check) -> ImportReport:
    """Read a CSV into `report`: every line checked by `check(values, line) -> (problems,
    facts)`; a file that cannot be read, lacks a column or has no rows is one error."""
    try:
        table = csv_read.read(content, normalise=lambda h: h.strip().lower())
    except csv_read.Unreadable as exc:
        report.errors.append({"line": None, "message": str(exc)})
        return report
    report.encoding, report.delimiter = table.encoding, table.delimiter_name
    missing = [c for c in columns if c not in table.header]
    if missing:
        report.errors.append(
            {"line": 1, "message": f"Missing column(s): {', '.join(missing)}{table.header_hint}"}
        )
        return report
    lines = []
    for line in table.rows():
        if line.problem:
            report.errors.append({"line": line.line, "message": line.problem})
        else:
            lines.append((line.line, line.values))
    return _rows_check(lines, report, check, empty="The file has no rows.")


def _rows_check(lines: list[tuple[int, dict]], report: ImportReport, check, *, empty: str):
    """Check (line, row) pairs, whatever carried them (a CSV file, the API)."""
    for number, row in lines:
        problems, facts = check(row, number)
        if problems:
            report.errors.append({"line": number, "message": "; ".join(problems)})
        else:
            report.rows.append({"line": number, **facts})
    if not report.rows and not report.errors:
        report.errors.append({"line": 1, "message": empty})
    return report


def _hr_row_check(row: dict, officers: dict, seen: dict) -> tuple[list[str], dict]:
    """What is wrong with one row of the HR file, in words for the report, and what it says."""
    number, status, day = row.get("staff_number", ""), row.get("status", "").lower(), None
    problems = []
    officer = officers.get(number.lower())
    if number.lower() in seen:
        problems.append(
            f"staff number {number} appears twice (also on line {seen[number.lower()]})"
        )
    elif officer is None:
        problems.append(f"no officer has staff number '{number}'")
    elif officer.status == Officer.Status.LEFT:
        problems.append(f"{officer.full_name} is already marked as having left")
    elif officer.status == status:
        problems.append(f"{officer.full_name} is already marked as moved")
    if status not in (Officer.Status.MOVED, Officer.Status.LEFT):
        problems.append("status must be 'moved' or 'left'")
    try:
        day = datetime.date.fromisoformat(row.get("date", ""))
        if day > timezone.localdate():
            problems.append("the date is in the future")
    except ValueError:
        problems.append("date must look like 2026-11-24")
    return problems, {"officer": officer, "status": status, "on": day}


def _hr_rows_parse(content: bytes | str) -> HRImportReport:
    return _rows_parse(HRImportReport(), content, HR_COLUMNS, _hr_check())


def _hr_check():
    """A check of one HR row at a time, remembering the staff numbers seen before it."""
    officers = {o.staff_number.lower(): o for o in Officer.objects.select_related("user")}
    seen: dict[str, int] = {}

    def check(row: dict, line: int):
        problems, facts = _hr_row_check(row, officers, seen)
        seen.setdefault(row.get("staff_number", "").lower(), line)
        return problems, facts

    return check


@transaction.atomic
def leavers_import(*, actor, content: bytes | str) -> HRImportReport:
    """Mark every mover and leaver of an HR CSV (staff_number,status,date). Every row is checked
    first; if any row is bad nothing is written and the report says which lines and why. Each
    marked row holds the officer as marked and the status they had before (`was`)."""
    if not actor.has_perm("people.change_officer_status"):
        raise PermissionDenied("Only an administrator imports movers and leavers.")
    return _hr_apply(actor, _hr_rows_parse(content), source="HR import, line")


@transaction.atomic
def leavers_feed(*, actor, rows: list[dict]) -> HRImportReport:
    """The same as `leavers_import`, for rows sent by an HR system through the API (each a dict
    of staff_number, status and date as text; `line` in the report is the row's position, from
    1). Same checks, same all-or-nothing rule, same audit events."""
    if not actor.has_perm("people.change_officer_status"):
        raise PermissionDenied("Only an administrator reports movers and leavers.")
    lines = [
        (i, {k: str(v or "").strip() for k, v in row.items()}) for i, row in enumerate(rows, 1)
    ]
    report = _rows_check(lines, HRImportReport(), _hr_check(), empty="The feed has no rows.")
    return _hr_apply(actor, report, source="HR feed, row")


def _rows_apply(report: ImportReport, write) -> ImportReport:
    """Write every checked row with `write(row)`, or none: a row refused now (changed since the
    check, by another administrator say) undoes every row before it and is the report's error."""
    if not report.ok:
        return report
    row = None
    try:
        with transaction.atomic():
            for row in report.rows:
                write(row)
    except DomainError as exc:
        report.errors.append({"line": row["line"], "message": str(exc)})
        report.rows = []
    return report


def _hr_apply(actor, report: HRImportReport, *, source: str) -> HRImportReport:
    def mark(row):
        row["officer"], row["was"] = _officer_mark(
            actor=actor,
            officer_id=row["officer"].pk,
            status=row["status"],
            on=row["on"],
            reason=f"{source} {row['line']}",
        )

    return _rows_apply(report, mark)


# Sign-in: second factors ----------------------------------------------------------------------


@transaction.atomic
def second_factor_reset(*, actor, user, reason: str = "", request=None) -> list[str]:
    """An administrator resets someone's second factor (a lost or replaced phone): their
    authenticator app and recovery codes are deleted and every session of theirs ends, so their
    next sign-in sets a new one up (required roles) or asks for none. Never one's own: that
    would let a stolen administrator session take the second factor off."""
    from allauth.mfa.models import Authenticator

    from people.sign_in_events import sign_in_event_record

    if not actor.has_perm("people.reset_second_factor"):
        raise PermissionDenied("Only an administrator resets a second factor.")
    if actor.pk == user.pk:
        raise PermissionDenied(
            "You cannot reset your own second factor: ask another administrator."
        )
    authenticators = Authenticator.objects.select_for_update().filter(user=user)
    types = sorted(authenticators.values_list("type", flat=True))
    if not types:
        raise DomainError(f"{user.get_username()} has no second factor to reset.")
    authenticators.delete()
    ended = _sessions_end(user)
    sign_in_event_record(
        action="second_factor.reset",
        user=user,
        actor=actor,
        request=request,
        changes={"types": [types, []], "sessions_ended": [None, ended]},
        reason=reason,
    )
    return types


# Sign-in: sessions ----------------------------------------------------------------------------


@transaction.atomic
def sessions_end(*, actor, user, session_keys=None, request=None, reason: str = "") -> int:
    """End sessions of `user`: the ones named (a person ending one of their own, say on a lost
    phone), or all of them (an administrator ending all of a person's). A person may end their
    own; an administrator anyone's. Audited; returns how many were live. The caller signs the
    current request out if its own session was among them."""
    from people.sign_in_events import sign_in_event_record

    if actor.pk != user.pk and not actor.has_perm("people.end_sessions"):
        raise PermissionDenied("Only an administrator ends someone else's sessions.")
    ended = _sessions_end(user, keys=session_keys)
    sign_in_event_record(
        action="sessions.ended",
        user=user,
        actor=actor,
        request=request,
        changes={"sessions_ended": [None, ended], "which": "chosen" if session_keys else "all"},
        reason=reason,
    )
    return ended


@transaction.atomic
def failed_mail_retry(*, actor, notification_id: int) -> Notification:
    """Put an e-mail parked as failed back in the outbox (an administrator, once the reason is
    dealt with: a mail server back, an address or a name corrected). Audited with the reason it
    had failed."""
    if not actor.has_perm("people.retry_failed_mail"):
        raise PermissionDenied("Only an administrator retries a failed e-mail.")
    try:
        notification = lock(Notification, notification_id)
    except Notification.DoesNotExist:
        raise WorkflowError("There is no such e-mail.") from None
    reason = notification.last_error
    changes = notification_requeue(notification=notification)
    audit_record(
        actor=actor,
        action="notification.retried",
        obj=notification,
        changes=changes,
        reason=f"Failed with {reason}" if reason else "",
    )
    return notification


# Training -------------------------------------------------------------------------------------
#
# Completions of the force's social media training, recorded one at a time by an administrator or
# imported from the learning system's CSV (staff_number, completed_on[, expires_on]): every row is
# checked first and, if any is wrong, nothing is written and the report lists the lines.

TRAINING_COLUMNS = ("staff_number", "completed_on")


def _training_expiry(completed_on: datetime.date, expires_on: datetime.date | None):
    return expires_on or completed_on + datetime.timedelta(days=settings.TRAINING_VALID_DAYS)


def _training_problems(completed_on, expires_on) -> list[str]:
    problems = []
    if completed_on > timezone.localdate():
        problems.append("the completion date is in the future")
    if expires_on is not None and expires_on <= completed_on:
        problems.append("the expiry date must be after the completion date")
    return problems


def _training_create(*, actor, officer, completed_on, expires_on, source, reason) -> Training:
    if officer.training.filter(course=settings.TRAINING_COURSE, completed_on=completed_on).exists():
        raise DomainError(
            f"{officer.full_name}'s training completed on {completed_on:%-d %B %Y} is already"
            " recorded."
        )
    record = Training.objects.create(
        officer=officer,
        course=settings.TRAINING_COURSE,
        completed_on=completed_on,
        expires_on=_training_expiry(completed_on, expires_on),
        source=source,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="training.recorded",
        obj=officer,
        changes={
            "training": [None, f"{record.course}: {record.completed_on} to {record.expires_on}"]
        },
        reason=reason,
    )
    return record


@transaction.atomic
def training_record(
    *, actor, officer_id: int, completed_on: datetime.date, expires_on=None, reason: str = ""
) -> Training:
    """An administrator records that an officer completed the social media training."""
    if not actor.has_perm("people.record_training"):
        raise PermissionDenied("Only an administrator records training.")
    officer = lock(Officer, officer_id)
    if problems := _training_problems(completed_on, expires_on):
        raise DomainError("; ".join(problems).capitalize() + ".")
    return _training_create(
        actor=actor,
        officer=officer,
        completed_on=completed_on,
        expires_on=expires_on,
        source=Training.Source.RECORDED,
        reason=reason,
    )


class TrainingImportReport(ImportReport):
    """Rows: line, officer, completed_on, expires_on (and, once written, record)."""


def _date_or_problem(value: str, name: str, problems: list[str], *, required=True):
    if not value.strip() and not required:
        return None
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        problems.append(f"{name} must look like 2026-11-24")
        return None


def _training_row_check(row: dict, officers: dict, seen: dict) -> tuple[list[str], dict]:
    number = row.get("staff_number", "").strip()
    problems: list[str] = []
    officer = officers.get(number.lower())
    if officer is None:
        problems.append(f"no officer has staff number '{number}'")
    completed = _date_or_problem(row.get("completed_on", ""), "completed_on", problems)
    expires = _date_or_problem(row.get("expires_on", ""), "expires_on", problems, required=False)
    if completed is not None:
        problems += _training_problems(completed, expires)
        key = (number.lower(), completed)
        if key in seen:
            problems.append(f"the same completion appears twice (also on line {seen[key]})")
        elif (
            officer is not None
            and officer.training.filter(
                course=settings.TRAINING_COURSE, completed_on=completed
            ).exists()
        ):
            problems.append(f"{officer.full_name}'s completion on {completed} is already recorded")
    return problems, {"officer": officer, "completed_on": completed, "expires_on": expires}


def _training_rows_parse(content: bytes | str) -> TrainingImportReport:
    officers = {o.staff_number.lower(): o for o in Officer.objects.all()}
    seen: dict[tuple, int] = {}

    def check(row: dict, line: int):
        problems, facts = _training_row_check(row, officers, seen)
        if facts["completed_on"] is not None:
            seen.setdefault(
                (row.get("staff_number", "").strip().lower(), facts["completed_on"]), line
            )
        return problems, facts

    return _rows_parse(TrainingImportReport(), content, TRAINING_COLUMNS, check)


@transaction.atomic
def training_import(*, actor, content: bytes | str) -> TrainingImportReport:
    """Record every completion in the learning system's CSV, or none of them."""
    if not actor.has_perm("people.record_training"):
        raise PermissionDenied("Only an administrator imports training records.")

    def record(row):
        row["record"] = _training_create(
            actor=actor,
            officer=row["officer"],
            completed_on=row["completed_on"],
            expires_on=row["expires_on"],
            source=Training.Source.IMPORTED,
            reason=f"Training import, line {row['line']}",
        )

    return _rows_apply(_training_rows_parse(content), record)


@transaction.atomic
def training_expiry_remind(*, today: datetime.date | None = None) -> int:
    """Tell each officer once, TRAINING_NOTICE_DAYS before their training expires, unless a
    later completion is already recorded. A record is marked in the transaction that queues
    its message, and rows another run holds are skipped: two runs at once tell no one twice."""
    today = today or timezone.localdate()
    later = Training.objects.filter(
        officer=OuterRef("officer"), expires_on__gt=OuterRef("expires_on")
    )
    due = (
        Training.objects.current(today)
        .filter(
            expires_on__lte=today + datetime.timedelta(days=settings.TRAINING_NOTICE_DAYS),
            expiry_reminded_at__isnull=True,
            officer__status=Officer.Status.SERVING,
        )
        .exclude(Exists(later))
        .select_related("officer__user")
        .select_for_update(skip_locked=True, of=("self",))
    )
    now = timezone.now()
    told = 0
    for record in due:
        notify(
            recipients=[record.officer.user],
            kind="training.expiring",
            context={"training": record, "course": record.course},
        )
        record.expiry_reminded_at = now
        record.save(update_fields=["expiry_reminded_at"])
        told += 1
    return told
