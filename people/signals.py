"""Sign-in events reported by Django and django-allauth, written to the audit trail
(people/sign_in_events.py). Their signals are the only hooks these libraries give for them;
connected in PeopleConfig.ready()."""

from allauth.account import signals as account_signals
from allauth.account.authentication import get_authentication_records
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals

from people.middleware import mark_session_seen
from people.sign_in_events import login_named, sign_in_event_record


def _acting(request, user):
    """The person acting: `user` when it is who is signed in on `request`."""
    current = getattr(request, "user", None)
    return user if current is not None and current.is_authenticated else None


def on_signed_in(sender, request, user, **kwargs):
    """allauth's user_logged_in: a real sign-in through its flow (password, single sign-on, and
    the code when one was asked for)."""
    mark_session_seen(request)  # allauth.usersessions has just recorded this session
    methods = [r.get("method") for r in get_authentication_records(request, user)]
    sign_in_event_record(
        action="sign_in.succeeded",
        user=user,
        actor=user,
        request=request,
        changes={"methods": list(dict.fromkeys(m for m in methods if m))},
    )


def on_password_refused(sender, credentials, request=None, **kwargs):
    """Django's user_login_failed: no backend accepted the name and password (Django has
    already blanked the password in `credentials`)."""
    name = credentials.get("username") or credentials.get("login") or ""
    user = login_named(name)
    changes = {} if user.pk else {"attempted_login": name[:40]}
    sign_in_event_record(action="sign_in.failed", user=user, request=request, changes=changes)


def on_code_refused(sender, request, user, authenticator, reauthentication=False, **kwargs):
    sign_in_event_record(
        action="second_factor.code_refused",
        user=user,
        actor=_acting(request, user),
        request=request,
        changes={"when": "re-authentication" if reauthentication else "sign-in"},
    )


def _authenticator_event(action: str):
    """A receiver recording `action` for a second factor added, renewed or removed."""

    def receiver(sender, request, user, authenticator, **kwargs):
        sign_in_event_record(
            action=action,
            user=user,
            actor=_acting(request, user),
            request=request,
            changes={"type": authenticator.type},
        )

    return receiver


on_authenticator_added = _authenticator_event("second_factor.added")
on_authenticator_reset = _authenticator_event("second_factor.renewed")
on_authenticator_removed = _authenticator_event("second_factor.removed")


def connect():
    uid = "people.sign_in_events."
    account_signals.user_logged_in.connect(on_signed_in, dispatch_uid=uid + "signed_in")
    auth_signals.user_login_failed.connect(on_password_refused, dispatch_uid=uid + "refused")
    mfa_signals.authentication_failed.connect(on_code_refused, dispatch_uid=uid + "code")
    mfa_signals.authenticator_added.connect(on_authenticator_added, dispatch_uid=uid + "added")
    mfa_signals.authenticator_reset.connect(on_authenticator_reset, dispatch_uid=uid + "reset")
    mfa_signals.authenticator_removed.connect(
        on_authenticator_removed, dispatch_uid=uid + "removed"
    )
