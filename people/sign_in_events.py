"""Sign-in events in the audit trail: signing in and out, wrong passwords and codes, locks and
slow-downs, second factors added, renewed, removed and reset. Each is about the login it
concerns (the `auth.user` row). A wrong password for a name that is no login at all is about a
login that does not exist: the unsaved user row with id 0 (no real row has it), described by the
name that was typed, cut to 40 characters, so a guesser's list of names shows in the trail
without any of it being stored as a login. Passwords and codes are never recorded."""

from django.contrib.auth import get_user_model

from audit.services import audit_record

ATTEMPTED_NAME_LENGTH = 40
NO_SUCH_LOGIN_ID = 0


def _where(request) -> dict:
    if request is None:
        return {}
    from people.throttle import client_address

    return {
        "address": client_address(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:200],
    }


def login_named(name: str):
    """The login a typed name belongs to, or a stand-in for a name that is no login."""
    User = get_user_model()
    name = (name or "").strip()
    user = User.objects.filter(**{f"{User.USERNAME_FIELD}__iexact": name}).first()
    if user is not None:
        return user
    return User(
        pk=NO_SUCH_LOGIN_ID,
        **{User.USERNAME_FIELD: f"{name[:ATTEMPTED_NAME_LENGTH]} (no such login)"},
    )


def sign_in_event_record(
    *, action: str, user, request=None, actor=None, changes: dict | None = None, reason=""
):
    """One sign-in event about `user`'s login. `actor` is who acted when it is known (the person
    signing in or out, an administrator); an attempt by someone not yet signed in has none."""
    return audit_record(
        actor=actor,
        action=action,
        obj=user,
        changes={**_where(request), **(changes or {})},
        reason=reason,
    )
