from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from people import throttle
from people.forms_mfa import ReauthenticateForm
from people.mfa import has_second_factor


class NoEchoTextInput(forms.TextInput):
    """A text box that never writes a submitted value back into the page."""

    def format_value(self, value):
        return None


class NoEchoTextarea(forms.Textarea):
    def format_value(self, value):
        return None


class CredentialForm(forms.Form):
    """Login details for one account. Nothing typed here is ever rendered back: if the form has
    an error, the person types the details again."""

    login = forms.CharField(
        label="Login (username or e-mail address)",
        max_length=200,
        widget=NoEchoTextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text="What you type to sign in to the platform.",
        error_messages={"required": "Enter the login you use to sign in."},
    )
    password = forms.CharField(
        label="Password",
        max_length=500,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Strong and unique, as the guidance asks: not your name, collar number or team.",
        error_messages={"required": "Enter the account's password."},
    )
    notes = forms.CharField(
        label="Recovery details (optional)",
        required=False,
        max_length=2000,
        widget=NoEchoTextarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text="For example the recovery e-mail or where the two-factor codes go. "
        "Kept encrypted with the password.",
    )
    submit_label = "Lodge login details"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(*self.layout_fields(), Submit("save", self.submit_label))

    def layout_fields(self):
        return [
            Field.text("login", field_width=20),
            Field.text("password", field_width=20),
            Field.textarea("notes"),
        ]


class RotateForm(CredentialForm):
    reason = forms.CharField(
        label="Reason for the change",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: password changed after the handover to PC Jones.",
        error_messages={"required": "Enter the reason for changing the login details."},
    )
    submit_label = "Save the new login details"

    def layout_fields(self):
        return [*super().layout_fields(), Field.textarea("reason")]


class ReauthForm(forms.Form):
    """The password again and, for someone with a second factor, a code from their authenticator
    app (or a recovery code), before login details are shown. The code is checked by allauth's
    own re-authentication form, so a used code is refused and the check is recorded in the
    session as allauth records it."""

    password = forms.CharField(
        label="Your portal password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Confirms it is you before login details are shown. It stays confirmed for "
        "five minutes.",
        error_messages={"required": "Enter your password."},
    )
    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
        help_text="The 6-digit code your app shows now, or one of your recovery codes.",
        error_messages={"required": "Enter the code from your authenticator app."},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.asks_for_code = has_second_factor(user)
        fields = [Field.text("password", field_width=20)]
        if self.asks_for_code:
            fields.append(Field.text("code", field_width=10))
        else:
            del self.fields["code"]
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(*fields, Submit("confirm", "Confirm"))

    def clean_password(self):
        password = self.cleaned_data["password"]
        name = f"reauth:{self.user.pk}"
        if throttle.is_locked(name, ""):
            raise forms.ValidationError(throttle.LOCKED_MESSAGE)
        if not self.user.check_password(password):
            throttle.record_failure(name, "")
            raise forms.ValidationError("The password is not right. Enter your portal password.")
        throttle.clear(name, "")
        return password

    def clean(self):
        cleaned = super().clean()
        if self.asks_for_code and "password" in cleaned and "code" in cleaned:
            second = ReauthenticateForm(user=self.user, data={"code": cleaned["code"]})
            if not second.is_valid():
                for error in second.errors.get("code", []):
                    self.add_error("code", error)
            else:
                self.second_factor = second
        return cleaned

    def confirm(self):
        """Record the second factor's use (allauth's signal and session record)."""
        if self.asks_for_code:
            self.second_factor.save()


class RevealForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need the login details?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded in the audit trail with your name, for example: post a missing "
        "person appeal while the owner is on leave.",
        error_messages={"required": "Enter the reason you need the login details."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(
            Field.textarea("reason"),
            Submit("reveal", "Reveal login details", css_class="govuk-button--warning"),
        )
