"""Editors of shared accounts: every write, one function per action (issue 16, part 1).

A team, unit or central account has one accountable owner and any number of named editors. The
owner asks for an editor; the owner's supervisor (or someone acting for them) or the press office
approves or refuses, never the owner or the proposed editor; approval waits for the editor's
social media training; the editor then accepts the policy in force and only then posts. The
owner or the press office removes an editor, and an editor who moves post or leaves is removed
with them. An editor who held the password leaves knowing it, so their removal makes the same
demand a handover makes (`custody.services.credentials_require_new`) and tells the press office.

These live in the handovers app because it already governs who holds an account, the movers and
leavers flow and the "new login details" demand; the policy the editor accepts is the approvals
app's (`approvals.services.policy_acknowledge`), one layer down. Each action runs in one
transaction, locks the editorship (and the account where it changes it), audits on the account
so its history shows every step, and tells the people concerned through the outbox."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import AccountEditor, SocialAccount
from approvals.selectors import current_policy
from approvals.services import policy_acknowledge
from audit.services import audit_record
from core.errors import WorkflowError
from core.workflow import fire, lock
from custody.services import credentials_require_new
from notifications.services import notification_event, notify
from people.models import Officer
from people.selectors import press_office_recipients, supervisors_to_tell, training_gap

DENIED = "You cannot do that with this editor."
State = AccountEditor.State


def _link(editorship: AccountEditor) -> str:
    return reverse("handovers:editor", args=[editorship.pk])


def _not_open(editorship: AccountEditor) -> str:
    return f"This editor is {editorship.get_state_display().lower()}; that step is not open."


def _fire(editorship, name, actor, **arguments) -> tuple[str, str]:
    return fire(editorship, name, actor, denied=DENIED, not_open=_not_open, arguments=arguments)


def _lock(editorship_id: int) -> AccountEditor:
    return lock(
        AccountEditor, editorship_id, "account", "account__owner", "officer", "officer__user"
    )


def _audit(actor, editorship: AccountEditor, action: str, before: str, reason: str = "", **more):
    audit_record(
        actor=actor,
        action=action,
        obj=editorship.account,
        changes={
            "editor": [None, f"{editorship.officer.full_name} ({editorship.officer.staff_number})"],
            "editor_state": [before, editorship.state],
            **more,
        },
        reason=reason,
    )


def _check_request(account: SocialAccount, officer: Officer) -> None:
    if account.kind not in AccountEditor.SHARED_KINDS:
        raise WorkflowError(
            f"@{account.handle} is an individual officer's account: only team, unit and central "
            "accounts have editors. Change its kind first, or start a handover."
        )
    if account.status == SocialAccount.Status.CLOSED:
        raise WorkflowError(f"@{account.handle} is closed.")
    if officer.pk == account.owner_id:
        raise WorkflowError(f"{officer.full_name} owns @{account.handle}; an owner posts already.")
    if officer.status != Officer.Status.SERVING:
        raise WorkflowError(
            f"{officer.full_name} has {officer.get_status_display().lower()}; "
            "only a serving officer can be an editor."
        )


@transaction.atomic
def editor_request(*, actor, account_id: int, officer_id: int, reason: str) -> AccountEditor:
    """The owner asks for `officer` to post to their shared account. The owner's supervisor (or
    the press office) is asked to decide; the proposed editor is told."""
    account = lock(SocialAccount, account_id, "owner", "owner__user")
    if not actor.has_perm("handovers.request_editor", account):
        raise PermissionDenied("Only the account's owner can ask for an editor.")
    officer = Officer.objects.select_related("user", "unit").get(pk=officer_id)
    _check_request(account, officer)
    if not reason.strip():
        raise WorkflowError("Say why this officer should post to the account.")
    try:
        with transaction.atomic():
            editorship = AccountEditor.objects.create(
                account=account, officer=officer, reason=reason.strip(), requested_by=actor
            )
    except IntegrityError:
        raise WorkflowError(
            f"{officer.full_name} is already an editor of @{account.handle}, or waiting to be."
        ) from None
    _audit(actor, editorship, "editor.requested", None, reason=editorship.reason)
    facts = {"editorship": editorship, "account": account, "gap": training_gap(officer)}
    with notification_event():
        notify(
            actor=actor,
            recipients=supervisors_to_tell(account.owner) or press_office_recipients(),
            kind="editor.requested",
            context={**facts, "audience": "decider"},
            link=_link(editorship),
        )
        notify(
            actor=actor,
            recipients=[officer.user],
            kind="editor.requested",
            context={**facts, "audience": "editor"},
            link=_link(editorship),
        )
    return editorship


@transaction.atomic
def editor_decide(*, actor, editorship_id: int, approve: bool, comment: str = "") -> AccountEditor:
    """The owner's supervisor or the press office approves or refuses a requested editor. Never
    the owner or the proposed editor (the rule), and approval is refused while the editor's
    social media training is missing or out of date."""
    editorship = _lock(editorship_id)
    if not actor.has_perm("handovers.decide_editor", editorship):
        raise PermissionDenied(
            "Only the owner's supervisor or the press office can decide, and never the owner or "
            "the proposed editor."
        )
    comment = comment.strip()
    if not approve and not comment:
        raise WorkflowError("Say why, so the owner knows what to do next.")
    if approve and (gap := training_gap(editorship.officer)):
        raise WorkflowError(
            f"Not approved: {gap}. The force's training comes before posting to an official "
            "account; refuse the request, or ask an administrator to record the training."
        )
    before, _ = _fire(
        editorship, "approve" if approve else "refuse", actor, by=actor, comment=comment
    )
    editorship.save()
    _audit(
        actor,
        editorship,
        "editor.approved" if approve else "editor.refused",
        before,
        reason=comment,
    )
    facts = {"editorship": editorship, "account": editorship.account, "approved": approve}
    with notification_event():
        notify(
            actor=actor,
            recipients=[editorship.officer.user, editorship.account.owner.user],
            kind="editor.decided",
            context=facts,
            link=_link(editorship),
        )
    return editorship


@transaction.atomic
def editor_accept_policy(*, actor, editorship_id: int, personal_use_read: bool) -> AccountEditor:
    """The approved editor accepts the policy in force (recorded as every acknowledgement is,
    by approvals) and becomes an editor who may post. The owner and the press office are told:
    the press office gives the editor the login details."""
    editorship = _lock(editorship_id)
    if not actor.has_perm("handovers.accept_editorship", editorship):
        raise PermissionDenied(DENIED)
    policy = current_policy()
    if policy is None:
        raise WorkflowError("No social media policy is published yet: ask the press office.")
    ack = policy_acknowledge(actor=actor, policy_id=policy.pk, personal_use_read=personal_use_read)
    before, _ = _fire(
        editorship, "accept_policy", actor, version=str(policy), at=ack.acknowledged_at
    )
    editorship.save()
    _audit(
        actor,
        editorship,
        "editor.policy_accepted",
        before,
        policy_version=[None, editorship.policy_version],
    )
    with notification_event():
        notify(
            actor=actor,
            recipients=[editorship.account.owner.user, *press_office_recipients()],
            kind="editor.active",
            context={"editorship": editorship, "account": editorship.account},
            link=reverse("accounts:detail", args=[editorship.account_id]),
        )
    return editorship


def _remove(actor, editorship: AccountEditor, reason: str, *, demand: bool = True):
    """Remove one locked editorship. An editor who could post knew the password, so the press
    office is asked to change it and lodge the new one (the demand a handover makes), unless
    `demand` is False: the caller (a handover, a closure) deals with the login details itself."""
    demand = demand and editorship.state == State.ACTIVE
    before, _ = _fire(editorship, "remove", actor, by=actor, reason=reason)
    editorship.save()
    _audit(actor, editorship, "editor.removed", before, reason=reason)
    account = editorship.account
    if demand:
        account = credentials_require_new(
            actor=actor,
            account=account,
            reason=f"{editorship.officer.full_name} stopped being an editor of @{account.handle}",
        )
    facts = {"editorship": editorship, "account": account, "new_password": demand}
    with notification_event():
        if demand:
            notify(
                actor=actor,
                recipients=press_office_recipients(),
                kind="editor.removed",
                context={**facts, "audience": "press_office"},
                link=reverse("custody:lodge", args=[account.pk]),
            )
        notify(
            actor=actor,
            recipients=[account.owner.user, editorship.officer.user],
            kind="editor.removed",
            context={**facts, "audience": "owner"},
            link=reverse("accounts:detail", args=[account.pk]),
        )
    return editorship


@transaction.atomic
def editor_remove(*, actor, editorship_id: int, reason: str) -> AccountEditor:
    """The owner or the press office removes an editor (or withdraws a request)."""
    editorship = _lock(editorship_id)
    if not actor.has_perm("handovers.remove_editor", editorship):
        raise PermissionDenied(DENIED)
    if not reason.strip():
        raise WorkflowError("Say why the editor is removed.")
    lock(SocialAccount, editorship.account_id)
    return _remove(actor, editorship, reason.strip())


@transaction.atomic
def editors_remove_officer(*, actor, officer: Officer) -> list[AccountEditor]:
    """`officer` has just been marked as moved or left: they stop being an editor of every
    account. Called inside the transaction that marked them (handovers.services)."""
    ids = list(
        AccountEditor.objects.filter(officer=officer, state__in=AccountEditor.CURRENT)
        .order_by("account_id")
        .values_list("pk", flat=True)
    )
    what = officer.get_status_display().lower()  # "moved post", "left the force"
    removed = []
    for pk in ids:
        editorship = _lock(pk)
        if editorship.current:
            removed.append(_remove(actor, editorship, f"The editor {what}"))
    return removed


def editors_end_with_account(
    *, actor, account: SocialAccount, reason: str, officer: Officer | None = None
) -> list[AccountEditor]:
    """The account's editorships end with a change the caller makes in its own transaction:
    every one when the account closes, or only `officer`'s when they take the account over as
    its owner. No new password is asked for here: the handover has asked already, and a closed
    account's login details are destroyed."""
    editorships = AccountEditor.objects.filter(account=account, state__in=AccountEditor.CURRENT)
    if officer is not None:
        editorships = editorships.filter(officer=officer)
    removed = []
    for pk in editorships.order_by("pk").values_list("pk", flat=True):
        editorship = _lock(pk)
        if editorship.current:
            removed.append(_remove(actor, editorship, reason, demand=False))
    return removed
