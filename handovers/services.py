"""Every write of the handovers app: one function per action, the acting user passed in, one
transaction, the transition (and account) rows locked and the state checked after the lock, an
audit row per change, and mail sent by `notify` once the transaction commits."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.handles import validate_handle
from accounts.models import SocialAccount
from accounts.selectors import account_posters
from accounts.services import (
    social_account_close,
    social_account_complete_handover,
    social_account_consolidate,
    social_account_end_handover,
    social_account_start_handover,
)
from approvals.selectors import handles_taken
from audit.services import audit_record, diff, snapshot
from core.errors import WorkflowError
from core.workflow import fire, lock
from custody.models import Credential
from custody.services import credential_destroy, credentials_require_new
from handovers.editors import editors_end_with_account, editors_remove_officer
from handovers.models import (
    OPEN_STATES,
    AccountTransition,
    Checklist,
    CredentialDestruction,
    Kind,
    State,
    TransitionDecision,
)
from handovers.selectors import consolidation_targets, handle_suggestions_for_successor
from notifications.services import notification_event, notify
from people import services as people_services
from people.models import Officer
from people.predicates import officer_of
from people.selectors import press_office_recipients, supervisors_to_tell

POST_LIMIT = 280
DENIED = "You cannot do that with this handover."


def _not_open(transition: AccountTransition) -> str:
    return f"This is {transition.get_state_display().lower()}; that step is not open."


def _link(transition) -> str:
    return reverse("handovers:detail", args=[transition.pk])


def _label(user) -> str:
    officer = officer_of(user)
    return f"{officer.full_name} ({officer.staff_number})" if officer else user.get_username()


def _check_version(transition, expected_version) -> None:
    if expected_version is not None and str(expected_version) != str(transition.version):
        raise WorkflowError(
            "This was decided or changed since the page was opened; nothing was recorded."
            f" It is now {transition.get_state_display().lower()}."
        )


def _race_lost(actor, transition) -> str | None:
    """Why `actor`, come to decide or complete `transition`, finds it decided already (two people
    at once, a form posted twice), in words for their own role: a supervisor hears of the
    supervisor stage, the press office of the press office, and both of the state now."""
    last = (
        transition.decisions.exclude(stage=TransitionDecision.Stage.SUCCESSOR)
        .order_by("-decided_at", "-pk")
        .first()
    )
    if last is None:
        return None
    mine = last.decided_by_id == actor.pk
    press_office = actor.has_perm("handovers.complete_transition", transition)
    if (
        last.stage == TransitionDecision.Stage.SUPERVISOR
        and transition.state != State.AWAITING_SUPERVISOR
        and not press_office
        and (mine or actor.has_perm("handovers.decide_as_supervisor", transition))
    ):
        by = "you" if mine else "another supervisor or acting supervisor"
        done = f"already decided at the supervisor stage, by {by}"
    elif last.stage == TransitionDecision.Stage.PRESS_OFFICE and press_office:
        by = "you" if mine else "another member of the press office"
        done = f"already {last.get_outcome_display().lower()} by {by}"
    else:
        return None
    return (
        f"This was {done}; nothing was recorded."
        f" It is now {transition.get_state_display().lower()}."
    )


def _decide(transition, stage, outcome, actor, comment="") -> TransitionDecision:
    return TransitionDecision.objects.create(
        transition=transition,
        stage=stage,
        outcome=outcome,
        comment=comment.strip(),
        decided_by=actor,
        decided_by_label=_label(actor),
    )


def _return_account(actor, transition, reason: str) -> None:
    """A declined, rejected or withdrawn handover or closure gives the account back, active.
    The handover's demand for new login details is withdrawn with it (the old owner keeps the
    account), unless something since (an incident) made its own demand."""
    account = lock(SocialAccount, transition.account_id)
    if account.status == SocialAccount.Status.HANDOVER_PENDING:
        social_account_end_handover(actor=actor, account=account, reason=reason)
    demand = transition.credentials_required_by_this
    if demand is not None and account.credentials_required_since == demand:
        before = transition.credentials_required_before
        account.credentials_required_since = before
        account.save(update_fields=["credentials_required_since"])
        audit_record(
            actor=actor,
            action="credential.new_lodging_withdrawn",
            obj=account,
            changes={
                "credentials_required_since": [
                    demand.isoformat(),
                    before.isoformat() if before else None,
                ]
            },
            reason=reason,
        )


def farewell_draft(transition: AccountTransition, new_handle: str = "") -> str:
    """The post the portal drafts for the officer, following the guidance's "If you need to
    leave": say what is happening and why, tell followers where to go; at most 280 characters."""
    account, owner = transition.account, transition.owner
    crime = " Crime can't be reported here: call 101, or 999 in an emergency."
    if transition.kind == Kind.HANDOVER and transition.successor:
        successor = transition.successor
        text = (
            f"I'm moving on to a new post, so from today {successor.full_name} takes over this"
            f" account for {account.unit}. Same account, same community: keep following"
            f" @{new_handle or account.handle} for news from your local team. Thank you for"
            f" following!"
        )
    elif transition.kind == Kind.CONSOLIDATION and transition.target:
        target = transition.target
        where = (
            "" if target.platform == account.platform else f" on {target.get_platform_display()}"
        )
        text = (
            f"This account is closing: from today news from {account.unit} is posted by"
            f" @{target.handle}{where}. Please follow @{target.handle} to stay in touch. Thank"
            f" you for following!{crime}"
        )
    elif transition.kind == Kind.CLOSURE:
        text = (
            f"This account is closing and will stop posting. Thank you for following. For news"
            f" from {account.unit}, follow the force's main account.{crime}"
        )
    else:
        text = (
            f"{owner.first_name} here: I've moved to a new post and will keep tweeting from this"
            " account about my new role. Thank you for staying with me!"
        )
    if len(text) > POST_LIMIT:
        text = text[: POST_LIMIT - 1].rstrip() + "…"
    return text


