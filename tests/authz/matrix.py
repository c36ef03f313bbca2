"""The authorization matrix: every URL pattern of the portal, and who may use it.

One line per pattern: its route (as the URL configuration spells it) → a Rule built from a named
policy. A policy expands into an outcome for every principal (tests/authz/world.py: anonymous,
officer (the object's owner), supervisor (the owner's), other_supervisor (another team's), press,
auditor, admin, acting (acting for the owner's supervisor by a delegation in force)) and both
methods:

    OK     the view lets them in (a page, a form with its errors (400), or an action done and a
           redirect to somewhere other than the sign-in page)
    403    refused             404  hidden (the object is not theirs to know of)
    LOGIN  sent to sign in     405  method not allowed

Adding a URL is one line here (the test fails, naming the route, until it is). `obj=` names the
world's object whose id fills the route's integer arguments (the officer's team's; the IDOR sweep
fills them with the other team's); `writes=` the audit actions an allowed POST of `data` records.
Allauth's pages have a line each; the Django admin is declared by prefix (ADMIN_SITE, below).
To see what a new page does before writing its line: AUTHZ_OBSERVE=1 pytest -s -k 'its/route'
tests/authz prints each cell's outcome and audit actions instead of checking them."""

from collections.abc import Callable
from dataclasses import dataclass, field

OK, FORBIDDEN, NOT_FOUND, LOGIN, NOT_ALLOWED = "OK", "403", "404", "LOGIN", "405"
UNAUTHORIZED = "401"  # the API without a live token
# The JSON API takes no session: under this prefix each signed-in principal calls with a token of
# an API client they own holding every scope (tests/authz/world.py), so its lines say what each
# person's rules let their client do; anonymous calls with none (401).
API_PREFIX = "/api/v1/"

PRINCIPALS = (
    "anonymous",
    "officer",
    "supervisor",
    "other_supervisor",
    "press",
    "auditor",
    "admin",
    "acting",
)
# Cells checked in this session (printed at the end of the run by tests/authz/conftest.py).
CHECKED = {"routes": 0, "cells": 0, "idor": 0}
SIGNED_IN = frozenset(PRINCIPALS) - {"anonymous"}
SEES_EVERYTHING = frozenset({"press", "auditor", "admin"})
# Who sees the officer's team's objects: the owner, the supervisor and the acting supervisor, and
# everyone who sees everything. Another team's supervisor does not (404).
TEAM = frozenset({"officer", "supervisor", "acting"}) | SEES_EVERYTHING
# Who holds the Officer role (writes a case, reports a hack, records leave): not the auditor, not
# the administrator (whose login has only the Administrator role, as in the demo).
WRITERS = frozenset({"officer", "supervisor", "other_supervisor", "press", "acting"})
SUPERVISORS = frozenset({"supervisor", "other_supervisor", "acting"})  # has a team today
# Who works on an open incident of the officer's account: the owner, their (acting) supervisor
# and the press office.
INCIDENT_WORKERS = frozenset({"officer", "supervisor", "acting", "press"})


def outcomes(allowed, *, visible=SIGNED_IN, anon=LOGIN) -> dict:
    """`allowed` → OK; signed in and `visible` (may know the object) → 403; the rest → 404."""
    result = {"anonymous": anon}
    for p in SIGNED_IN:
        result[p] = OK if p in allowed else FORBIDDEN if p in visible else NOT_FOUND
    return result


def every(outcome) -> dict:
    return dict.fromkeys(PRINCIPALS, outcome)


@dataclass(frozen=True)
class Rule:
    get: dict
    post: dict
    obj: str | None = None  # the world object whose id fills the route
    writes: frozenset = frozenset()  # audit actions an allowed POST (with `data`) records
    data: dict | Callable = field(default_factory=dict)  # POSTed; a callable gets the team
    idor: bool = True  # an object of the officer's team (swept with the other team's)
    unaudited: bool = False  # an allowed POST may change rows without an audit event
    force_wide: bool = False  # shows every team's accounts to anyone (the public check)
    json: bool = False  # `data` is POSTed as a JSON body (the API)


