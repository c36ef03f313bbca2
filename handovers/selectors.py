"""Reads of handovers, repurposings and closures, filtered by who may see them."""

from django.db.models import Q, QuerySet

from accounts.handles import suggest_handles
from accounts.models import AccountEditor, SocialAccount
from accounts.selectors import orphaned_accounts, social_accounts_visible_to
from approvals.selectors import handles_taken
from handovers.models import OPEN_STATES, AccountTransition, State
from people.models import Officer
from people.predicates import officer_of, sees_everything
from people.selectors import supervised_officer_ids


def _transitions() -> QuerySet:
    return AccountTransition.objects.select_related(
        "account",
        "account__unit",
        "owner",
        "owner__user",
        "owner__supervisor",
        "successor",
        "successor__user",
        "started_by",
    )


def transitions_visible_to(user) -> QuerySet:
    """The owner's and the successor's own, their team's for a supervisor (or acting one),
    every one for the press office, auditors and administrators."""
    qs = _transitions()
    if sees_everything(user):
        return qs
    me = officer_of(user)
    if me is None:
        return qs.none()
    return qs.filter(Q(owner=me) | Q(successor=me) | Q(owner_id__in=supervised_officer_ids(user)))


def waiting_for_successor(user) -> QuerySet:
    me = officer_of(user)
    if me is None:
        return AccountTransition.objects.none()
    return (
        _transitions()
        .filter(state=State.AWAITING_SUCCESSOR, successor=me)
        .order_by("state_changed_at", "pk")
    )


def waiting_for_supervisor(user) -> QuerySet:
    me = officer_of(user)
    if me is None:
        return AccountTransition.objects.none()
    return (
        _transitions()
        .filter(state=State.AWAITING_SUPERVISOR, owner_id__in=supervised_officer_ids(user))
        .exclude(successor=me)
        .order_by("state_changed_at", "pk")
    )


def waiting_for_press_office() -> QuerySet:
    return _transitions().filter(state=State.AWAITING_PRESS_OFFICE).order_by("state_changed_at")


def mine(user) -> QuerySet:
    me = officer_of(user)
    if me is None:
        return AccountTransition.objects.none()
    return _transitions().filter(Q(owner=me) | Q(successor=me)).order_by("-state_changed_at")


def open_transition_for(account: SocialAccount):
    return _transitions().filter(account=account, state__in=OPEN_STATES).first()


def transitions_for(account: SocialAccount) -> QuerySet:
    return _transitions().filter(account=account).order_by("-started_at", "-pk")


def successor_choices(account: SocialAccount) -> QuerySet:
    """Serving officers other than the owner, to name as successor."""
    return (
        Officer.objects.filter(status=Officer.Status.SERVING, user__is_active=True)
        .exclude(pk=account.owner_id)
        .select_related("unit")
        .order_by("surname", "first_name")
    )


def handle_suggestions_for_successor(transition: AccountTransition) -> list[str]:
    """Free, valid handles for the successor, in the order the guidance prefers."""
    successor, account = transition.successor, transition.account
    if successor is None:
        return []
    candidates = suggest_handles(
        successor.first_name, successor.surname, platform=account.platform, limit=20
    )
    taken = handles_taken(candidates, account.platform) - {account.handle.lower()}
    return suggest_handles(
        successor.first_name,
        successor.surname,
        platform=account.platform,
        taken=taken,
        limit=4,
    )


def orphans_visible_to(user) -> QuerySet:
    """Live accounts whose owner has moved or left, among those `user` may see: the press office
    sees all, a supervisor their team's. Each needs a handover or a closure."""
    visible = social_accounts_visible_to(user).values("pk")
    return orphaned_accounts().filter(pk__in=visible).order_by("owner__surname", "handle")


# Editors of shared accounts ---------------------------------------------------------------------


def editorships_visible_to(user) -> QuerySet:
    """Editorships of the accounts the person may see, and their own (a proposed editor sees
    the request before the account is theirs to see)."""
    qs = AccountEditor.objects.select_related(
        "account",
        "account__owner",
        "account__owner__user",
        "account__unit",
        "officer",
        "officer__unit",
        "officer__user",
        "requested_by",
        "decided_by",
        "removed_by",
    )
    me = officer_of(user)
    visible = Q(account__in=social_accounts_visible_to(user).values("pk"))
    return qs.filter(visible | Q(officer=me)) if me is not None else qs.filter(visible)


def editors_waiting_for(user) -> QuerySet:
    """Requested editors the person may decide on, oldest first (for their home page)."""
    qs = editorships_visible_to(user).filter(state=AccountEditor.State.REQUESTED)
    me = officer_of(user)
    if me is not None:  # never their own account's, their own request or themself
        qs = qs.exclude(account__owner=me).exclude(officer=me)
    qs = qs.exclude(requested_by=user)
    if not user.has_perm("handovers.view_press_office_queue"):
        qs = qs.filter(account__owner_id__in=supervised_officer_ids(user))
    return qs.order_by("requested_at", "pk")


def editorships_to_accept(user) -> QuerySet:
    """The person's approved editorships waiting for them to accept the policy."""
    me = officer_of(user)
    if me is None:
        return AccountEditor.objects.none()
    return editorships_visible_to(user).filter(officer=me, state=AccountEditor.State.APPROVED)