def _check_target(account: SocialAccount, target: SocialAccount | None) -> SocialAccount:
    """A consolidation's target must be one of the account's live unit accounts now."""
    if target is None:
        raise WorkflowError("Choose the unit's account the followers should go to.")
    allowed = {t.pk: t for t in consolidation_targets(account)}
    if target.pk not in allowed:
        raise WorkflowError(
            f"@{target.handle} cannot take @{account.handle}'s followers: it must be an active,"
            " recently used team, unit or central account on the same platform, in the"
            " account's unit or a unit above it."
        )
    return allowed[target.pk]


def _check_start(
    actor,
    account: SocialAccount,
    kind: str,
    reason: str,
    successor,
    new_purpose: str,
    target: SocialAccount | None = None,
) -> tuple[Kind, Officer | None, SocialAccount | None]:
    """Refuse a start the rules do not allow, saying why; returns the kind, the successor
    (None unless it is a handover) and the target (None unless it is a consolidation)."""
    if account.status != SocialAccount.Status.ACTIVE:
        raise WorkflowError(
            f"@{account.handle} is {account.get_status_display().lower()}; only an active account"
            " can be handed over, repurposed, closed or consolidated."
        )
    if not actor.has_perm("handovers.start_transition", account):
        raise PermissionDenied("Only the owner, their supervisor or the press office can do that.")
    kind = Kind(kind)
    if not reason.strip():
        raise WorkflowError("Say why: your followers and your supervisor will want to know.")
    owner = account.owner
    if owner.supervisor_id is None:
        raise WorkflowError(
            f"{owner.full_name} has no line supervisor recorded to approve this; ask an"
            " administrator."
        )
    if kind == Kind.HANDOVER:
        if successor is None:
            raise WorkflowError("Name the officer taking the account over.")
        if successor.pk == owner.pk:
            raise WorkflowError("The successor must be someone other than the owner.")
        if successor.status != Officer.Status.SERVING or not successor.user.is_active:
            raise WorkflowError(f"{successor.full_name} is not serving; name someone else.")
    else:
        successor = None
    if kind == Kind.REPURPOSE and not new_purpose.strip():
        raise WorkflowError("Describe the account's new purpose in your new post.")
    target = _check_target(account, target) if kind == Kind.CONSOLIDATION else None
    if AccountTransition.objects.filter(account=account, state__in=OPEN_STATES).exists():
        raise WorkflowError(f"@{account.handle} already has a handover or closure under way.")
    return kind, successor, target


def _require_new_login_details(actor, transition, account: SocialAccount) -> SocialAccount:
    """A handover asks for new login details, remembering the demand it replaced so that a
    declined, rejected or withdrawn handover can give it back (`_return_account`)."""
    transition.credentials_required_before = account.credentials_required_since
    account = credentials_require_new(
        actor=actor, account=account, reason=f"the handover of @{account.handle}"
    )
    transition.credentials_required_by_this = account.credentials_required_since
    transition.save(update_fields=["credentials_required_before", "credentials_required_by_this"])
    return account