def page(allowed, *, anon=LOGIN, visible=SIGNED_IN, **kw) -> Rule:
    """GET and POST alike (the view shows a page, and takes its form)."""
    o = outcomes(allowed, visible=visible, anon=anon)
    return Rule(get=o, post=o, **kw)


def action(allowed, *, anon_get=LOGIN, anon=LOGIN, visible=SIGNED_IN, **kw) -> Rule:
    """POST only: a GET is 405 (for anonymous, LOGIN or 405 by decorator order)."""
    get = every(NOT_ALLOWED) | {"anonymous": anon_get}
    return Rule(get=get, post=outcomes(allowed, visible=visible, anon=anon), **kw)


def read_only(allowed, *, anon=LOGIN, visible=SIGNED_IN, **kw) -> Rule:
    """GET only: a POST is 405."""
    return Rule(get=outcomes(allowed, visible=visible, anon=anon), post=every(NOT_ALLOWED), **kw)


def team_page(allowed, obj, **kw) -> Rule:
    """A page about one of the officer's team's objects: hidden (404) from another team."""
    return page(allowed, visible=TEAM, obj=obj, **kw)


def team_action(allowed, obj, **kw) -> Rule:
    return action(allowed, visible=TEAM, obj=obj, **kw)


def _check_in(team) -> dict:
    from django.utils import timezone

    today = timezone.localdate()
    return {
        "last_post_on_0": today.day,
        "last_post_on_1": today.month,
        "last_post_on_2": today.year,
        "followers": "1250",
    }


def _chat_choice(team) -> dict:
    from notifications.models import ChatChannel

    channel = ChatChannel.objects.get(name="Force alerts channel")
    return {"for_whom": "me", "channel": channel.pk, "kinds": ["case.submitted"]}


def api_read(allowed, *, visible=SIGNED_IN, **kw) -> Rule:
    """An API read: GET by token (anonymous: 401); a POST is 405 to anyone (no such method)."""
    return Rule(
        get=outcomes(allowed, visible=visible, anon=UNAUTHORIZED), post=every(NOT_ALLOWED), **kw
    )


def api_write(allowed, *, data, writes, get=NOT_ALLOWED, **kw) -> Rule:
    """An API write: a JSON POST by token (anonymous: 401)."""
    return Rule(
        get=every(get) if get == NOT_ALLOWED else outcomes(SIGNED_IN, anon=UNAUTHORIZED),
        post=outcomes(allowed, anon=UNAUTHORIZED),
        data=data,
        writes=frozenset(writes),
        json=True,
        **kw,
    )


def _activity(team) -> dict:
    from django.utils import timezone

    account = team.objects["account"]
    moment = timezone.now().replace(microsecond=0).isoformat()
    return {
        "observations": [
            {
                "platform": account.platform,
                "handle": account.handle,
                "last_post_at": moment,
                "followers": 10,
            }
        ]
    }


def _mover(team) -> dict:
    from django.utils import timezone

    return {
        "changes": [
            {
                "staff_number": team.successor.staff_number,
                "status": "moved",
                "date": timezone.localdate().isoformat(),
            }
        ]
    }


def _hack(team) -> dict:
    from django.utils import timezone

    account = team.objects["account"]
    return {
        "platform": account.platform,
        "handle": account.handle,
        "what_happened": "Odd posts",
        "noticed_at": timezone.now().isoformat(),
        "link_clicked": "no",
    }


def _suspend(team) -> dict:
    import datetime

    from django.utils import timezone

    review = timezone.localdate() + datetime.timedelta(days=7)
    return {
        "reason": "Posted about a live case",
        "review_on_0": review.day,
        "review_on_1": review.month,
        "review_on_2": review.year,
    }


