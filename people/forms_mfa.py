"""allauth's second-factor forms with the portal's throttle: after LOGIN_MAX_FAILURES wrong
codes for one person within LOGIN_LOCKOUT_SECONDS, codes are refused until the window has
passed. (allauth's own count of failed codes shares its `login_failed` rate limit, which the
portal switches off for passwords: people/throttle.py counts those.) Only someone who already
knows the password reaches a code form, so this lock cannot be turned against a person by a
stranger."""

from allauth.core import context
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from django import forms
from django.conf import settings

from people import throttle
from people.sign_in_events import sign_in_event_record

CODES_LOCKED_MESSAGE = (
    "Too many wrong codes. Wait 15 minutes and try again, or ask the service desk to reset "
    "your second factor."
)


class ThrottledCodeMixin:
    code_label = "Code from your authenticator app"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.label = self.code_label
        field.error_messages["required"] = "Enter the code from your authenticator app."
        field.widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        )

    def clean_code(self):
        name = f"mfa:{self.user.pk}"
        if throttle.is_locked(name, ""):
            raise forms.ValidationError(CODES_LOCKED_MESSAGE, code="locked")
        try:
            code = super().clean_code()
        except forms.ValidationError:
            if throttle.record_failure(name, "").locked:
                sign_in_event_record(
                    action="second_factor.locked_out",
                    user=self.user,
                    request=context.request,
                    reason=f"{settings.LOGIN_MAX_FAILURES} wrong codes within "
                    f"{settings.LOGIN_LOCKOUT_SECONDS // 60} minutes.",
                )
            raise
        throttle.clear(name, "")
        return code


class AuthenticateForm(ThrottledCodeMixin, mfa_forms.AuthenticateForm):
    """The code asked for at sign-in, after the password or single sign-on."""

    code_label = "Code from your authenticator app, or a recovery code"


class ReauthenticateForm(ThrottledCodeMixin, mfa_forms.ReauthenticateForm):
    """The code asked for again: a session that has not passed the second factor, or a
    credential reveal."""

    code_label = "Code from your authenticator app, or a recovery code"


class ActivateTOTPForm(ThrottledCodeMixin, totp_forms.ActivateTOTPForm):
    """Setting up the authenticator app: the first code it shows proves it is set up."""
