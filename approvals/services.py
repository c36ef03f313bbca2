"""Every write of the approvals app: one function per action, the acting user passed in, one
transaction, the case row locked and its state checked after the lock, an audit row, and mail
sent by `notify` once the transaction commits."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.handles import validate_handle
from accounts.models import SocialAccount
from accounts.services import social_account_activate, social_account_open
from approvals.models import (
    CASE_FIELDS,
    BusinessCase,
    CaseState,
    Decision,
    PolicyAcknowledgement,
    PolicyVersion,
    SetupChecklist,
    Stage,
)
from approvals.rules import is_applicant
from approvals.selectors import account_owners, handle_is_taken, handle_suggestions_for
from audit.services import audit_record, diff, snapshot
from core.errors import WorkflowError
from core.workflow import fire, lock
from custody.models import Credential
from notifications.services import notification_event, notify
from people.predicates import officer_of
from people.selectors import press_office_recipients, supervisors_to_tell, training_gap

# Which transition of BusinessCase each decision fires, by the stage the case is waiting at.
DECISION_TRANSITIONS = {
    (Decision.Stage.SUPERVISOR, Decision.Outcome.APPROVED): "supervisor_approve",
    (Decision.Stage.SUPERVISOR, Decision.Outcome.RETURNED): "supervisor_return",
    (Decision.Stage.SUPERVISOR, Decision.Outcome.REJECTED): "supervisor_reject",
    (Decision.Stage.PRESS_OFFICE, Decision.Outcome.APPROVED): "press_office_sign_off",
    (Decision.Stage.PRESS_OFFICE, Decision.Outcome.RETURNED): "press_office_return",
    (Decision.Stage.PRESS_OFFICE, Decision.Outcome.REJECTED): "press_office_reject",
}


# The words of `core.workflow.fire` for a case: a step not the actor's, and (`_not_open`) a step
# not open from the case's present state.
DENIED = "You cannot do that with this case."


def _case_link(case) -> str:
    return reverse("approvals:detail", args=[case.pk])


def _not_open(case: BusinessCase) -> str:
    return f"This case is {case.get_state_display().lower()}; that is not open."


def _check_handle(case: BusinessCase, when: str) -> None:
    try:
        validate_handle(case.handle, case.platform)
    except ValidationError as exc:
        raise WorkflowError(f"The handle @{case.handle} is not valid: {exc.messages[0]}") from exc
    if handle_is_taken(case.handle, case.platform, exclude_case=case):
        suggestions = ", ".join(handle_suggestions_for(case.applicant, case.platform, case))
        hint = f" Free alternatives: {suggestions}." if suggestions else ""
        raise WorkflowError(
            f"The handle @{case.handle} is already in the register or another open case"
            f" ({when}).{hint}"
        )


@transaction.atomic
def business_case_create(*, actor, data: dict) -> BusinessCase:
    me = officer_of(actor)
    if me is None or not actor.has_perm("approvals.add_businesscase"):
        raise PermissionDenied("Only a serving officer can write a business case.")
    case = BusinessCase(applicant=me, unit=me.unit)
    for name in CASE_FIELDS:
        if name in data:
            setattr(case, name, data[name])
    case.save()
    audit_record(
        actor=actor, action="business_case.created", obj=case, changes=diff({}, snapshot(case))
    )
    return case


@transaction.atomic
def business_case_update(*, actor, case_id: int, data: dict) -> BusinessCase:
    case = lock(BusinessCase, case_id)
    if not is_applicant(actor, case):
        raise PermissionDenied("Only the applicant changes a case.")
    if not actor.has_perm("approvals.change_businesscase", case):
        raise WorkflowError("A case can be changed only as a draft or after it was returned.")
    if any(isinstance(v, str) and "\x00" in v for v in data.values()):
        # What forms refuse already (Django's null-character validator); PostgreSQL cannot
        # store it, so a caller other than the form gets a message too, not a server error.
        raise WorkflowError("The text contains a null character; remove it and save again.")
    before = snapshot(case, CASE_FIELDS)
    for name in CASE_FIELDS:
        if name in data:
            setattr(case, name, data[name])
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError as exc:  # a returned case holds its handle; another open case has it
        raise WorkflowError(
            f"The handle @{case.handle} is already proposed by another open case; choose another."
        ) from exc
    changes = diff(before, snapshot(case, CASE_FIELDS))
    if changes:
        audit_record(actor=actor, action="business_case.changed", obj=case, changes=changes)
    return case


def _policy_confirmed(applicant, policy_id: int, personal_use_read: bool) -> PolicyVersion:
    """The current policy, once the applicant has confirmed reading it (the version on their
    page is still the current one) and the personal-use guidance, now or on an earlier
    submission of this version (a returned case is not ticked through again)."""
    policy = PolicyVersion.current()
    if policy is None:
        raise WorkflowError("No social media policy is published yet; ask an administrator.")
    if policy.pk != policy_id:
        raise WorkflowError(
            f"A newer policy ({policy}) has been published since you opened this page; read it"
            " and confirm again."
        )
    if (
        not personal_use_read
        and not PolicyAcknowledgement.objects.filter(
            officer=applicant, policy=policy, personal_use_read=True
        ).exists()
    ):
        raise WorkflowError("Confirm that you have read the personal-use guidance.")
    return policy


@transaction.atomic
def business_case_submit(
    *, actor, case_id: int, policy_id: int, personal_use_read: bool
) -> BusinessCase:
    """Send the case to the applicant's supervisor, recording that the applicant read the current
    policy and the personal-use guidance. The handle is checked here (and again at sign-off)."""
    case = lock(BusinessCase, case_id)
    policy = _policy_confirmed(case.applicant, policy_id, personal_use_read)
    before, after = fire(case, "submit", actor, not_open=_not_open, denied=DENIED)
    if case.applicant.supervisor_id is None:
        raise WorkflowError("You have no line supervisor recorded; ask an administrator.")
    _check_handle(case, "checked at submission")
    PolicyAcknowledgement.objects.get_or_create(
        officer=case.applicant, policy=policy, defaults={"personal_use_read": True}
    )
    case.policy_acknowledged = policy
    case.personal_use_acknowledged = True
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError as exc:  # another open case took the handle a moment ago
        raise WorkflowError(f"The handle @{case.handle} was just taken by another case.") from exc
    audit_record(
        actor=actor,
        action="business_case.submitted",
        obj=case,
        changes={
            "state": [before, after],
            "submission": [None, case.submission_count],
            "policy_acknowledged": [None, str(policy)],
            "personal_use_acknowledged": [None, True],
        },
    )
    notify(
        actor=actor,
        recipients=supervisors_to_tell(case.applicant),
        kind="case.submitted",
        context={"case": case},
        link=_case_link(case),
    )
    return case


@transaction.atomic
def business_case_withdraw(*, actor, case_id: int, reason: str = "") -> BusinessCase:
    case = lock(BusinessCase, case_id)
    before, after = fire(case, "withdraw", actor, not_open=_not_open, denied=DENIED)
    case.save()
    audit_record(
        actor=actor,
        action="business_case.withdrawn",
        obj=case,
        changes={"state": [before, after]},
        reason=reason,
    )
    return case


@transaction.atomic
def business_case_decide(
    *, actor, case_id: int, outcome: str, comment: str = "", expected_version: str | None = None
) -> Decision:
    """Record the supervisor's or the press office's decision, whichever the case waits for.

    The case row is locked first and its state read after the lock, so of two people deciding at
    the same moment the second finds the case already decided; `expected_version` (posted with
    the form) makes a form sent twice, or left open across a resubmission, decide nothing."""
    case = lock(BusinessCase, case_id)
    stage, outcome = _decision_allowed(
        actor=actor, case=case, outcome=outcome, comment=comment, expected_version=expected_version
    )
    transition = DECISION_TRANSITIONS[(stage, outcome)]
    before, after = fire(case, transition, actor, not_open=_not_open, denied=DENIED)
    case.save()
    decision = _decision_record(
        actor=actor, case=case, stage=stage, outcome=outcome, comment=comment, moved=(before, after)
    )
    if after == CaseState.SIGNED_OFF:
        _register_account(actor=actor, case=case)
    _decision_tell(actor=actor, case=case, decision=decision)
    return decision


def _decision_allowed(
    *, actor, case: BusinessCase, outcome: str, comment: str, expected_version: str | None
) -> tuple[Stage, Decision.Outcome]:
    """The stage the case waits at and the outcome, once every rule for `actor` deciding it now
    holds; otherwise the `WorkflowError` (or `PermissionDenied`) that says why not."""
    stage = case.decision_stage
    lost = decision_race_lost(actor=actor, case=case)
    if expected_version is not None and expected_version != case.version:
        raise WorkflowError(
            lost
            or "This case was decided or changed since the page was opened; nothing was recorded."
            f" It is now {case.get_state_display().lower()}."
        )
    if stage is None:
        raise WorkflowError(
            lost
            or f"This case is not waiting for a decision: it is {case.get_state_display().lower()}."
        )
    if lost:
        # A supervisor at the press office's stage: not theirs to decide, and now they know why.
        raise PermissionDenied(lost)
    outcome = Decision.Outcome(outcome)
    if outcome != Decision.Outcome.APPROVED and not comment.strip():
        raise WorkflowError("Say why, so the applicant knows what to do next.")
    if (
        stage == Decision.Stage.PRESS_OFFICE
        and case.decisions.filter(
            submission=case.submission_count, stage=Decision.Stage.SUPERVISOR, decided_by=actor
        ).exists()
    ):
        raise PermissionDenied(
            "You made the supervisor's decision on this case; another member of the press"
            " office must make the press office's. Both decisions need two different people."
        )
    approving = outcome == Decision.Outcome.APPROVED
    if stage == Decision.Stage.SUPERVISOR and approving and (gap := training_gap(case.applicant)):
        raise WorkflowError(
            f"Not approved: {gap}. The force's training comes before an official account;"
            " return the case, or ask an administrator to record the training."
        )
    if stage == Decision.Stage.PRESS_OFFICE and approving:
        _check_handle(case, "checked again at sign-off")
    return stage, outcome


def _already_decided(*, actor, case: BusinessCase, decision: Decision) -> str:
    """The words for someone who came to decide `case` after `decision` had been made (two
    people deciding at once, a form posted twice): who decided, in the terms of their stage,
    and what state the case is in now."""
    mine = decision.decided_by_id == actor.pk
    if decision.stage == Decision.Stage.SUPERVISOR:
        by = "you" if mine else "another supervisor or acting supervisor"
        done = f"already decided at the supervisor stage, by {by}"
    else:
        by = "you" if mine else "another member of the press office"
        done = f"already decided by {by}"
    return (
        f"This case was {done}; nothing was recorded. It is now {case.get_state_display().lower()}."
    )


def decision_race_lost(*, actor, case: BusinessCase) -> str | None:
    """Why `actor`, come to decide `case`, finds it decided already, in words for their own role;
    None when it is not so. (The decision view asks too, before it binds a form for a stage
    that is no longer the actor's.)

    Without the version in the form the race shows only in the state: the case no longer waits
    for a decision though this submission has one; or it waits for the press office and the
    actor is a supervisor (or made its supervisor's decision) who is not press office."""
    if case.state in (CaseState.DRAFT, CaseState.WITHDRAWN):
        return None
    last = (
        case.decisions.filter(submission=case.submission_count).order_by("-decided_at", "-pk")
    ).first()
    if last is None:
        return None
    stage = case.decision_stage
    if stage is None:
        return _already_decided(actor=actor, case=case, decision=last)
    if (
        stage == Decision.Stage.PRESS_OFFICE
        and last.stage == Decision.Stage.SUPERVISOR
        and not actor.has_perm("approvals.decide_as_press_office", case)
        and (
            last.decided_by_id == actor.pk or actor.has_perm("approvals.decide_as_supervisor", case)
        )
    ):
        return _already_decided(actor=actor, case=case, decision=last)
    return None


def _decision_record(
    *,
    actor,
    case: BusinessCase,
    stage: Stage,
    outcome: Decision.Outcome,
    comment: str,
    moved: tuple[str, str],
) -> Decision:
    """The decision row (naming the supervisor an acting supervisor decided for) and its audit
    row, `moved` being the case's (from, to) states."""
    supervisor = case.applicant.supervisor
    acting_for = None
    if stage == Decision.Stage.SUPERVISOR and supervisor.user_id != actor.pk:
        acting_for = supervisor
    decision = Decision.objects.create(
        case=case,
        submission=case.submission_count,
        stage=stage,
        outcome=outcome,
        comment=comment.strip(),
        decided_by=actor,
        decided_by_label=_label(actor),
        acting_for=acting_for,
    )
    audit_record(
        actor=actor,
        action=f"business_case.{stage}_{outcome}",
        obj=case,
        changes={
            "state": list(moved),
            "decision": [None, decision.pk],
            **({"acting_for": [None, str(acting_for)]} if acting_for else {}),
        },
        reason=decision.comment,
    )
    return decision


def _decision_tell(*, actor, case: BusinessCase, decision: Decision) -> None:
    """The applicant hears every decision; a supervisor's approval also asks the press office
    for its sign-off."""
    link = _case_link(case)
    context = {"case": case, "decision": decision}
    with notification_event():
        notify(
            actor=actor,
            recipients=[case.applicant.user],
            kind="case.decided",
            context=context,
            link=link,
        )
        if case.state == CaseState.SUPERVISOR_APPROVED:
            notify(
                actor=actor,
                recipients=press_office_recipients(),
                kind="case.supervisor_approved",
                context=context,
                link=link,
            )


def _label(user) -> str:
    officer = officer_of(user)
    return f"{officer.full_name} ({officer.staff_number})" if officer else user.get_username()


def _register_account(*, actor, case: BusinessCase) -> SocialAccount:
    """Sign-off puts the account in the register, pending set-up, with its checklist."""
    account = social_account_open(
        actor=actor,
        business_case_id=case.pk,
        platform=case.platform,
        handle=case.handle,
        display_name=case.display_name,
        kind=case.kind,
        owner=case.applicant,
        unit=case.unit,
        reason="Business case signed off by the press office",
    )
    case.account = account
    case.save(update_fields=["account"])
    SetupChecklist.objects.create(case=case, account=account)
    return account


@transaction.atomic
def setup_checklist_update(
    *, actor, case_id: int, ticked: set[str], done: bool = False
) -> SetupChecklist:
    """The officer records what they have done. Ticking "password lodged" records by whom and
    when, never the password. `done` tells the press office the checklist is complete."""
    case = lock(BusinessCase, case_id)
    if not actor.has_perm("approvals.complete_setup", case):
        raise PermissionDenied("Only the applicant fills in the set-up checklist.")
    if case.state != CaseState.SIGNED_OFF:
        raise WorkflowError("The set-up checklist is open only after sign-off.")
    checklist = SetupChecklist.objects.select_for_update().get(case=case)
    if checklist.completed_at is not None:
        raise WorkflowError("The checklist is with the press office for confirmation.")
    names = checklist.item_names
    before = snapshot(checklist, [*names, "completed_at"])
    for name in names:
        setattr(checklist, name, name in ticked)
    if checklist.login_lodged and checklist.login_lodged_at is None:
        checklist.login_lodged_by = actor
        checklist.login_lodged_at = timezone.now()
    elif not checklist.login_lodged:
        checklist.login_lodged_by = None
        checklist.login_lodged_at = None
    if done:
        if not checklist.all_done:
            raise WorkflowError(
                "Tick every item before you send the checklist to the press office."
            )
        checklist.completed_at = timezone.now()
    checklist.save()
    changes = diff(before, snapshot(checklist, [*names, "completed_at"]))
    if changes:
        audit_record(
            actor=actor,
            action="socialaccount.setup_checklist_updated",
            obj=case.account,
            changes=changes,
        )
    if done:
        notify(
            actor=actor,
            recipients=press_office_recipients(),
            kind="case.setup_completed",
            context={"case": case},
            link=_case_link(case),
        )
    return checklist


@transaction.atomic
def setup_confirm(*, actor, case_id: int) -> SocialAccount:
    """The press office confirms the checklist: the account becomes active, the case registered."""
    case = lock(BusinessCase, case_id)
    if not actor.has_perm("approvals.confirm_setup", case):
        raise PermissionDenied("Only the press office confirms a set-up.")
    checklist = SetupChecklist.objects.select_for_update().filter(case=case).first()
    if checklist is None or checklist.completed_at is None or not checklist.all_done:
        raise WorkflowError("The officer has not completed the set-up checklist yet.")
    if not Credential.objects.filter(account_id=case.account_id).exists():
        raise WorkflowError(
            "No login details are lodged for this account yet: lodge them on the account's page"
            " (the officer ticked that they were lodged), then confirm the set-up."
        )
    before, after = fire(case, "register", actor, not_open=_not_open, denied=DENIED)
    case.save()
    checklist.confirmed_by = actor
    checklist.confirmed_at = timezone.now()
    checklist.save(update_fields=["confirmed_by", "confirmed_at"])
    account = social_account_activate(
        actor=actor,
        account=case.account_id,
        reason="Set-up checklist confirmed by the press office",
    )
    audit_record(
        actor=actor, action="business_case.registered", obj=case, changes={"state": [before, after]}
    )
    notify(
        actor=actor,
        recipients=[case.applicant.user],
        kind="case.registered",
        context={"case": case, "account": account},
        link=_case_link(case),
    )
    return account


@transaction.atomic
def policy_publish(
    *, actor, title: str, version: str, text: str = "", url: str = "", published_on=None
) -> PolicyVersion:
    """Publish a version of the policy; every account owner is asked to accept it again."""
    if not actor.has_perm("approvals.publish_policy"):
        raise PermissionDenied("Only an administrator publishes the policy.")
    policy = PolicyVersion.objects.create(
        title=title,
        version=version,
        text=text,
        url=url,
        published_on=published_on or timezone.localdate(),
        published_by=actor,
    )
    audit_record(
        actor=actor, action="policy.published", obj=policy, changes=diff({}, snapshot(policy))
    )
    notify(
        actor=actor,
        recipients=[owner.user for owner in account_owners()],
        kind="policy.published",
        context={"policy": policy},
        link=reverse("approvals:policy"),
    )
    return policy


@transaction.atomic
def policy_acknowledge(*, actor, policy_id: int, personal_use_read: bool) -> PolicyAcknowledgement:
    me = officer_of(actor)
    if me is None or not actor.has_perm("approvals.acknowledge_policy"):
        raise PermissionDenied("Only a serving officer can accept the policy.")
    policy = PolicyVersion.objects.get(pk=policy_id)
    if not personal_use_read:
        raise WorkflowError("Confirm that you have read the personal-use guidance too.")
    ack, created = PolicyAcknowledgement.objects.get_or_create(
        officer=me, policy=policy, defaults={"personal_use_read": True}
    )
    if created:
        audit_record(
            actor=actor,
            action="policy.acknowledged",
            obj=policy,
            changes={"acknowledged_by": [None, str(me)]},
        )
    return ack