# Named policies.
PUBLIC = page(SIGNED_IN | {"anonymous"}, anon=OK)
PUBLIC_READ = read_only(SIGNED_IN | {"anonymous"}, anon=OK)
SIGNED_IN_PAGE = page(SIGNED_IN)
ADMIN_ONLY = page({"admin"})
PRESS_ONLY = page({"press"})
SEES_EVERYTHING_ONLY = page(SEES_EVERYTHING)
REPORTS = page(SEES_EVERYTHING | SUPERVISORS)
OFFICER_ROLE = page(WRITERS)
OFFICER_OR_SEES_EVERYTHING = page(WRITERS | SEES_EVERYTHING)

# The URL configuration, route by route.
RULES: dict[str, Rule] = {
    # The portal's own pages.
    "": SIGNED_IN_PAGE,
    "me/": SIGNED_IN_PAGE,
    "login/": PUBLIC,
    # Signing out: a page asking to confirm, then the sign-in page (and a "signed out" event).
    "logout/": Rule(get=outcomes(SIGNED_IN), post=every(LOGIN), writes=frozenset({"sign_out"})),
    "admin/login/": page(set(), anon=LOGIN),  # signed in and refused by the admin: 403, no loop
    "health/": PUBLIC_READ,
    "health/web/": PUBLIC_READ,
    # People: roles, sessions, parked mail.
    "people/roles/": ADMIN_ONLY,
    "people/roles/requests/": ADMIN_ONLY,
    "people/roles/requests/<int:pk>/decide/": action(
        {"admin"}, anon_get=NOT_ALLOWED, obj="role_request", idor=False
    ),
    "people/roles/<int:pk>/": page({"admin"}, obj="officer_record", idor=False),
    "people/sessions/": SIGNED_IN_PAGE,
    "people/<int:user_id>/sign-in/": page({"admin"}, obj="officer_user", idor=False),
    "people/training/": ADMIN_ONLY,
    "people/failed-mail/": ADMIN_ONLY,
    "people/failed-mail/<int:pk>/retry/": action(
        {"admin"}, obj="failed_mail", idor=False, writes=frozenset({"notification.retried"})
    ),
    # Chat (Teams) channels: administrators add them; supervisors and the press office choose.
    "people/chat/": page(
        {"supervisor", "other_supervisor", "press"},
        data=_chat_choice,
        writes=frozenset({"chat_channel.choices_changed"}),
    ),
    "people/chat/channels/": page(
        {"admin"},
        data={"name": "Force new channel", "url": "https://alpha.webhook.office.com/x/y"},
        writes=frozenset({"chat_channel.added"}),
    ),
    "people/chat/channels/<int:pk>/": page(
        {"admin"},
        obj="chat_channel",
        idor=False,
        data={"switch": "off"},
        writes=frozenset({"chat_channel.switched_off"}),
    ),
    # Notifications: one's own only, whoever one is.
    "notifications/": SIGNED_IN_PAGE,
    "notifications/<int:pk>/read/": action(
        {"officer"}, visible=set(), obj="notification", unaudited=True
    ),  # a read mark is the person's own inbox state: not audited
    # Reminders.
    "reminders/recertifications/": SIGNED_IN_PAGE,
    # The owner confirms first: the supervisor, seeing it, is refused until then.
    "reminders/recertifications/<int:pk>/": team_page({"officer"}, "recertification"),
    "reminders/leave/": page(WRITERS),
    # The audit trail.
    "audit/": SEES_EVERYTHING_ONLY,
    # Data protection: administrators only (not even the officer for their own data).
    "privacy/retention/": read_only({"admin"}),
    "privacy/subject-access/": page(
        {"admin"},
        data=lambda team: {"staff_number": team.officer.staff_number},
        writes=frozenset({"subject_access.exported"}),
    ),
    # Business cases.
    "cases/": SIGNED_IN_PAGE,
    "cases/new/": OFFICER_ROLE,
    "cases/supervisor/": page(SUPERVISORS),
    "cases/press-office/": PRESS_ONLY,
    "cases/<int:pk>/": team_page(TEAM, "case_submitted"),
    "cases/<int:pk>/edit/": team_page({"officer"}, "case_draft"),
    "cases/<int:pk>/submit/": team_page({"officer"}, "case_draft"),
    "cases/<int:pk>/withdraw/": team_action(
        {"officer"}, "case_submitted", writes=frozenset({"business_case.withdrawn"})
    ),
    "cases/<int:pk>/decide/": team_action(
        {"supervisor", "acting"},
        "case_submitted",
        data=lambda team: {
            "outcome": "approved",
            "comment": "A clear policing purpose.",
            "version": team.objects["case_submitted"].version,
        },
        writes=frozenset({"business_case.supervisor_approved"}),
    ),
    "cases/<int:pk>/setup/": team_action({"officer"}, "case_setup"),
    "cases/<int:pk>/setup/confirm/": team_action({"press"}, "case_confirm", writes=frozenset()),
    "cases/policy/": Rule(
        get=outcomes(SIGNED_IN), post=outcomes(WRITERS)
    ),  # everyone reads it; an officer accepts it
    "cases/policy/publish/": page({"admin"}),
    "cases/policy/outstanding/": SEES_EVERYTHING_ONLY,
    "cases/delegations/": page({"supervisor", "other_supervisor"}),
    "cases/delegations/<int:pk>/revoke/": action(
        {"supervisor"}, visible=set(), obj="delegation", writes=frozenset({"delegation.revoked"})
    ),
    # The register.
    "register/": OFFICER_OR_SEES_EVERYTHING,
    "register/export.csv": OFFICER_OR_SEES_EVERYTHING,
    "register/new/": PRESS_ONLY,
    "register/<int:pk>/": team_page(TEAM, "account"),
    "register/<int:pk>/check-in/": team_action(
        {"officer", "press"},
        "account",
        data=_check_in,
        writes=frozenset({"socialaccount.checked_in"}),
    ),
    "register/imports/": PRESS_ONLY,
    "register/imports/<int:pk>/": page(
        SEES_EVERYTHING, visible=set(), obj="import_job", idor=False
    ),
    "register/import/<slug:kind>/": page({"press"}, obj="import_kind", idor=False),
    # Credential custody.
    "credentials/": PRESS_ONLY,
    "credentials/confirm-password/": PRESS_ONLY,
    "credentials/<int:pk>/lodge/": team_page({"officer", "press"}, "account"),
    "credentials/<int:pk>/change/": team_page({"press"}, "account"),
    "credentials/<int:pk>/reveal/": team_page({"press"}, "account"),
    # The public check.
    "verify/": read_only(SIGNED_IN | {"anonymous"}, anon=OK, force_wide=True),
    "verify/accounts.json": read_only(SIGNED_IN | {"anonymous"}, anon=OK, force_wide=True),
    "verify/accounts/": read_only(SIGNED_IN | {"anonymous"}, anon=OK, force_wide=True),
    # Suspensions and critical-incident pauses: the press office suspends, pauses and lifts;
    # those who see everything read them; the people told acknowledge their own.
    "pauses/": read_only(SEES_EVERYTHING),
    "pauses/new/": page(
        {"press"},
        data=lambda team: {"scope": "unit", "unit": team.unit.pk, "reason": "Critical incident"},
        writes=frozenset({"pause.started", "socialaccount.paused"}),
    ),
    "pauses/mine/": read_only(SIGNED_IN),
    "pauses/<int:pk>/": read_only(SEES_EVERYTHING, visible=SEES_EVERYTHING, obj="pause"),
    "pauses/<int:pk>/lift/": action(
        {"press"},
        visible=SEES_EVERYTHING,
        obj="pause",
        data={"reason": "Reviewed"},
        writes=frozenset({"pause.lifted", "socialaccount.suspension_lifted"}),
    ),
    "pauses/<int:pk>/acknowledge/": action(
        {"officer"}, obj="pause", writes=frozenset({"pause.acknowledged"})
    ),
    "pauses/account/<int:account_pk>/suspend/": team_page(
        {"press"},
        "account",
        data=_suspend,
        writes=frozenset({"pause.started", "socialaccount.suspended"}),
    ),
    # Incidents.
    "incidents/": OFFICER_OR_SEES_EVERYTHING,
    "incidents/report/": OFFICER_ROLE,
    "incidents/report/account/<int:account_pk>/": Rule(
        **{
            m: outcomes({"officer", "supervisor", "acting", "press"}, visible=TEAM)
            | {"auditor": FORBIDDEN, "admin": FORBIDDEN, "other_supervisor": NOT_FOUND}
            for m in ("get", "post")
        },
        obj="account",
    ),
    "incidents/my-reports/": SIGNED_IN_PAGE,
    "incidents/<int:pk>/": team_page(TEAM, "incident"),
    "incidents/<int:pk>/step/": team_action(INCIDENT_WORKERS, "incident"),
    "incidents/<int:pk>/note/": team_action(
        INCIDENT_WORKERS,
        "incident",
        data={"text": "Checked the connected applications."},
        writes=frozenset({"incident.note_added"}),
    ),
    "incidents/<int:pk>/lessons/": team_action({"press"}, "incident"),
    "incidents/<int:pk>/contain/": team_action({"press"}, "incident"),
    "incidents/<int:pk>/resolve/": team_action({"press"}, "incident"),
    # Handovers, repurposings and closures.
    "handovers/": SIGNED_IN_PAGE,
    "handovers/account/<int:account_pk>/start/": team_page(
        {"officer", "supervisor", "acting", "press"}, "account"
    ),
    "handovers/<int:pk>/": team_page(TEAM, "handover_successor"),
    # Only the named successor answers (not one of the principals): everyone here is refused.
    "handovers/<int:pk>/respond/": team_action(set(), "handover_successor"),
    "handovers/<int:pk>/decide/": team_action(
        {"supervisor", "acting"},
        "handover_supervisor",
        data=lambda team: {
            "outcome": "approved",
            "comment": "",
            "version": team.objects["handover_supervisor"].version,
        },
        writes=frozenset({"handover.supervisor_approved"}),
    ),
    "handovers/<int:pk>/complete/": team_action({"press"}, "handover_press"),
    "handovers/<int:pk>/withdraw/": team_action(
        {"officer"},
        "handover_successor",
        writes=frozenset(
            {
                "credential.new_lodging_withdrawn",
                "handover.withdrawn",
                "socialaccount.handover_ended",
            }
        ),
    ),
    "handovers/leavers/": page({"admin"}),
    # The consolidation proposals: the whole force, or a supervisor's team.
    "handovers/consolidations/": REPORTS,
    # Editors of shared accounts: the owner asks; the owner's (acting) supervisor or the press
    # office decides; only the named editor (not a principal) accepts; owner or press removes.
    "handovers/account/<int:account_pk>/editors/new/": team_page({"officer"}, "shared_account"),
    "handovers/editors/<int:pk>/": team_page(TEAM, "editor_requested"),
    "handovers/editors/<int:pk>/decide/": team_action(
        {"supervisor", "acting", "press"},
        "editor_requested",
        data={"approve": "yes", "comment": ""},
        writes=frozenset({"editor.approved"}),
    ),
    "handovers/editors/<int:pk>/accept/": team_action(set(), "editor_requested"),
    "handovers/editors/<int:pk>/remove/": team_action(
        {"officer", "press"},
        "editor_requested",
        data={"reason": "No longer needed"},
        writes=frozenset({"editor.removed"}),
    ),
    # Reports: the whole force for those who see everything, the team for a supervisor.
    "reports/": REPORTS,
    "reports/dormancy/": REPORTS,
    "reports/orphans/": REPORTS,
    "reports/waiting/": REPORTS,
    "reports/credentials/": REPORTS,
    "reports/recertifications/": REPORTS,
    "reports/incidents/": REPORTS,
    "reports/profiles/": REPORTS,
    "reports/followers/": REPORTS,
    "reports/accounts-over-time/": REPORTS,
    # API clients, for administrators.
    "api/clients/": ADMIN_ONLY,
    "api/clients/new/": ADMIN_ONLY,
    "api/clients/<int:pk>/revoke/": action(
        {"admin"},
        obj="api_client",
        idor=False,
        data={"reason": "ALPHAMARK contract ended"},
        writes=frozenset({"api_client.revoked"}),
    ),
    # The JSON API: its document and docs for anyone signed in, every operation by token.
    "api/v1/": Rule(get=every(NOT_FOUND), post=every(NOT_FOUND)),  # django-ninja's root: none
    "api/v1/openapi.json": SIGNED_IN_PAGE,
    "api/v1/docs": SIGNED_IN_PAGE,
    "api/v1/accounts": api_read(SIGNED_IN),
    "api/v1/accounts/<int:pk>": api_read(TEAM, visible=TEAM, obj="account"),
    "api/v1/cases": api_read(SIGNED_IN),
    "api/v1/cases/<int:pk>": api_read(TEAM, visible=TEAM, obj="case_submitted"),
    "api/v1/activity": api_write(
        {"press"}, data=_activity, writes={"socialaccount.activity_reported", "api_client.wrote"}
    ),
    # The successor moves: they also stop being the (requested) editor of the team's account.
    "api/v1/people/changes": api_write(
        {"admin"},
        data=_mover,
        writes={"officer.marked_moved", "editor.removed", "api_client.wrote"},
    ),
    "api/v1/incidents": api_write(
        WRITERS,
        data=_hack,
        writes={
            "incident.reported",
            "socialaccount.compromised",
            "credential.new_lodging_required",
            "api_client.wrote",
        },
        get=OK,
    ),
    "api/v1/incidents/<int:pk>": api_read(TEAM, visible=TEAM, obj="incident"),
    "api/v1/reports/figures": api_read(SEES_EVERYTHING | SUPERVISORS),
    "api/v1/audit/stream": api_read(SEES_EVERYTHING),
}