def _tell_started(actor, transition, account: SocialAccount) -> None:
    """A handover asks the successor; a closure or repurposing asks the owner's supervisor.
    The owner hears of it too when someone else started it."""
    owner, link = transition.owner, _link(transition)
    facts = {"transition": transition, "account": account, "started_by": _label(actor)}
    if transition.kind == Kind.CONSOLIDATION:
        _tell_consolidation(actor, transition, "consolidation.started", facts)
        return
    with notification_event():
        if transition.kind == Kind.HANDOVER:
            notify(
                actor=actor,
                recipients=[transition.successor.user],
                kind="handover.proposed",
                context=facts,
                link=link,
            )
        else:
            notify(
                actor=actor,
                recipients=supervisors_to_tell(owner),
                kind=f"{transition.kind}.started",
                context={**facts, "audience": "supervisor"},
                link=link,
            )
        if owner.user_id != actor.pk and owner.user.is_active:
            notify(
                actor=actor,
                recipients=[owner.user],
                kind=f"{transition.kind}.started",
                context={**facts, "audience": "owner"},
                link=link,
            )


def _tell_consolidation(actor, transition, kind: str, facts: dict) -> None:
    """Every step of a consolidation is told to everyone who posts to the account (the owner
    first), the owner's supervisor (or whoever acts for them) and the press office; each hears
    it in the words for them (`audience`), nobody of their own step."""
    link = _link(transition)
    posters = [officer.user for officer in account_posters(transition.account)]
    with notification_event():
        notify(
            actor=actor,
            recipients=[user for user in posters if user.is_active],
            kind=kind,
            context={**facts, "audience": "owner"},
            link=link,
        )
        notify(
            actor=actor,
            recipients=supervisors_to_tell(transition.owner),
            kind=kind,
            context={**facts, "audience": "supervisor"},
            link=link,
        )
        notify(
            actor=actor,
            recipients=press_office_recipients(),
            kind=kind,
            context={**facts, "audience": "press_office"},
            link=link,
        )


def _first_state(actor, kind: Kind, account: SocialAccount) -> State:
    """A handover waits for its successor; a consolidation for its owner to agree, unless the
    owner started it or has left the force (an orphan: nobody can answer for them, so their
    supervisor decides); the rest for the owner's supervisor."""
    if kind == Kind.HANDOVER:
        return State.AWAITING_SUCCESSOR
    owner = account.owner
    if (
        kind == Kind.CONSOLIDATION
        and owner.user_id != actor.pk
        and owner.status != Officer.Status.LEFT
    ):
        return State.AWAITING_OWNER
    return State.AWAITING_SUPERVISOR


@transaction.atomic
def transition_start(
    *,
    actor,
    account_id: int,
    kind: str,
    reason: str,
    successor: Officer | None = None,
    new_purpose: str = "",
    target: SocialAccount | None = None,
) -> AccountTransition:
    """The owner, their supervisor or the press office starts a handover, a repurposing, a
    closure or a consolidation (folding the account into `target`, a unit's account). A
    handover, closure or consolidation makes the account "handover pending"; a handover asks
    for new login details (they must be lodged before it can complete). A consolidation the
    owner did not start waits for the owner to agree; one they started records their
    agreement."""
    account = lock(SocialAccount, account_id)
    kind, successor, target = _check_start(
        actor, account, kind, reason, successor, new_purpose, target
    )
    transition = AccountTransition.objects.create(
        account=account,
        kind=kind,
        state=_first_state(actor, kind, account),
        owner=account.owner,
        successor=successor,
        target=target,
        reason=reason.strip(),
        new_purpose=new_purpose.strip(),
        started_by=actor,
        old_handle=account.handle,
        old_display_name=account.display_name,
    )
    Checklist.objects.create(transition=transition)
    audit_record(
        actor=actor,
        action=f"{kind}.started",
        obj=transition,
        changes={
            "state": [None, transition.state],
            "account": [None, str(account)],
            **({"successor": [None, str(successor)]} if successor else {}),
            **({"target": [None, str(target)]} if target else {}),
            **({"new_purpose": [None, transition.new_purpose]} if new_purpose else {}),
        },
        reason=transition.reason,
    )
    if kind == Kind.CONSOLIDATION and account.owner.user_id == actor.pk:
        _decide(
            transition,
            TransitionDecision.Stage.OWNER,
            TransitionDecision.Outcome.ACCEPTED,
            actor,
            "Asked for by the owner",
        )
    if kind in (Kind.HANDOVER, Kind.CLOSURE, Kind.CONSOLIDATION):
        social_account_start_handover(
            actor=actor, account=account, reason=f"{transition.get_kind_display()} started"
        )
    if kind == Kind.HANDOVER:
        account = _require_new_login_details(actor, transition, account)
    _tell_started(actor, transition, account)
    return transition


