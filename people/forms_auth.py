from django import forms
from django.contrib.auth.forms import AuthenticationForm

from people import throttle


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing further attempts after repeated wrong passwords."""

    def clean(self):
        username = self.data.get("username", "")
        address = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        if throttle.is_locked(username, address):
            raise forms.ValidationError(throttle.LOCKED_MESSAGE, code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.record_failure(username, address)
            raise
        throttle.clear(username, address)
        return cleaned