# Sign-in pages: the portal's wrappers and the parts of allauth it mounts (accounts/...). The
# second-factor pages concern one's own authenticator only: someone without one finds nothing
# (404) where allauth looks it up.
OWN_AUTHENTICATOR = {"press", "admin"}  # the roles that have set one up (tests/mfa.py)
RULES |= {
    "accounts/login/": Rule(get=every(LOGIN), post=every(LOGIN)),  # a redirect to /login/
    "accounts/logout/": PUBLIC,  # a redirect to /logout/
    "accounts/inactive/": PUBLIC_READ,
    "accounts/reauthenticate/": SIGNED_IN_PAGE,
    "accounts/2fa/": Rule(get=outcomes(SIGNED_IN), post=every(NOT_ALLOWED) | {"anonymous": LOGIN}),
    "accounts/2fa/authenticate/": SIGNED_IN_PAGE,
    "accounts/2fa/reauthenticate/": SIGNED_IN_PAGE,
    "accounts/2fa/totp/activate/": SIGNED_IN_PAGE,
    "accounts/2fa/totp/deactivate/": page(OWN_AUTHENTICATOR, visible=set()),
    "accounts/2fa/recovery-codes/": Rule(
        get=outcomes(OWN_AUTHENTICATOR, visible=set()),
        post=every(NOT_ALLOWED) | {"anonymous": LOGIN},
    ),
    # New recovery codes: allauth records the renewal on commit (people/signals.py,
    # second_factor.renewed, tested in tests/people/test_sign_in_events.py), which a cell
    # rolled back never reaches.
    "accounts/2fa/recovery-codes/generate/": page(SIGNED_IN, unaudited=True),
    "accounts/2fa/recovery-codes/download/": Rule(
        get=outcomes(OWN_AUTHENTICATOR, visible=set()),
        post=outcomes(set(), visible=set()) | dict.fromkeys(OWN_AUTHENTICATOR, NOT_ALLOWED),
    ),
    "accounts/signup/": PUBLIC,  # says sign-up is closed
    "accounts/3rdparty/login/cancelled/": PUBLIC_READ,
    # allauth's "single sign-on failed" page, shown to anyone, with the status 401.
    "accounts/3rdparty/login/error/": Rule(get=every(UNAUTHORIZED), post=every(NOT_ALLOWED)),
    # Only in the middle of a single sign-on: otherwise back to the sign-in page.
    "accounts/3rdparty/signup/": Rule(get=every(LOGIN), post=every(LOGIN)),
    # Single sign-on is off in the tests' settings: no provider, 404 (tests/people/test_sso.py
    # covers it switched on, where both are open to everyone: they are how one signs in).
    "accounts/oidc/^(?P<provider_id>[^/]+)/login/": Rule(
        get=every(NOT_FOUND), post=every(NOT_FOUND)
    ),
    "accounts/oidc/^(?P<provider_id>[^/]+)/login/callback/": Rule(
        get=every(NOT_FOUND), post=every(NOT_FOUND)
    ),
}

