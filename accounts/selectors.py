"""Reads shared by views, reports and tasks, filtered by what the user may see."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Delegation, Officer, SocialAccount
from accounts.predicates import officer_of, sees_everything


def supervised_officer_ids(user) -> QuerySet:
    """Ids of the officers `user` line-manages or acts for today by delegation (never themself)."""
    me = officer_of(user)
    if me is None:
        return Officer.objects.none().values("pk")
    delegating = (
        Delegation.objects.in_force(timezone.localdate()).filter(acting=me).values("supervisor_id")
    )
    return (
        Officer.objects.filter(Q(supervisor=me) | Q(supervisor_id__in=delegating))
        .exclude(pk=me.pk)
        .values("pk")
    )


def officers_visible_to(user) -> QuerySet:
    qs = Officer.objects.select_related("user", "unit", "supervisor")
    if sees_everything(user):
        return qs
    me = officer_of(user)
    if me is None:
        return qs.none()
    return qs.filter(Q(pk=me.pk) | Q(pk__in=supervised_officer_ids(user)))


def social_accounts_visible_to(user) -> QuerySet:
    qs = SocialAccount.objects.select_related("owner", "owner__user", "unit")
    if sees_everything(user):
        return qs
    me = officer_of(user)
    if me is None:
        return qs.none()
    return qs.filter(Q(owner=me) | Q(owner_id__in=supervised_officer_ids(user)))
