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


def sessions_of(user) -> list:
    """`user`'s signed-in sessions (allauth.usersessions), most recently seen first; rows of
    sessions that have expired or were signed out are dropped on the way."""
    from allauth.usersessions.models import UserSession

    return sorted(
        UserSession.objects.purge_and_list(user), key=lambda s: s.last_seen_at, reverse=True
    )


def describe_browser(user_agent: str) -> str:
    """ "Edge on Windows", "Safari on iPhone"... from a browser's User-Agent, for people to
    recognise their own devices; the whole string is kept beside it."""
    ua = user_agent or ""
    browser = next(
        (
            name
            for token, name in [
                ("Edg/", "Edge"),
                ("Firefox/", "Firefox"),
                ("Chrome/", "Chrome"),
                ("Chromium/", "Chromium"),
                ("Safari/", "Safari"),
            ]
            if token in ua
        ),
        "Unknown browser",
    )
    system = next(
        (
            name
            for token, name in [
                ("iPhone", "iPhone"),
                ("iPad", "iPad"),
                ("Android", "Android"),
                ("Windows", "Windows"),
                ("Mac OS X", "Mac"),
                ("CrOS", "ChromeOS"),
                ("Linux", "Linux"),
            ]
            if token in ua
        ),
        "",
    )
    return f"{browser} on {system}" if system else browser