# Django admin, declared by prefix: every pattern under admin/ is checked (never skipped) against
# ADMIN_SITE(route). Anonymous → sign in; anyone signed in but a staff administrator → 403 (the
# admin sends them to its login page, which refuses them); the administrator → the admin's own
# model permissions: models on ReadOnlyAdmin (workflow records, the audit trail, custody) are
# view-only (add, delete and a change POST are 403); accounts change only through the press
# office's pages (rules: accounts.change_socialaccount); the rest is editable, audited.
ADMIN_VIEW_ONLY = {
    "accounts/accounteditor",
    "accounts/activityobservation",
    "accounts/importjob",
    "approvals/businesscase",
    "approvals/decision",
    "approvals/policyacknowledgement",
    "approvals/policyversion",
    "audit/auditevent",
    "auth/group",
    "custody/credential",
    "handovers/accounttransition",
    "handovers/credentialdestruction",
    "handovers/transitiondecision",
    "incidents/incident",
    "mfa/authenticator",
    "notifications/notification",
    "people/rolegrantdecision",
    "people/rolegrantrequest",
}
ADMIN_NO_CHANGE = {"accounts/socialaccount"}


def _admin(get=OK, post=OK) -> Rule:
    refused = every(FORBIDDEN) | {"anonymous": LOGIN}
    return Rule(get=refused | {"admin": get}, post=refused | {"admin": post}, idor=False)


