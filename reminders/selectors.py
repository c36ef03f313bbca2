from django.db.models import Q, QuerySet
from django.utils import timezone

from people.predicates import officer_of, sees_everything
from people.selectors import supervised_officer_ids
from reminders.models import Recertification


def recertifications_visible_to(user) -> QuerySet:
    qs = Recertification.objects.select_related("account", "account__owner", "account__unit")
    if sees_everything(user):
        return qs
    me = officer_of(user)
    if me is None:
        return qs.none()
    return qs.filter(Q(account__owner=me) | Q(account__owner_id__in=supervised_officer_ids(user)))


def open_recertification(account):
    return (
        Recertification.objects.filter(account=account, supervisor_confirmed_at__isnull=True)
        .order_by("due_on")
        .first()
    )


def recertifications_waiting_for(user) -> QuerySet:
    """The open re-certifications this person has to confirm (as owner or as supervisor)."""
    me = officer_of(user)
    if me is None:
        return Recertification.objects.none()
    return (
        recertifications_visible_to(user)
        .filter(supervisor_confirmed_at__isnull=True)
        .filter(
            Q(account__owner=me, owner_confirmed_at__isnull=True)
            | Q(
                account__owner_id__in=supervised_officer_ids(user), owner_confirmed_at__isnull=False
            )
        )
    )


def overdue_recertifications() -> QuerySet:
    return Recertification.objects.select_related(
        "account", "account__owner", "account__unit"
    ).filter(supervisor_confirmed_at__isnull=True, due_on__lt=timezone.localdate())
