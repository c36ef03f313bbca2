"""Forms of the pauses app: what the press office types. Kind, scope, accounts and people are
never bound from a request."""

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.utils import timezone

from people.models import Unit

REASON_HINT = (
    "Internal: the owner and everyone who posts to the account see it; the public never does."
)


def _helper(*fields, submit: str) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # the page supplies the <form> and its CSRF token
    helper.disable_csrf = True
    helper.label_size = Size.SMALL
    helper.layout = Layout(*fields, Submit("submit", submit))
    return helper


class SuspendForm(forms.Form):
    reason = forms.CharField(
        label="Why is the account suspended?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=REASON_HINT,
        error_messages={"required": "Give the reason for the suspension"},
    )
    review_on = DateInputField(
        label="Review date",
        help_text="The press office is reminded on this day to lift the suspension or keep it. "
        "For example, 27 3 2027.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.textarea("reason"), Field("review_on"), submit="Suspend the account"
        )

    def clean_review_on(self):
        day = self.cleaned_data["review_on"]
        if day <= timezone.localdate():
            raise forms.ValidationError("The review date must be in the future")
        return day


class PauseForm(forms.Form):
    FORCE = "force"
    UNIT = "unit"
    scope = forms.ChoiceField(
        label="Which accounts?",
        choices=[
            (UNIT, "Every account of a unit, and of the units and teams below it"),
            (FORCE, "Every account of the whole force"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a unit or the whole force"},
    )
    unit = forms.ModelChoiceField(
        label="Unit",
        queryset=Unit.objects.order_by("name"),
        required=False,
        help_text="Its teams' accounts are paused too.",
    )
    reason = forms.CharField(
        label="The critical incident",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Everyone who posts to the accounts is told this at once. The public sees only "
        "that the account is paused.",
        error_messages={"required": "Say what the critical incident is"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.radios("scope", legend_size=Size.SMALL),
            Field.select("unit"),
            Field.textarea("reason"),
            submit="Pause the accounts",
        )

    def clean(self):
        data = super().clean()
        if data.get("scope") == self.UNIT and not data.get("unit"):
            self.add_error("unit", "Choose the unit whose accounts are paused")
        if data.get("scope") == self.FORCE:
            data["unit"] = None
        return data


class LiftForm(forms.Form):
    reason = forms.CharField(
        label="Why can the accounts post again?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why it can be lifted"},
    )

    def __init__(self, *args, submit: str = "Lift", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.textarea("reason"), submit=submit)
