"""Reads about people that views, services, reports and tasks share: who someone supervises,
whom to tell about an officer's case, who the press office is."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from people.models import Delegation, Officer
from people.predicates import officer_of, sees_everything
from people.roles import Role


def supervised_officer_ids(user) -> QuerySet:
    """Ids of the officers `user` line-manages or acts for today by delegation (never themself)."""
    return Officer.objects.supervised_by(officer_of(user)).values("pk")


def officers_visible_to(user) -> QuerySet:
    qs = Officer.objects.select_related("user", "unit", "supervisor")
    if sees_everything(user):
        return qs
    me = officer_of(user)
    if me is None:
        return qs.none()
    return qs.filter(Q(pk=me.pk) | Q(pk__in=supervised_officer_ids(user)))


def supervisors_to_tell(officer: Officer) -> list:
    """The users who may decide `officer`'s case: the line supervisor and anyone acting for them
    today by delegation."""
    supervisor = officer.supervisor
    if supervisor is None:
        return []
    acting = Officer.objects.filter(
        pk__in=Delegation.objects.in_force().filter(supervisor=supervisor).values("acting_id")
    ).select_related("user")
    return [supervisor.user, *(o.user for o in acting if o.pk != officer.pk)]


def press_office_recipients() -> list:
    """The shared mailbox and every active member of the press office."""
    users = get_user_model().objects.filter(groups__name=Role.PRESS_OFFICE, is_active=True)
    return [settings.PRESS_OFFICE_EMAIL, *users]