@transaction.atomic
def handover_respond(
    *, actor, transition_id: int, accept: bool, comment: str = "", expected_version=None
) -> TransitionDecision:
    """The named successor accepts (it goes to the owner's supervisor) or declines (it goes back
    to the owner with the successor's message, and the account is active again)."""
    transition = lock(AccountTransition, transition_id)
    if transition.state != State.AWAITING_SUCCESSOR:
        raise WorkflowError(
            f"This is {transition.get_state_display().lower()}; it is not waiting for an answer."
        )
    _check_version(transition, expected_version)
    if not accept and not comment.strip():
        raise WorkflowError("Say why you decline, so the owner can find someone else.")
    name = "accept" if accept else "decline"
    before, after = fire(transition, name, actor, denied=DENIED, not_open=_not_open)
    transition.save()
    outcome = TransitionDecision.Outcome.ACCEPTED if accept else TransitionDecision.Outcome.DECLINED
    decision = _decide(transition, TransitionDecision.Stage.SUCCESSOR, outcome, actor, comment)
    audit_record(
        actor=actor,
        action=f"handover.{outcome}",
        obj=transition,
        changes={"state": [before, after], "decision": [None, decision.pk]},
        reason=decision.comment,
    )
    owner, link = transition.owner, _link(transition)
    facts = {"transition": transition, "account": transition.account, "decision": decision}
    if accept:
        with notification_event():
            notify(
                actor=actor,
                recipients=supervisors_to_tell(owner),
                kind="handover.accepted",
                context={**facts, "audience": "supervisor"},
                link=link,
            )
            notify(
                actor=actor,
                recipients=[owner.user],
                kind="handover.accepted",
                context={**facts, "audience": "owner"},
                link=link,
            )
    else:
        _return_account(actor, transition, "The successor declined the handover")
        notify(
            actor=actor, recipients=[owner.user], kind="handover.declined", context=facts, link=link
        )
    return decision


@transaction.atomic
def consolidation_respond(
    *, actor, transition_id: int, agree: bool, comment: str = "", expected_version=None
) -> TransitionDecision:
    """The owner agrees to fold their account into the unit's account (it goes to their
    supervisor) or declines (the account is theirs and active again, and whoever proposed it is
    told why)."""
    transition = lock(AccountTransition, transition_id)
    if transition.state != State.AWAITING_OWNER:
        raise WorkflowError(
            f"This is {transition.get_state_display().lower()}; it is not waiting for the owner."
        )
    _check_version(transition, expected_version)
    if not agree and not comment.strip():
        raise WorkflowError("Say why you decline, so the press office and your supervisor know.")
    name = "owner_agree" if agree else "owner_decline"
    before, after = fire(transition, name, actor, denied=DENIED, not_open=_not_open)
    transition.save()
    outcome = TransitionDecision.Outcome.ACCEPTED if agree else TransitionDecision.Outcome.DECLINED
    decision = _decide(transition, TransitionDecision.Stage.OWNER, outcome, actor, comment)
    audit_record(
        actor=actor,
        action=f"consolidation.owner_{outcome}",
        obj=transition,
        changes={"state": [before, after], "decision": [None, decision.pk]},
        reason=decision.comment,
    )
    if not agree:
        _return_account(actor, transition, "The owner declined the consolidation")
    _tell_consolidation(
        actor,
        transition,
        f"consolidation.owner_{outcome}",
        {"transition": transition, "account": transition.account, "decision": decision},
    )
    return decision


def _decision_step(transition, approve: bool) -> tuple[str, str]:
    """Who decides now (the stage) and the transition their answer fires: the supervisor
    approves or rejects; the press office may only refuse here (it approves by completing)."""
    if transition.state == State.AWAITING_SUPERVISOR:
        name = "supervisor_approve" if approve else "supervisor_reject"
        return TransitionDecision.Stage.SUPERVISOR, name
    if transition.state == State.AWAITING_PRESS_OFFICE and not approve:
        return TransitionDecision.Stage.PRESS_OFFICE, "press_office_reject"
    raise WorkflowError(
        f"This is {transition.get_state_display().lower()}; it is not waiting for that."
    )


