"""Named predicates about people, shared by every app's rules. Each takes the signed-in user and,
where it asks about an object, that object; each is tested in tests/people/test_predicates.py."""

import functools
from dataclasses import dataclass

import rules
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils import timezone

from people.models import Delegation, Officer, Unit, delegation_in_force
from people.roles import Role


def officer_of(user):
    """The Officer record of a signed-in user, or None (anonymous, or an admin-only login)."""
    if user is None or not user.is_authenticated:
        return None
    load_principal(user)
    try:
        return user.officer
    except AttributeError:
        return None
    except Exception:  # RelatedObjectDoesNotExist
        return None


def load_principal(user) -> None:
    """What the predicates ask of the signed-in person (their role names, their officer record
    and its unit, whether they have a team) in one query, kept on this user object: the one
    AuthenticationMiddleware loads for one request, so the next request asks again and sees any
    change. An object whose officer record was loaded already keeps that instance."""
    if getattr(user, "_portal_roles", None) is not None or not getattr(user, "pk", None):
        return
    if connection.vendor == "postgresql":
        row = _prepared_principal(user.pk)
    else:  # the embedded default `make run` uses on a bare machine: no ARRAY(subquery)
        row = _principal_queryset(user.pk, timezone.localdate(), in_one_query=False).first()
        if row is not None:
            row.role_names = Group.objects.filter(user=user.pk).values_list("name", flat=True)
    _apply(user, row)


def principal_user(pk):
    """The user with this id, loaded with what `load_principal` loads, in that one query (the
    sign-in backend's `get_user`: the page then asks nothing more about who is signed in)."""
    if connection.vendor != "postgresql":
        user = get_user_model()._default_manager.filter(pk=pk).first()
        if user is not None:
            load_principal(user)
        return user
    row = _prepared_principal(pk)
    if row is not None:
        _apply(row, row)
    return row


def _apply(user, row) -> None:
    if row is None:
        user._portal_roles = set()
        return
    user._portal_roles = set(row.role_names)
    officer = getattr(row, "officer", None)
    relation = Officer.user.field.remote_field  # the user-to-officer side of the one-to-one
    if not relation.is_cached(user):
        relation.set_cached_value(user, officer)
    if getattr(user, "_portal_has_team", None) is None:
        user._portal_has_team = officer is not None and (row.direct or row.delegated)


def _principal_queryset(pk, today, *, in_one_query: bool):
    facts = _team_exists(OuterRef("officer__pk"), today)
    if in_one_query:
        roles = Group.objects.filter(user=OuterRef("pk")).values_list("name", flat=True)
        facts["role_names"] = ArraySubquery(roles)
    return (
        get_user_model()
        .objects.filter(pk=pk)
        .select_related("officer__unit")
        .annotate(**facts)
        .order_by()
    )


# Stands for the user's id in the prepared principal query (no user has a negative id).
_ANY_USER = -7_250_011


@dataclass(frozen=True)
class _Prepared:
    sql: str
    params: tuple
    user: tuple[int, int, list[str]]  # (first column, end, attnames)
    officer: tuple[int, int, list[str]]
    unit: tuple[int, int, list[str]]
    facts: dict[str, int]  # annotation name -> column


def _columns(select, info) -> tuple[int, int, list[str]]:
    fields = info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    return start, end, [column[0].target.attname for column in select[start:end]]


@functools.lru_cache(maxsize=4)
def _prepare(today, alias) -> _Prepared:
    """The principal query, built and compiled by the ORM once a day per database: building it
    cost ten times more than running it, on every request of every page (issue 18's profile)."""
    query = _principal_queryset(_ANY_USER, today, in_one_query=True).query
    compiler = query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    officer_info = compiler.klass_info["related_klass_infos"][0]
    unit_info = officer_info["related_klass_infos"][0]
    return _Prepared(
        sql,
        tuple(params),
        _columns(compiler.select, compiler.klass_info),
        _columns(compiler.select, officer_info),
        _columns(compiler.select, unit_info),
        dict(compiler.annotation_col_map),
    )


def _prepared_principal(pk):
    """One row of the prepared query as the ORM would give it: the user with its officer and
    the officer's unit attached (or none), and the facts as attributes; None for no such user."""
    prepared = _prepare(timezone.localdate(), connection.alias)
    params = [pk if p == _ANY_USER else p for p in prepared.params]
    with connection.cursor() as cursor:
        cursor.execute(prepared.sql, params)
        values = cursor.fetchone()
    if values is None:
        return None

    def build(model, columns):
        start, end, attnames = columns
        if values[start] is None:  # the LEFT JOIN found no row
            return None
        return model.from_db(connection.alias, attnames, values[start:end])

    user = build(get_user_model(), prepared.user)
    officer = build(Officer, prepared.officer)
    if officer is not None:
        Officer.unit.field.set_cached_value(officer, build(Unit, prepared.unit))
        Officer.user.field.set_cached_value(officer, user)
    Officer.user.field.remote_field.set_cached_value(user, officer)
    for name, column in prepared.facts.items():
        setattr(user, name, values[column])
    return user


