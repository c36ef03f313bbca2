from allauth.account.forms import LoginForm
from django import forms
from django.conf import settings

from people import throttle
from people.sign_in_events import login_named, sign_in_event_record

PASSWORDS_OFF_MESSAGE = (
    "Passwords are switched off for this portal. Sign in with {provider} instead."
)


def may_use_a_password(username: str) -> bool:
    """Local passwords are on, or this is one of the named break-glass administrators."""
    if settings.LOCAL_PASSWORDS_ENABLED:
        return True
    return username.strip().lower() in {u.lower() for u in settings.BREAK_GLASS_USERNAMES}


class ThrottledLoginForm(LoginForm):
    """allauth's sign-in form (fields `login` and `password`) with the portal's rules: a
    username is refused from an address after repeated wrong passwords from there, an address
    with many wrong passwords waits a few seconds between attempts (people/throttle.py), and when
    local passwords are switched off only the break-glass administrators may use one."""

    def clean(self):
        username = self.data.get("login", "")
        address = throttle.client_address(self.request)
        if not may_use_a_password(username):
            raise forms.ValidationError(
                PASSWORDS_OFF_MESSAGE.format(provider=settings.OIDC_PROVIDER_NAME),
                code="passwords_off",
            )
        if throttle.is_locked(username, address):
            raise forms.ValidationError(throttle.LOCKED_MESSAGE, code="locked")
        if seconds := throttle.wait_seconds(address):
            raise forms.ValidationError(
                throttle.SLOW_MESSAGE.format(seconds=seconds), code="slowed"
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            counted = throttle.record_failure(username, address)
            if counted.locked:
                self._audit("sign_in.locked_out", username, "A username from one address")
            if counted.slowing:
                self._audit("sign_in.address_slowed", username, "Many wrong passwords")
            raise
        if self.user is not None:
            if not may_use_a_password(self.user.get_username()):
                raise forms.ValidationError(
                    PASSWORDS_OFF_MESSAGE.format(provider=settings.OIDC_PROVIDER_NAME),
                    code="passwords_off",
                )
            throttle.clear(username, address)
        return cleaned

    def _audit(self, action: str, username: str, why: str) -> None:
        limit = (
            f"{settings.LOGIN_MAX_FAILURES} wrong passwords for this username from this address"
            if action == "sign_in.locked_out"
            else f"{settings.LOGIN_ADDRESS_SLOW_AFTER} wrong passwords from this address"
        )
        user = login_named(username)
        sign_in_event_record(
            action=action,
            user=user,
            request=self.request,
            changes={} if user.pk else {"attempted_login": username[:40]},
            reason=f"{why}: {limit} within {settings.LOGIN_LOCKOUT_SECONDS // 60} minutes.",
        )