@transaction.atomic
def transition_decide(
    *, actor, transition_id: int, approve: bool, comment: str = "", expected_version=None
) -> TransitionDecision:
    """The owner's supervisor approves (it goes to the press office) or rejects; the press office
    may also refuse one waiting for it (it completes it with the completion services)."""
    transition = lock(AccountTransition, transition_id)
    lost = _race_lost(actor, transition)
    if lost:
        raise WorkflowError(lost)
    stage, name = _decision_step(transition, approve)
    _check_version(transition, expected_version)
    if not approve and not comment.strip():
        raise WorkflowError("Say why, so the owner knows what to do next.")
    before, after = fire(transition, name, actor, denied=DENIED, not_open=_not_open)
    transition.save()
    outcome = (
        TransitionDecision.Outcome.APPROVED if approve else TransitionDecision.Outcome.REJECTED
    )
    decision = _decide(transition, stage, outcome, actor, comment)
    audit_record(
        actor=actor,
        action=f"{transition.kind}.{stage}_{outcome}",
        obj=transition,
        changes={"state": [before, after], "decision": [None, decision.pk]},
        reason=decision.comment,
    )
    link = _link(transition)
    facts = {"transition": transition, "account": transition.account, "decision": decision}
    people = [transition.owner.user] + ([transition.successor.user] if transition.successor else [])
    if transition.kind == Kind.CONSOLIDATION:
        if not approve:
            _return_account(actor, transition, f"{transition.get_kind_display()} rejected")
        step = "supervisor_approved" if approve else "rejected"
        _tell_consolidation(actor, transition, f"consolidation.{step}", facts)
        return decision
    if approve:
        with notification_event():
            notify(
                actor=actor,
                recipients=press_office_recipients(),
                kind=f"{transition.kind}.supervisor_approved",
                context={**facts, "audience": "press_office"},
                link=link,
            )
            notify(
                actor=actor,
                recipients=people,
                kind=f"{transition.kind}.supervisor_approved",
                context={**facts, "audience": "owner_and_successor"},
                link=link,
            )
    else:
        _return_account(actor, transition, f"{transition.get_kind_display()} rejected")
        notify(
            actor=actor,
            recipients=people,
            kind=f"{transition.kind}.rejected",
            context=facts,
            link=link,
        )
    return decision


@transaction.atomic
def transition_withdraw(*, actor, transition_id: int, reason: str = "") -> AccountTransition:
    transition = lock(AccountTransition, transition_id)
    before, after = fire(transition, "withdraw", actor, denied=DENIED, not_open=_not_open)
    transition.save()
    audit_record(
        actor=actor,
        action=f"{transition.kind}.withdrawn",
        obj=transition,
        changes={"state": [before, after]},
        reason=reason,
    )
    _return_account(actor, transition, f"{transition.get_kind_display()} withdrawn")
    if transition.kind == Kind.CONSOLIDATION:
        _tell_consolidation(
            actor,
            transition,
            "consolidation.withdrawn",
            {"transition": transition, "account": transition.account, "reason": reason},
        )
    if transition.successor:
        notify(
            actor=actor,
            recipients=[transition.successor.user],
            kind="handover.withdrawn",
            context={"transition": transition, "account": transition.account},
            link=_link(transition),
        )
    return transition


def _press_office_step(actor, transition_id, kind, expected_version):
    transition = lock(AccountTransition, transition_id)
    if transition.kind != kind:
        raise WorkflowError(f"This is a {transition.get_kind_display().lower()}.")
    lost = _race_lost(actor, transition)
    if lost:
        raise WorkflowError(lost)
    if transition.state != State.AWAITING_PRESS_OFFICE:
        raise WorkflowError(
            f"This is {transition.get_state_display().lower()}; it is not waiting for the press"
            " office."
        )
    _check_version(transition, expected_version)
    if not actor.has_perm("handovers.complete_transition", transition):
        raise PermissionDenied("Only the press office completes this, never its owner.")
    if transition.decisions.filter(
        stage=TransitionDecision.Stage.SUPERVISOR, decided_by=actor
    ).exists():
        raise PermissionDenied(
            "You approved this as the supervisor; another member of the press office must"
            " complete it. The two steps need two different people."
        )
    account = lock(SocialAccount, transition.account_id)
    if account.status == SocialAccount.Status.COMPROMISED:
        raise WorkflowError(
            f"@{account.handle} is compromised: resolve its incident first, then complete this."
        )
    return transition, account


def _tick(transition, kind: str, ticked: set[str]) -> tuple[Checklist, dict]:
    """The transition's checklist, locked, with every item of `kind` ticked, and the changes;
    refused unless the press office confirmed every item."""
    checklist = Checklist.objects.select_for_update().get(transition=transition)
    items = Checklist.items_for(kind)
    missing = [label for name, label in items if name not in ticked]
    if missing:
        raise WorkflowError("Confirm every item of the checklist first: " + "; ".join(missing))
    names = [name for name, _ in items]
    before = snapshot(checklist, names)
    for name in names:
        setattr(checklist, name, True)
    return checklist, diff(before, snapshot(checklist, names))


