"""Reads about pauses that the register, the account page, the public check and the reminders
share. An account is paused while any of its `PausedAccount` rows is not lifted."""

from django.db.models import (
    Case,
    DateTimeField,
    Exists,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    When,
)

from accounts.models import SocialAccount
from pauses.models import Pause, PausedAccount, PauseNotice
from people.models import Unit
from people.predicates import officer_of, sees_everything

# What a pause can cover: every account someone could still post to.
COVERABLE_STATUSES = (
    SocialAccount.Status.PENDING_SETUP,
    SocialAccount.Status.ACTIVE,
    SocialAccount.Status.HANDOVER_PENDING,
    SocialAccount.Status.COMPROMISED,
)


def unit_and_below(unit: Unit) -> list[int]:
    """The ids of `unit` and every unit below it (one query per level of the tree: force, unit,
    team)."""
    ids, level = [unit.pk], [unit.pk]
    while level:
        level = list(Unit.objects.filter(parent_id__in=level).values_list("pk", flat=True))
        ids += level
    return ids


def accounts_coverable(unit: Unit | None) -> QuerySet:
    """The accounts a pause of `unit` (and the units below it), or of the force (None), covers."""
    qs = SocialAccount.objects.filter(status__in=COVERABLE_STATUSES)
    if unit is not None:
        qs = qs.filter(unit_id__in=unit_and_below(unit))
    return qs.select_related("owner", "owner__user").order_by("pk")


def paused_now(account_ref="pk"):
    """`Exists(...)`: the account (`account_ref` of the outer query) is paused now."""
    return Exists(
        PausedAccount.objects.filter(account=OuterRef(account_ref), lifted_at__isnull=True)
    )


def latest_lift(account_ref="pk"):
    """When the latest pause on the account (`account_ref` of the outer query) was lifted, or
    NULL. The dormancy scan starts a spell no earlier than this, so quiet because it was paused
    is not dormant. Looked up only for accounts that have ever been paused (`pk IN (...)`, which
    PostgreSQL hashes once per statement), then by one backward step along the index (account,
    lifted_at) of that small table: the register's other accounts pay one hash probe."""
    lift = Subquery(
        PausedAccount.objects.filter(account=OuterRef(account_ref), lifted_at__isnull=False)
        .order_by("-lifted_at")
        .values("lifted_at")[:1],
        output_field=DateTimeField(),
    )
    ever_paused = PausedAccount.objects.values("account_id")
    return Case(When(**{f"{account_ref}__in": ever_paused}, then=lift), default=None)


def open_pauses_of(account: SocialAccount) -> list[Pause]:
    """The pauses covering `account` now, suspensions first."""
    return list(
        Pause.objects.filter(effects__account=account, lifted_at__isnull=True)
        .select_related("unit", "started_by")
        .distinct()
        .order_by("-kind", "-started_at")
    )


def pause_labels(account_ids) -> dict[int, str]:
    """{account id: "Suspended" or "Paused"} for the accounts among `account_ids` paused now
    (one query for a page of the register)."""
    labels: dict[int, str] = {}
    rows = PausedAccount.objects.filter(
        account_id__in=list(account_ids), lifted_at__isnull=True
    ).values_list("account_id", "pause__kind")
    for account_id, kind in rows:
        if kind == Pause.Kind.SUSPENSION or account_id not in labels:
            labels[account_id] = "Suspended" if kind == Pause.Kind.SUSPENSION else "Paused"
    return labels


def pauses_visible_to(user) -> QuerySet:
    """Every pause, for those who see everything; nobody else lists them."""
    qs = Pause.objects.select_related("account", "unit", "started_by", "lifted_by")
    return qs if sees_everything(user) else qs.none()


def pause_notices(pause: Pause) -> QuerySet:
    return pause.notices.select_related("officer", "officer__user").prefetch_related(
        Prefetch("accounts", queryset=SocialAccount.objects.order_by("handle"))
    )


def unacknowledged_notices_for(user) -> QuerySet:
    """The person's notices of pauses still open that they have not acknowledged yet."""
    me = officer_of(user)
    if me is None:
        return PauseNotice.objects.none()
    return (
        PauseNotice.objects.filter(
            officer=me, acknowledged_at__isnull=True, pause__lifted_at__isnull=True
        )
        .select_related("pause", "pause__unit", "pause__account")
        .prefetch_related(Prefetch("accounts", queryset=SocialAccount.objects.order_by("handle")))
        .order_by("told_at", "pk")
    )
