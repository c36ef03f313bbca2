"""Walks the whole URL configuration and checks every pattern × principal × method against the
declared table (tests/authz/matrix.py), on one shared world (tests/authz/world.py):
- a pattern missing from the table (or a table line no pattern has) fails;
- every cell's outcome must be the declared one;
- a refused POST changes nothing (audit trail and the rows of every workflow model compared
  before and after); an allowed POST records exactly the declared audit actions;
- IDOR sweep: every object URL, filled with the other team's object, is 403/404/405 for the
  officer, their supervisor and the acting supervisor, and never shows the other team's text."""

import hashlib
import os
import re

import pytest
from django.apps import apps
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from audit.models import AuditEvent
from tests.authz import matrix
from tests.authz.conftest import rolled_back
from tests.authz.matrix import (
    FORBIDDEN,
    LOGIN,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    PRINCIPALS,
    UNAUTHORIZED,
)

pytestmark = pytest.mark.django_db


def url_patterns(resolver=None, prefix=""):
    """Every pattern of the URL configuration, as (route, pattern): routes as the configuration
    spells them, included ones prefixed; the first of two identical routes wins (as in Django)."""
    found = {}
    for p in (resolver or get_resolver()).url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            for sub_route, sub in url_patterns(p, route):
                found.setdefault(sub_route, sub)
        elif isinstance(p, URLPattern):
            found.setdefault(route, p)
    return list(found.items())


ROUTES = [route for route, _ in url_patterns()]


def rule_for(route):
    if route in matrix.RULES:
        return matrix.RULES[route]
    for prefix, rule in matrix.PREFIX_RULES.items():
        if route.startswith(prefix):
            return rule(route) if callable(rule) else rule
    return None


def test_every_url_pattern_is_in_the_table():
    missing = [r for r in ROUTES if rule_for(r) is None]
    assert not missing, f"URL patterns missing from tests/authz/matrix.py: {missing}"
    stale = sorted(set(matrix.RULES) - set(ROUTES))
    assert not stale, f"Table lines with no URL pattern (renamed or removed?): {stale}"


# --- Filling a route with real ids -------------------------------------------------------------

SHARED_FILLS = {
    "api_client": lambda w, t: w.shared["api_client"].pk,
    "import_kind": lambda w, t: "register",
    "officer_record": lambda w, t: t.officer.pk,
    "officer_user": lambda w, t: t.officer.user.pk,
}


def _object_id(world, team, name):
    if name in SHARED_FILLS:
        return SHARED_FILLS[name](world, team)
    if name in team.objects:
        return team.objects[name].pk
    return world.shared[name].pk


def _admin_model_pk(route):
    _, app_label, model_name = route.split("/")[:3]
    model = apps.get_model(app_label, model_name)
    pk = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
    return pk if pk is not None else 999999


def fill(route, rule, world, team):
    """The route with its arguments filled: the rule's object (of `team`), or for third-party
    patterns a real row of the model the route names."""

    def value(name):
        if name in ("pk", "account_pk", "user_id", "kind"):
            return _object_id(world, team, rule.obj)
        if name == "object_id" and route.startswith("admin/r/"):  # "view on site"
            return team.objects["account"].pk
        if name == "object_id":
            return _admin_model_pk(route)
        if name == "id":  # admin/auth/user/<id>/password/
            return team.officer.user.pk
        if name == "content_type_id":
            from django.contrib.contenttypes.models import ContentType

            return ContentType.objects.get_for_model(team.objects["account"]).pk
        return {"app_label": "people", "url": "no-such-page/", "provider_id": "entra"}[name]

    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(value(m[1])), route)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(value(m[1])), path)
    return "/" + path.replace("^", "").replace("$", "")


# --- Outcomes ----------------------------------------------------------------------------------


def outcome(response, *, anonymous):
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        location = response["Location"].split("?")[0]
        if location == reverse("admin_login"):
            # The admin sends whoever it refuses to its login page, which sends the anonymous
            # to sign in and refuses (403) anyone signed in: its own cell ("admin/login/")
            # proves both.
            return LOGIN if anonymous else FORBIDDEN
        if location in (reverse("login"), reverse("account_login")):
            return LOGIN
        return OK
    return {401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND, 405: NOT_ALLOWED}.get(status, OK)


