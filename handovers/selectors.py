"""Reads of handovers, repurposings, closures and consolidations, filtered by who may see them,
and the consolidations the portal proposes."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from accounts.handles import suggest_handles
from accounts.models import AccountEditor, SocialAccount
from accounts.selectors import orphaned_accounts, social_accounts_visible_to
from approvals.selectors import handles_taken
from handovers.models import OPEN_STATES, AccountTransition, State
from people.models import Officer, Unit
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
        "target",
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


def waiting_for_owner(user) -> QuerySet:
    """Consolidations of this person's accounts waiting for them to agree."""
    me = officer_of(user)
    if me is None:
        return AccountTransition.objects.none()
    return (
        _transitions()
        .filter(state=State.AWAITING_OWNER, owner=me)
        .order_by("state_changed_at", "pk")
    )


def waiting_for_answer(user) -> QuerySet:
    """What waits for this person's own answer, in one query: accounts offered to them as
    successor, and consolidations of their accounts waiting for them to agree."""
    me = officer_of(user)
    if me is None:
        return AccountTransition.objects.none()
    return (
        _transitions()
        .filter(
            Q(state=State.AWAITING_SUCCESSOR, successor=me)
            | Q(state=State.AWAITING_OWNER, owner=me)
        )
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
    orphans = orphaned_accounts()
    if not sees_everything(user):  # the press office: every account, so no filter to plan
        orphans = orphans.filter(pk__in=social_accounts_visible_to(user).values("pk"))
    return orphans.order_by("owner__surname", "handle")


# Consolidation: quiet accounts with few followers, folded into their unit's account ----------

# Which kinds of account an account may be folded into: always one that speaks for more people.
TARGET_KINDS = {
    SocialAccount.Kind.INDIVIDUAL: (
        SocialAccount.Kind.TEAM,
        SocialAccount.Kind.UNIT,
        SocialAccount.Kind.CENTRAL,
    ),
    SocialAccount.Kind.TEAM: (SocialAccount.Kind.UNIT, SocialAccount.Kind.CENTRAL),
}


def _unit_chains() -> dict[int, list[int]]:
    """{unit id: [the unit, its parent, ..., the force]}: the unit tree in one query."""
    parents = dict(Unit.objects.values_list("pk", "parent_id"))
    chains = {}
    for unit_id in parents:
        chain, seen = [], set()
        current = unit_id
        while current is not None and current not in seen:  # a cycle would be bad data
            chain.append(current)
            seen.add(current)
            current = parents.get(current)
        chains[unit_id] = chain
    return chains


def consolidation_target_accounts(*, now=None) -> QuerySet:
    """Accounts others may be folded into: active (not paused, not being handed over), a team,
    unit or central account, and not dormant (a post within DORMANT_AFTER days)."""
    now = now or timezone.now()
    return (
        SocialAccount.objects.select_related("unit", "owner")
        .filter(
            status=SocialAccount.Status.ACTIVE,
            kind__in=[
                SocialAccount.Kind.TEAM,
                SocialAccount.Kind.UNIT,
                SocialAccount.Kind.CENTRAL,
            ],
            last_post_at__gte=now - datetime.timedelta(days=settings.DORMANT_AFTER),
        )
        .order_by("pk")
    )


def _best_targets(targets, chains) -> dict[tuple, SocialAccount]:
    """{(unit id, platform, kind of account folded): the account to fold into}: on the same
    platform, in the nearest unit up the tree (the unit itself first), the one with the most
    followers there."""
    by_unit: dict[tuple, list[SocialAccount]] = {}
    for target in targets:
        by_unit.setdefault((target.unit_id, target.platform), []).append(target)
    platforms = {platform for _unit, platform in by_unit}
    best = {}
    for unit_id, chain in chains.items():
        for platform in platforms:
            for kind, allowed in TARGET_KINDS.items():
                for ancestor in chain:
                    found = [t for t in by_unit.get((ancestor, platform), []) if t.kind in allowed]
                    if found:
                        found.sort(key=lambda t: (-(t.followers or 0), t.pk))
                        best[(unit_id, platform, kind)] = found[0]
                        break
    return best


def consolidation_targets(account: SocialAccount, *, now=None) -> list[SocialAccount]:
    """Where `account` may be folded: the live team, unit or central accounts on its platform in
    its unit or a unit above it, nearest unit first (then most followers)."""
    allowed = TARGET_KINDS.get(account.kind, ())
    if not allowed:
        return []
    chain = _unit_chains().get(account.unit_id, [account.unit_id])
    distance = {unit_id: i for i, unit_id in enumerate(chain)}
    targets = (
        consolidation_target_accounts(now=now)
        .filter(platform=account.platform, unit_id__in=chain, kind__in=allowed)
        .exclude(pk=account.pk)
    )
    return sorted(targets, key=lambda t: (distance[t.unit_id], -(t.followers or 0), t.pk))


@dataclass
class Proposal:
    account: SocialAccount
    target: SocialAccount


@dataclass
class Proposals:
    """The accounts proposed for consolidation (a queryset, to page through in the database)
    and the account each would be folded into."""

    accounts: QuerySet
    targets: dict

    def target_for(self, account: SocialAccount) -> SocialAccount | None:
        return self.targets.get((account.unit_id, account.platform, account.kind))

    def rows(self, accounts) -> list[Proposal]:
        return [Proposal(a, self.target_for(a)) for a in accounts]


def quiet_since(now=None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(days=settings.CONSOLIDATION_QUIET_DAYS)


def consolidation_proposals(user, *, now=None) -> Proposals:
    """Active individual and team accounts, among those `user` may see (a supervisor: their
    team's), with no post for CONSOLIDATION_QUIET_DAYS (or none recorded since they were opened
    that long ago), at most CONSOLIDATION_FEW_FOLLOWERS followers as last counted, nothing
    under way for them, and a live account to fold into (`consolidation_targets`). Three
    queries whatever the size of the force: the unit tree, the accounts to fold into, and the
    page of proposals."""
    now = now or timezone.now()
    chains = _unit_chains()
    best = _best_targets(consolidation_target_accounts(now=now), chains)
    if not best:
        return Proposals(SocialAccount.objects.none(), {})
    where = Q(pk__in=[])
    groups: dict[tuple, list[int]] = {}
    for unit_id, platform, kind in best:
        groups.setdefault((platform, kind), []).append(unit_id)
    for (platform, kind), unit_ids in groups.items():
        where |= Q(platform=platform, kind=kind, unit_id__in=sorted(unit_ids))
    since = quiet_since(now)
    visible = social_accounts_visible_to(user)
    if not sees_everything(user):
        visible = visible.filter(owner_id__in=supervised_officer_ids(user))
    accounts = (
        visible.filter(where)
        .filter(
            Q(last_post_at__lt=since)
            | Q(last_post_at__isnull=True, activated_on__lt=since.date())
            | Q(last_post_at__isnull=True, activated_on__isnull=True, created_at__lt=since),
            status=SocialAccount.Status.ACTIVE,
            followers__isnull=False,
            followers__lte=settings.CONSOLIDATION_FEW_FOLLOWERS,
        )
        .exclude(pk__in=AccountTransition.objects.filter(state__in=OPEN_STATES).values("account"))
        .order_by(F("last_post_at").asc(nulls_first=True), "handle", "pk")
    )
    return Proposals(accounts, best)


def consolidation_proposal_for(account: SocialAccount, user, *, now=None) -> Proposal | None:
    """`account`'s proposal, if it is proposed (for its page)."""
    proposals = consolidation_proposals(user, now=now)
    if not proposals.accounts.filter(pk=account.pk).exists():
        return None
    return Proposal(account, proposals.target_for(account))


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