def _record_checklist(checklist: Checklist, actor, **fields) -> None:
    """Save the completed checklist with `fields`, completed by `actor` now."""
    for name, value in fields.items():
        setattr(checklist, name, value)
    checklist.completed_by = actor
    checklist.completed_at = timezone.now()
    checklist.save()


def _completed(transition, actor) -> TransitionDecision:
    return _decide(
        transition,
        TransitionDecision.Stage.PRESS_OFFICE,
        TransitionDecision.Outcome.COMPLETED,
        actor,
    )


def credentials_fresh_for(transition: AccountTransition, account: SocialAccount) -> bool:
    """New login details lodged after the handover started (and after any later demand)."""
    credential = Credential.objects.filter(account=account).first()
    if credential is None:
        return False
    since = max(filter(None, [account.credentials_required_since, transition.started_at]))
    return credential.lodged_at >= since


def _check_ready_to_hand_over(
    transition, account: SocialAccount, new_handle: str, new_display_name: str
) -> tuple[str, str]:
    """Refuse unless new login details were lodged since the handover started and the
    successor's handle and display name are valid and free; returns them cleaned."""
    if not credentials_fresh_for(transition, account):
        raise WorkflowError(
            "New login details have not been lodged since the handover started. Change the"
            " password, lodge the new details, then complete the handover."
        )
    new_handle = new_handle.strip().lstrip("@")
    new_display_name = new_display_name.strip()
    if not new_display_name:
        raise WorkflowError("Enter the successor's display name.")
    try:
        validate_handle(new_handle, account.platform)
    except ValidationError as exc:
        raise WorkflowError(f"The handle @{new_handle} is not valid: {exc.messages[0]}") from exc
    if new_handle.lower() != account.handle.lower() and handles_taken(
        [new_handle], account.platform
    ):
        free = ", ".join(handle_suggestions_for_successor(transition))
        raise WorkflowError(
            f"@{new_handle} is already in the register or proposed in an open business case."
            + (f" Free handles: {free}." if free else "")
        )
    return new_handle, new_display_name


def _pass_to_successor(actor, transition, account: SocialAccount, handle: str, name: str) -> None:
    """The account changes owner, handle and display name; a handle taken in the meantime
    (the unique constraint) is refused as a workflow error."""
    # A successor who edited the account now owns it: an owner is never an editor too.
    editors_end_with_account(
        actor=actor,
        account=account,
        officer=transition.successor,
        reason=f"Took the account over as its owner (handover {transition.pk})",
    )
    try:
        with transaction.atomic():
            social_account_complete_handover(
                actor=actor,
                account=account,
                owner=transition.successor,
                handle=handle,
                display_name=name,
                reason=f"Handover {transition.pk} completed",
            )
    except IntegrityError as exc:
        raise WorkflowError(f"The handle @{handle} was just taken.") from exc


@transaction.atomic
def handover_complete(
    *,
    actor,
    transition_id: int,
    ticked: set[str],
    new_handle: str,
    new_display_name: str,
    expected_version=None,
) -> SocialAccount:
    """The press office confirms the checklist: the account passes to the successor under the
    successor's handle and display name, keeping its history and followers. Refused until new
    login details have been lodged since the handover started."""
    transition, account = _press_office_step(actor, transition_id, Kind.HANDOVER, expected_version)
    new_handle, new_display_name = _check_ready_to_hand_over(
        transition, account, new_handle, new_display_name
    )
    checklist, checklist_changes = _tick(transition, Kind.HANDOVER, ticked)
    before, after = fire(transition, "complete", actor, denied=DENIED, not_open=_not_open)
    transition.save()
    _record_checklist(
        checklist,
        actor,
        new_handle=new_handle,
        new_display_name=new_display_name,
        farewell_text=farewell_draft(transition, new_handle),
    )
    decision = _completed(transition, actor)
    old_owner = account.owner
    _pass_to_successor(actor, transition, account, new_handle, new_display_name)
    audit_record(
        actor=actor,
        action="handover.completed",
        obj=transition,
        changes={
            "state": [before, after],
            "decision": [None, decision.pk],
            **checklist_changes,
            "new_handle": [transition.old_handle, new_handle],
        },
    )
    link = _link(transition)
    facts = {"transition": transition, "checklist": checklist}
    with notification_event():
        notify(
            actor=actor,
            recipients=[transition.successor.user],
            kind="handover.completed",
            context={**facts, "audience": "successor"},
            link=link,
        )
        notify(
            actor=actor,
            recipients=[old_owner.user, *supervisors_to_tell(old_owner)],
            kind="handover.completed",
            context={**facts, "audience": "old_owner"},
            link=link,
        )
    return account


