"""Reads about people that views, services, reports and tasks share: who someone supervises,
whom to tell about an officer's case, who the press office is, who holds which role."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from notifications.services import SharedMailbox
from people.models import Delegation, Officer, RoleGrantRequest, Training
from people.predicates import has_team, officer_of, sees_everything
from people.roles import Role


def supervised_officer_ids(user) -> list[int]:
    """Ids of the officers `user` line-manages or acts for today by delegation (never themself).

    Read once per request and kept on that request's user object, like its roles
    (`people.predicates.load_principal`): no query at all for someone without a team, one for a
    supervisor, however many lists of the page filter by the team. As values, not a subquery:
    a sergeant's team is a handful of officers among thousands, and PostgreSQL plans each list
    from the owners' or applicants' index only when it can see them."""
    if user is None or not user.is_authenticated:
        return []
    team = getattr(user, "_portal_team_ids", None)
    if team is None:
        team = []
        if has_team.test(user):
            team = list(
                Officer.objects.supervised_by(officer_of(user)).values_list("pk", flat=True)
            )
        user._portal_team_ids = team
    return team


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
    """The press office's shared mailbox, read by every active member of the press office: one
    e-mail to the mailbox, the message in each member's portal inbox."""
    users = get_user_model().objects.filter(groups__name=Role.PRESS_OFFICE, is_active=True)
    return [SharedMailbox(settings.PRESS_OFFICE_EMAIL, tuple(users), team="press_office")]


# Roles ----------------------------------------------------------------------------------------


def roles_of(user) -> list[str]:
    """The names of the roles `user` holds, in the order of `Role` (read fresh, not cached)."""
    held = set(user.groups.values_list("name", flat=True))
    return [role.value for role in Role if role.value in held]


def person_label(user) -> str:
    """A login as a person is named on pages and in the trail: name and staff number."""
    officer = officer_of(user)
    if officer is not None:
        return f"{officer.full_name} ({officer.staff_number})"
    return user.get_full_name() or user.get_username()


def people_with_roles(*, query: str = "", role: str = "") -> QuerySet:
    """Officers who have not left, with their logins and roles loaded (for the Roles page)."""
    qs = (
        Officer.objects.exclude(status=Officer.Status.LEFT)
        .select_related("user", "unit")
        .prefetch_related(
            Prefetch("user__groups", queryset=Group.objects.order_by("name"), to_attr="roles")
        )
        .order_by("surname", "first_name", "pk")
    )
    if query:
        qs = qs.filter(
            Q(first_name__icontains=query)
            | Q(surname__icontains=query)
            | Q(staff_number__iexact=query)
            | Q(user__username__iexact=query)
        )
    if role:
        qs = qs.filter(user__groups__name=role)
    return qs


def role_requests_waiting() -> QuerySet:
    """Requests for a role that wait for a second administrator, oldest first."""
    return (
        RoleGrantRequest.objects.filter(state=RoleGrantRequest.State.REQUESTED)
        .select_related("user__officer", "requested_by__officer")
        .order_by("requested_at", "pk")
    )


def role_requests_decided(limit: int = 50) -> list:
    """The latest decided requests, newest first, with their decisions."""
    return list(
        RoleGrantRequest.objects.exclude(state=RoleGrantRequest.State.REQUESTED)
        .select_related("user__officer", "requested_by__officer", "decision__decided_by__officer")
        .order_by("-requested_at", "-pk")[:limit]
    )


def role_requests_waiting_for(user) -> QuerySet:
    """Requests `user` may decide: waiting, not asked by them, not for them (callers check that
    `user` is an administrator)."""
    return role_requests_waiting().exclude(requested_by=user).exclude(user=user)


def administrators_to_tell(*, exclude=()) -> list:
    """Active administrators (the role, or superusers), but not the people in `exclude`."""
    users = get_user_model().objects.filter(
        Q(groups__name=Role.ADMINISTRATOR) | Q(is_superuser=True), is_active=True
    )
    return list(users.exclude(pk__in=[u.pk for u in exclude]).distinct().order_by("pk"))


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


# Training -------------------------------------------------------------------------------------


def training_current(officer: Officer, on=None) -> Training | None:
    """The officer's in-date social media training on `on` (today), the one lasting longest."""
    return officer.training.current(on).order_by("-expires_on").first()


def training_gap(officer: Officer, on=None) -> str | None:
    """What the officer lacks before a case of theirs can be approved, in words for the
    applicant and the supervisor; None when their training is in date."""
    if training_current(officer, on) is not None:
        return None
    last = officer.training.order_by("-expires_on").first()
    course = settings.TRAINING_COURSE.lower()
    if last is None:
        return f"{officer.full_name} has no record of completing the {course}"
    if last.completed_on > (on or timezone.localdate()):
        return f"{officer.full_name}'s {course} is recorded as completed in the future"
    return f"{officer.full_name}'s {course} expired on {last.expires_on:%-d %B %Y}"


def training_records(*, query: str = "") -> QuerySet:
    """Every training record, newest expiry first, for the administrators' page."""
    rows = Training.objects.select_related("officer", "officer__unit", "recorded_by")
    if query:
        rows = rows.filter(
            Q(officer__surname__icontains=query)
            | Q(officer__first_name__icontains=query)
            | Q(officer__staff_number__iexact=query)
        )
    return rows.order_by("-expires_on", "officer__surname")


def officer_by_staff_number(staff_number: str) -> Officer | None:
    """The officer holding this staff or collar number (any case, spaces trimmed), or None."""
    return (
        Officer.objects.filter(staff_number__iexact=staff_number.strip())
        .select_related("user", "unit")
        .first()
    )
