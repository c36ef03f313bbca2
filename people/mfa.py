"""The second factor at sign-in (django-allauth's `allauth.mfa`: an authenticator app's TOTP
codes, with recovery codes for a lost phone).

Who must use one is a predicate (`needs_second_factor`: press office, administrators and anyone
who reaches the Django admin); others may add one from their sign-in security page. Whether this
session has passed it is read from allauth's record of how the session authenticated, the same
record allauth writes when a code is typed at sign-in. The code check that credential custody's
re-authentication asks for is allauth's own form (throttled like a password: people/forms_mfa.py).
"""

import time

from allauth.account import app_settings as account_settings
from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled

from people.predicates import needs_second_factor

SECOND_FACTOR_TYPES = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
# Where a person sent to set up a second factor was going, so the last enrolment page can take
# them on there.
ENROL_NEXT_SESSION_KEY = "people_mfa_enrol_next"


def requires_second_factor(user) -> bool:
    return bool(needs_second_factor.test(user))


def has_second_factor(user) -> bool:
    """An authenticator that can answer at sign-in (recovery codes alone cannot)."""
    return is_mfa_enabled(user, SECOND_FACTOR_TYPES)


def passed_second_factor(request) -> bool:
    """This session's sign-in (or a later re-authentication) included a second factor."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def signed_in_recently(request) -> bool:
    """The session's latest sign-in step (password, single sign-on or code) is younger than
    ACCOUNT_REAUTHENTICATION_TIMEOUT."""
    if request is None or not request.user.is_authenticated:
        return False
    moments = [r.get("at", 0) for r in get_authentication_records(request, request.user)]
    return bool(moments) and time.time() - max(moments) < account_settings.REAUTHENTICATION_TIMEOUT


def record_enrolment(request, user, authenticator) -> None:
    """Typing a valid code to switch an authenticator on proves the second factor, as typing
    one at sign-in would: note it in the session the way allauth notes a sign-in code."""
    record_authentication(
        request, user, "mfa", id=authenticator.pk, type=authenticator.type, enrolled=True
    )


def totp_enrol(*, user, secret: str) -> Authenticator:
    """Switch on an authenticator app with a key chosen beforehand, and make recovery codes: the
    demo's press officer and administrator (seed_demo) and the tests. People set up their own
    through allauth's pages, with a key the portal draws."""
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    totp = existing or TOTP.activate(user, secret).instance
    RecoveryCodes.activate(user)
    return totp


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": (
            "Your role needs a second factor, so you cannot switch it off. To move to a new "
            "phone, ask an administrator to reset it; you set it up again when you next sign in."
        ),
        "incorrect_code": "The code is not right. Enter the 6-digit code your authenticator "
        "app shows now, or one of your recovery codes.",
    }

    def can_delete_authenticator(self, authenticator) -> bool:
        return not requires_second_factor(authenticator.user)
