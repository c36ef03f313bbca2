"""Reads shared by views, reports and tasks, filtered by what the user may see."""

import datetime

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from accounts.models import AccountEditor, Dormancy, ImportJob, SocialAccount
from people.models import Officer
from people.predicates import officer_of, sees_everything
from people.selectors import supervised_officer_ids


def social_accounts_visible_to(user) -> QuerySet:
    qs = SocialAccount.objects.select_related("owner", "owner__user", "unit")
    if sees_everything(user):
        return qs
    me = officer_of(user)
    if me is None:
        return qs.none()
    return qs.filter(
        Q(owner=me)
        | Q(owner_id__in=supervised_officer_ids(user))
        | Q(pk__in=_edited_by(me).values("account_id"))
    )


def _edited_by(officer) -> QuerySet:
    """`officer`'s editorships in force (approved and policy accepted)."""
    return AccountEditor.objects.filter(officer=officer, state=AccountEditor.State.ACTIVE)


# Shared accounts: the owner and the editors who post to them -----------------------------------


def account_editors(account: SocialAccount) -> QuerySet:
    """The account's current editors (active), by name."""
    return (
        account.editors.filter(state=AccountEditor.State.ACTIVE)
        .select_related("officer", "officer__user", "officer__unit")
        .order_by("officer__surname", "officer__first_name", "pk")
    )


def account_posters(account: SocialAccount) -> list[Officer]:
    """Everyone who posts to the account: its owner first, then its current editors."""
    return [account.owner, *(e.officer for e in account_editors(account))]


def accounts_posted_by(officer: Officer) -> QuerySet:
    """The accounts `officer` owns or edits (an editorship in force). One set of ids from both
    (each read through its index), not an OR of the two: PostgreSQL answers that OR by reading
    every account in the force."""
    owned = SocialAccount.objects.filter(owner=officer).values("pk")
    ids = owned.union(_edited_by(officer).values("account_id"), all=True)
    return SocialAccount.objects.select_related("owner", "owner__user", "unit").filter(pk__in=ids)


def editorships_of_account(account: SocialAccount) -> QuerySet:
    """Every editorship of the account, newest request first, for its page."""
    return account.editors.select_related(
        "officer", "officer__unit", "requested_by", "decided_by", "removed_by"
    ).order_by("-requested_at", "-pk")


def with_editor_count(qs: QuerySet) -> QuerySet:
    """`qs` with `editor_count`, the number of current editors of each account (a correlated
    count, so a page or a streamed export stays one query)."""
    editors = (
        AccountEditor.objects.filter(account=OuterRef("pk"), state=AccountEditor.State.ACTIVE)
        .order_by()
        .values("account")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(editor_count=Coalesce(Subquery(editors), 0))


REGISTER_SORTS = {
    "handle": ("handle_lower", "pk"),
    "-handle": ("-handle_lower", "-pk"),
    "owner": ("owner__surname", "owner__first_name", "pk"),
    "-owner": ("-owner__surname", "-owner__first_name", "-pk"),
    "unit": ("unit__name", "handle_lower"),
    "-unit": ("-unit__name", "handle_lower"),
    "status": ("status", "handle_lower"),
    "-status": ("-status", "handle_lower"),
    "last_post": (F("last_post_at").asc(nulls_first=True), "handle_lower"),
    "-last_post": (F("last_post_at").desc(nulls_last=True), "handle_lower"),
}


def filter_register(
    qs: QuerySet,
    *,
    q: str = "",
    unit=None,
    status: str = "",
    platform: str = "",
    kind: str = "",
    dormancy: str = "",
    sort: str = "handle",
    now=None,
) -> QuerySet:
    """The register list's filters, search (handle, display name, owner name or staff number)
    and sort, applied to a queryset that is already limited to what the person may see."""
    if q:
        term = q.strip().lstrip("@")
        # One set of ids from three matches, each read through its own index (the handle's and
        # display name's trigram indexes; the owner's officers through theirs, then their
        # accounts by owner): an OR of the three, one of them a subquery, makes PostgreSQL
        # read every account in the force (14 ms at 10,000 accounts; this, 1 ms).
        owners = Officer.objects.filter(
            Q(surname__icontains=term)
            | Q(first_name__icontains=term)
            | Q(staff_number__iexact=term)
        ).values("pk")
        accounts = SocialAccount.objects.values("pk")
        ids = accounts.filter(handle__icontains=term).union(
            accounts.filter(display_name__icontains=term),
            accounts.filter(owner_id__in=owners),
            all=True,
        )
        qs = qs.filter(pk__in=ids)
    if unit:
        qs = qs.filter(unit=unit)
    if status:
        qs = qs.filter(status=status)
    if platform:
        qs = qs.filter(platform=platform)
    if kind:
        qs = qs.filter(kind=kind)
    if dormancy:
        if dormancy == Dormancy.UNKNOWN:
            qs = qs.filter(last_post_at__isnull=True)
        else:
            after, before = Dormancy.bounds(now)[dormancy]
            if after is not None:
                qs = qs.filter(last_post_at__gte=after)
            if before is not None:
                qs = qs.filter(last_post_at__lt=before)
    return qs.annotate(handle_lower=Lower("handle")).order_by(
        *REGISTER_SORTS.get(sort, REGISTER_SORTS["handle"])
    )


def observations_for(account: SocialAccount, limit: int = 20) -> QuerySet:
    return account.observations.select_related("recorded_by").order_by("-observed_at", "-pk")[
        :limit
    ]


def import_jobs_visible_to(user) -> QuerySet:
    """The press office sees every import; nobody else starts one."""
    qs = ImportJob.objects.select_related("created_by")
    return qs if sees_everything(user) else qs.filter(created_by=user)


def orphaned_condition() -> Q:
    """Live accounts whose owner has moved post or left the force (a condition on accounts).
    The few owners who moved or left are read once (PostgreSQL hashes them), not joined to
    every account's owner: a count over the whole register costs 1 ms, not 15."""
    return Q(
        status__in=[SocialAccount.Status.ACTIVE, SocialAccount.Status.PENDING_SETUP],
        owner_id__in=Officer.objects.filter(
            status__in=[Officer.Status.MOVED, Officer.Status.LEFT]
        ).values("pk"),
    )


def orphaned_accounts() -> QuerySet:
    """Accounts still live whose owner has moved post or left the force: each needs handing
    over or closing. (Reports and the nightly orphan check both read this.)"""
    return SocialAccount.objects.select_related(
        "owner", "owner__user", "owner__supervisor", "owner__supervisor__user", "unit"
    ).filter(orphaned_condition())


def followers_by_day(account: SocialAccount, *, days: int = 180, now=None) -> list[tuple]:
    """[(date, followers)] oldest first: the last count observed each day over `days` days,
    from every source (platform reads, imports, check-ins)."""
    now = now or timezone.now()
    rows = (
        account.observations.filter(
            followers__isnull=False, observed_at__gte=now - datetime.timedelta(days=days)
        )
        .order_by("observed_at", "pk")
        .values_list("observed_at", "followers")
    )
    by_day: dict = {}
    for observed_at, followers in rows:
        by_day[timezone.localdate(observed_at)] = followers
    return list(by_day.items())