ADMIN_SPECIAL = {
    "admin/": _admin(),
    # Anyone may sign out; the admin sends others to its index (a redirect), and wants a POST.
    "admin/logout/": Rule(
        get=every(OK) | {"admin": NOT_ALLOWED}, post=every(OK) | {"admin": LOGIN}
    ),
    "admin/password_change/": _admin(),
    "admin/password_change/done/": _admin(post=NOT_ALLOWED),
    "admin/autocomplete/": _admin(get=FORBIDDEN, post=NOT_ALLOWED),  # no field named: refused
    "admin/jsi18n/": _admin(post=NOT_ALLOWED),
    # "View on site": accounts have no public page of their own.
    "admin/r/<path:content_type_id>/<path:object_id>/": _admin(get=NOT_FOUND, post=NOT_FOUND),
    "admin/(?P<url>.*)$": _admin(get=NOT_FOUND, post=NOT_FOUND),  # the admin's catch-all
}


def ADMIN_SITE(route: str) -> Rule:
    if route in ADMIN_SPECIAL:
        return ADMIN_SPECIAL[route]
    model = "/".join(route.split("/")[1:3])
    if model in ADMIN_VIEW_ONLY and route.endswith(("/add/", "/delete/")):
        return _admin(get=FORBIDDEN, post=FORBIDDEN)
    if (model in ADMIN_VIEW_ONLY | ADMIN_NO_CHANGE) and route.endswith("/change/"):
        return _admin(post=FORBIDDEN)
    return _admin()


PREFIX_RULES: dict = {"admin/": ADMIN_SITE}