WATCHED_MODELS = [
    "approvals.BusinessCase",
    "approvals.Decision",
    "approvals.SetupChecklist",
    "approvals.PolicyVersion",
    "approvals.PolicyAcknowledgement",
    "accounts.SocialAccount",
    "accounts.ActivityObservation",
    "accounts.ImportJob",
    "custody.Credential",
    "handovers.AccountTransition",
    "handovers.TransitionDecision",
    "incidents.Incident",
    "incidents.IncidentStep",
    "incidents.TimelineEntry",
    "incidents.Report",
    "reminders.Recertification",
    "notifications.Notification",
    "people.Officer",
    "people.Delegation",
    "people.Leave",
    "people.RoleGrantRequest",
    "auth.User",
    # API clients as the administrators set them (last_used_at is bookkeeping), and the keys of
    # the writes they made.
    ("api.ApiClient", "(t.id, t.name, t.scopes::text, t.expires_at, t.revoked_at)"),
    "api.IdempotentWrite",
    "pauses.Pause",
    "pauses.PausedAccount",
    "pauses.PauseNotice",
    # Which authenticators a person has (allauth keeps bookkeeping, such as when the recovery
    # codes were last viewed, in `data`: not a change anyone made).
    ("mfa.Authenticator", "(t.id, t.user_id, t.type)"),
]


def _digest_sql():
    parts = []
    for label in WATCHED_MODELS:
        label, columns = label if isinstance(label, tuple) else (label, "t")
        meta = apps.get_model(label)._meta
        # Table and column names come from the models' metadata, never from input.
        sql = "(SELECT md5(coalesce(string_agg({c}::text, '|' ORDER BY t.{pk}), '')) FROM {t} t)"
        parts.append(sql.format(c=columns, pk=meta.pk.column, t=meta.db_table))
    audit_table = AuditEvent._meta.db_table  # model tables only: no input in this SQL
    return f"SELECT (SELECT count(*) FROM {audit_table}), " + ", ".join(parts)  # noqa: S608  # nosec B608