def _destroy_credentials(actor, transition, account: SocialAccount) -> None:
    """The login details are destroyed; the record of what was held is kept."""
    kept = credential_destroy(
        actor=actor, account=account, reason=f"Account closed (closure {transition.pk})"
    )
    if kept is not None:
        CredentialDestruction.objects.create(
            account=account,
            transition=transition,
            lodged_at=kept["lodged_at"],
            key_id=kept["key_id"],
            destroyed_by=actor,
        )


@transaction.atomic
def closure_complete(
    *,
    actor,
    transition_id: int,
    ticked: set[str],
    deactivated_on: datetime.date,
    expected_version=None,
) -> SocialAccount:
    """The press office confirms the farewell post and the deactivation: the login details are
    destroyed (the record of them kept) and the account stays in the register as closed."""
    transition, account = _press_office_step(actor, transition_id, Kind.CLOSURE, expected_version)
    if deactivated_on is None:
        raise WorkflowError("Enter the date the account was deactivated on the platform.")
    if deactivated_on > timezone.localdate():
        raise WorkflowError("The deactivation date cannot be in the future.")
    checklist, checklist_changes = _tick(transition, Kind.CLOSURE, ticked)
    before, after = fire(transition, "complete", actor, denied=DENIED, not_open=_not_open)
    transition.save()
    _destroy_credentials(actor, transition, account)
    _record_checklist(
        checklist,
        actor,
        deactivated_on=deactivated_on,
        credentials_destroyed=True,
        farewell_text=farewell_draft(transition),
    )
    decision = _completed(transition, actor)
    social_account_close(
        actor=actor, account=account, closed_on=deactivated_on, reason=transition.reason
    )
    editors_end_with_account(actor=actor, account=account, reason="The account was closed")
    audit_record(
        actor=actor,
        action="closure.completed",
        obj=transition,
        changes={
            "state": [before, after],
            "decision": [None, decision.pk],
            **checklist_changes,
            "deactivated_on": [None, deactivated_on],
            "credentials_destroyed": [False, True],
        },
    )
    notify(
        actor=actor,
        recipients=[transition.owner.user, *supervisors_to_tell(transition.owner)],
        kind="closure.completed",
        context={"transition": transition, "account": account, "checklist": checklist},
        link=_link(transition),
    )
    return account


@transaction.atomic
def consolidation_complete(
    *,
    actor,
    transition_id: int,
    ticked: set[str],
    deactivated_on: datetime.date,
    expected_version=None,
) -> SocialAccount:
    """The press office confirms the farewell post pointing followers to the unit's account and
    the deactivation: the login details are destroyed (the record of them kept), and the account
    is closed with a record of where its followers should go (`consolidated_into`), which the
    public verification page then gives. Refused if the unit's account is no longer live."""
    transition, account = _press_office_step(
        actor, transition_id, Kind.CONSOLIDATION, expected_version
    )
    target = lock(SocialAccount, transition.target_id)
    if target.status != SocialAccount.Status.ACTIVE:
        raise WorkflowError(
            f"@{target.handle} is {target.get_status_display().lower()}: it cannot take the"
            " followers now. Refuse this consolidation and start one into another account."
        )
    if deactivated_on is None:
        raise WorkflowError("Enter the date the account was deactivated on the platform.")
    if deactivated_on > timezone.localdate():
        raise WorkflowError("The deactivation date cannot be in the future.")
    checklist, checklist_changes = _tick(transition, Kind.CONSOLIDATION, ticked)
    before, after = fire(transition, "complete", actor, denied=DENIED, not_open=_not_open)
    transition.save()
    _destroy_credentials(actor, transition, account)
    _record_checklist(
        checklist,
        actor,
        deactivated_on=deactivated_on,
        credentials_destroyed=True,
        farewell_text=farewell_draft(transition),
    )
    decision = _completed(transition, actor)
    social_account_consolidate(
        actor=actor,
        account=account,
        into=target,
        closed_on=deactivated_on,
        reason=transition.reason,
    )
    editors_end_with_account(
        actor=actor, account=account, reason=f"The account was folded into {target}"
    )
    audit_record(
        actor=actor,
        action="consolidation.completed",
        obj=transition,
        changes={
            "state": [before, after],
            "decision": [None, decision.pk],
            **checklist_changes,
            "deactivated_on": [None, deactivated_on],
            "credentials_destroyed": [False, True],
            "consolidated_into": [None, str(target)],
        },
    )
    _tell_consolidation(
        actor,
        transition,
        "consolidation.completed",
        {"transition": transition, "account": account, "checklist": checklist},
    )
    return account