def role_names(user) -> list[str]:
    """The names of the signed-in person's groups, the portal's roles first in their usual
    order (from the same per-request load as the predicates)."""
    if user is None or not user.is_authenticated:
        return []
    load_principal(user)
    order = {role.value: i for i, role in enumerate(Role)}
    return sorted(
        getattr(user, "_portal_roles", ()), key=lambda name: (order.get(name, len(order)), name)
    )


def _in_group(role: Role):
    @rules.predicate(name=f"has_role_{role.name.lower()}")
    def predicate(user):
        if user is None or not user.is_authenticated or not user.is_active:
            return False
        load_principal(user)
        return role.value in getattr(user, "_portal_roles", ())

    return predicate


has_officer_role = _in_group(Role.OFFICER)
is_supervisor = _in_group(Role.SUPERVISOR)
is_press_office = _in_group(Role.PRESS_OFFICE)
is_auditor = _in_group(Role.AUDITOR)
is_administrator = _in_group(Role.ADMINISTRATOR) | rules.is_superuser


@rules.predicate
def has_officer_record(user):
    """A member of staff with an officer record who has not left (auditors and administrators
    have one too: it says who they are, not what they may do)."""
    officer = officer_of(user)
    return officer is not None and officer.status != officer.Status.LEFT


# What an officer writes (a business case, a check-in, a hack report, leave, a handover) needs
# the Officer role as well as the record: the auditor, who has a record but only the Auditor
# role, reads everything and changes nothing.
is_officer = has_officer_record & has_officer_role


@rules.predicate
def is_user(user, person):
    """`person` (a login) is the signed-in user themself."""
    return person is not None and user is not None and user.pk == person.pk


def supervises(user, officer) -> bool:
    """True when `user` is `officer`'s line supervisor, or acts for them by a delegation in force
    today. Never true of oneself."""
    me = officer_of(user)
    if me is None or officer is None or officer.pk == me.pk:
        return False
    if officer.supervisor_id == me.pk:
        return True
    if officer.supervisor_id is None:
        return False
    return (
        Delegation.objects.in_force(timezone.localdate())
        .filter(supervisor_id=officer.supervisor_id, acting=me)
        .exists()
    )


@rules.predicate
def has_team(user):
    """Line-manages someone, or acts for a supervisor today by delegation. Asked by the menu and
    the page both: the answer is kept on this user object (one request's), like its roles."""
    if user is None or not user.is_authenticated:
        return False
    load_principal(user)
    answer = getattr(user, "_portal_has_team", None)
    if answer is None:
        answer = _has_team(officer_of(user))
        user._portal_has_team = answer
    return answer


def _team_exists(me, today=None) -> dict:
    """Whether officer `me` (an id, or an OuterRef to one) has a team, as two EXISTS each
    answered from its own index (the OR of the two reads every officer of the force): someone
    they line-manage (`direct`), or someone whose supervisor they act for today by a delegation
    (`delegated`, the delegation joined rather than nested: the nested form cost more to build
    than the query costs to run, on every page)."""
    team = Officer.objects.exclude(pk=me)
    return {
        "direct": Exists(team.filter(supervisor_id=me)),
        "delegated": Exists(
            team.filter(
                delegation_in_force(today, through="supervisor__delegations_given__"),
                supervisor__delegations_given__acting_id=me,
            )
        ),
    }


def _has_team(me) -> bool:
    """`Officer.objects.supervised_by(me).exists()`, in one query."""
    if me is None:
        return False
    row = (
        Officer.objects.filter(pk=me.pk)
        .annotate(**_team_exists(me.pk))
        .values_list("direct", "delegated")
        .first()
    )
    return bool(row and any(row))


@rules.predicate
def is_self(user, officer):
    me = officer_of(user)
    return me is not None and officer is not None and me.pk == officer.pk


@rules.predicate
def is_supervisor_of(user, officer):
    return supervises(user, officer)


sees_everything = is_press_office | is_auditor | is_administrator


@rules.predicate
def reaches_django_admin(user):
    return bool(user is not None and user.is_authenticated and user.is_staff)


# Press officers hold the force's social-media passwords and administrators hold the keys to
# everyone's access: both sign in with a second factor (people/mfa.py).
needs_second_factor = is_press_office | is_administrator | reaches_django_admin