def snapshot():
    """The audit trail's length and a digest of every row of the workflow models (one query on
    PostgreSQL; row by row elsewhere)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_digest_sql())
            count, *digests = cursor.fetchone()
        return count, tuple(digests)
    digest = hashlib.sha256()
    for label in WATCHED_MODELS:
        label = label[0] if isinstance(label, tuple) else label
        for row in apps.get_model(label)._default_manager.order_by("pk").values_list():
            row = [bytes(v) if isinstance(v, memoryview) else v for v in row]
            digest.update(repr(row).encode())
    return AuditEvent.objects.count(), digest.hexdigest()


def request(world, principal, method, url, data=None, as_json=False):
    """One request in a savepoint rolled back after: (outcome, body, new audit actions, whether
    any watched row changed)."""
    client = world.principals.client(principal)
    headers = {}
    if url.startswith(matrix.API_PREFIX) and principal in world.tokens:
        # The API takes no session: each principal calls it with a client they own.
        headers["Authorization"] = f"Bearer {world.tokens[principal]}"
        headers["Idempotency-Key"] = f"matrix-{principal}-{method}"
    with rolled_back():
        if method == "post":
            before_count, before_digest = snapshot()
            if as_json:
                response = client.post(
                    url, data or {}, headers=headers, content_type="application/json"
                )
            else:
                response = client.post(url, data or {}, headers=headers)
            _, after_digest = snapshot()
            actions = sorted(
                AuditEvent.objects.order_by("sequence")[before_count:].values_list(
                    "action", flat=True
                )
            )
            changed = after_digest != before_digest
        else:
            response = client.get(url, headers=headers)
            actions, changed = [], False
        result = outcome(response, anonymous=principal == "anonymous")
        body = b"" if response.streaming else response.content
    return result, body.decode(errors="replace"), actions, changed


def _cells():
    return list(_cell_params())


def _cell_params():
    for route in ROUTES:
        for principal in PRINCIPALS:
            yield pytest.param(route, principal, id=f"{route or '/'}|{principal}")


CHECKED = matrix.CHECKED
# AUTHZ_OBSERVE=1 prints what each cell does instead of checking it (to write a new line).
OBSERVE = os.environ.get("AUTHZ_OBSERVE") == "1"


@pytest.mark.parametrize(("route", "principal"), _cells())
def test_cell(world, route, principal):
    rule = rule_for(route)
    assert rule is not None, f"{route} is not in the table"
    url = fill(route, rule, world, world.a)
    problems = []
    for method in ("get", "post"):
        expected = getattr(rule, method)[principal]
        data = rule.data(world.a) if callable(rule.data) else rule.data
        got, body, actions, changed = request(world, principal, method, url, data, rule.json)
        CHECKED["cells"] += 1
        CHECKED["routes"] = len(ROUTES)
        where = f"{method.upper()} {url} as {principal}"
        if OBSERVE:
            print(f"OBSERVED {route} {principal} {method} {got} {actions}")
            continue
        if got != expected:
            problems.append(f"{where}: expected {expected}, got {got}")
            continue
        if expected in (UNAUTHORIZED, FORBIDDEN, NOT_FOUND, NOT_ALLOWED) and world.a.marker in body:
            problems.append(f"{where}: refused ({expected}) yet shows {world.a.marker}")
        foreign = getattr(world, FOREIGN_TEAM.get(principal, ""), None)
        if foreign is not None and not rule.force_wide and foreign.marker in body:
            problems.append(f"{where}: shows {foreign.marker} (another team's)")
        if method != "post":
            continue
        refused = (
            expected in (UNAUTHORIZED, FORBIDDEN, NOT_FOUND, NOT_ALLOWED)
            or principal == "anonymous"
        )
        if refused and (actions or changed):
            problems.append(f"{where}: refused ({got}) yet wrote {actions or 'rows'}")
        elif not refused and set(actions) != set(rule.writes):
            problems.append(f"{where}: allowed, wrote {actions}, expected {sorted(rule.writes)}")
        elif not refused and changed and not actions and not rule.unaudited:
            problems.append(f"{where}: changed rows without an audit event")
    assert not problems, "\n".join(problems)


# --- IDOR sweep --------------------------------------------------------------------------------

# Whose text a principal never sees on any page (lists included): the other team's.
FOREIGN_TEAM = {"officer": "b", "supervisor": "b", "acting": "b", "other_supervisor": "a"}

# Principals of team A and the objects they must never reach: team B's; and team B's supervisor
# (other_supervisor) against team A's.
IDOR_PRINCIPALS = {"officer": "b", "supervisor": "b", "acting": "b", "other_supervisor": "a"}


def _idor_cells():
    return list(_idor_params())


def _idor_params():
    for route in ROUTES:
        rule = rule_for(route)
        if rule is None or not rule.obj or not rule.idor:
            continue
        for principal, team in IDOR_PRINCIPALS.items():
            yield pytest.param(route, principal, team, id=f"{route}|{principal}->{team}")


@pytest.mark.parametrize(("route", "principal", "team_name"), _idor_cells())
def test_idor(world, route, principal, team_name):
    rule = rule_for(route)
    team = getattr(world, team_name)
    url = fill(route, rule, world, team)
    problems = []
    for method in ("get", "post"):
        data = rule.data(team) if callable(rule.data) else rule.data
        got, body, actions, changed = request(world, principal, method, url, data, rule.json)
        CHECKED["idor"] += 1
        where = f"{method.upper()} {url} ({team.marker}'s) as {principal}"
        if got not in (FORBIDDEN, NOT_FOUND, NOT_ALLOWED):
            problems.append(f"{where}: {got}, expected 403 or 404")
        if team.marker in body:
            problems.append(f"{where}: the response shows {team.marker}")
        if actions or changed:
            problems.append(f"{where}: wrote {actions or 'rows'}")
    assert not problems, "\n".join(problems)