@transaction.atomic
def repurpose_complete(*, actor, transition_id: int, expected_version=None) -> SocialAccount:
    """The press office approves the new purpose (after the new supervisor): the owner keeps
    the account, which stays active."""
    transition, account = _press_office_step(actor, transition_id, Kind.REPURPOSE, expected_version)
    before, after = fire(transition, "complete", actor, denied=DENIED, not_open=_not_open)
    transition.save()
    decision = _completed(transition, actor)
    audit_record(
        actor=actor,
        action="socialaccount.repurposed",
        obj=account,
        changes={"purpose": [None, transition.new_purpose]},
        reason=transition.reason,
    )
    audit_record(
        actor=actor,
        action="repurpose.completed",
        obj=transition,
        changes={"state": [before, after], "decision": [None, decision.pk]},
    )
    notify(
        actor=actor,
        recipients=[transition.owner.user],
        kind="repurpose.completed",
        context={
            "transition": transition,
            "account": account,
            "suggested_post": farewell_draft(transition),
        },
        link=_link(transition),
    )
    return account


# Movers and leavers: people marks the officer; here their accounts become orphans -----------


@transaction.atomic
def orphans_record(*, actor, officer: Officer, was: str) -> list[SocialAccount]:
    """`officer` has just been marked as moved or left (from `was`): each live account they own
    is now an orphan. The audit trail says so, their supervisor is asked to propose a successor
    for each, and the press office is told. Called inside the transaction that marked them."""
    accounts = list(
        SocialAccount.objects.select_for_update()
        .filter(
            owner=officer,
            status__in=[SocialAccount.Status.ACTIVE, SocialAccount.Status.PENDING_SETUP],
        )
        .order_by("handle")
    )
    what = officer.get_status_display().lower()  # "moved post", "left the force"
    for account in accounts:
        audit_record(
            actor=actor,
            action="socialaccount.orphaned",
            obj=account,
            changes={"owner_status": [was, officer.status]},
            reason=f"Owner {what}",
        )
        notify(
            actor=actor,
            recipients=supervisors_to_tell(officer),
            kind="handover.proposed_to_supervisor",
            context={"officer": officer, "account": account},
            link=reverse("handovers:start", args=[account.pk]) + "?kind=handover",
        )
    if accounts:
        notify(
            actor=actor,
            recipients=press_office_recipients(),
            kind="officer.accounts_orphaned",
            context={"officer": officer, "accounts": accounts},
            link=reverse("accounts:list"),
        )
    return accounts


@transaction.atomic
def officer_mark_and_orphan(
    *, actor, officer_id: int, status: str, on=None, reason: str = ""
) -> tuple[Officer, list[SocialAccount]]:
    """The leavers page: people marks the officer as moved or left (a leaver can no longer sign
    in), then their live accounts become orphans and handovers are proposed. One transaction:
    if either part is refused, nothing is written."""
    mark = (
        people_services.officer_mark_left
        if status == Officer.Status.LEFT
        else people_services.officer_mark_moved
    )
    officer, was = mark(actor=actor, officer_id=officer_id, on=on, reason=reason)
    editors_remove_officer(actor=actor, officer=officer)
    return officer, orphans_record(actor=actor, officer=officer, was=was)


@transaction.atomic
def leavers_import_and_orphan(*, actor, content: bytes | str) -> people_services.HRImportReport:
    """The leavers page's HR import: people marks every row or none, then each marked officer's
    live accounts become orphans, all in one transaction (the trail lists the officers marked,
    then the accounts orphaned). Each row of the report lists its orphans (`accounts`)."""
    report = people_services.leavers_import(actor=actor, content=content)
    return _orphan_marked(actor, report)


@transaction.atomic
def leavers_feed_and_orphan(*, actor, rows: list[dict]) -> people_services.HRImportReport:
    """The HR system's movers and leavers (the API): the same as `leavers_import_and_orphan`
    for rows sent as dicts."""
    report = people_services.leavers_feed(actor=actor, rows=rows)
    return _orphan_marked(actor, report)


def _orphan_marked(actor, report: people_services.HRImportReport):
    """Each officer an HR import or feed marked stops editing accounts, and their own live
    accounts become orphans (`accounts` on their report row)."""
    if not report.ok:  # nothing was marked
        return report
    for row in report.rows:
        editors_remove_officer(actor=actor, officer=row["officer"])
        row["accounts"] = orphans_record(actor=actor, officer=row["officer"], was=row["was"])
    return report
