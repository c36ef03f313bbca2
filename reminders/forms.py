from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Submit
from django import forms


class OwnerRecertificationForm(forms.Form):
    still_needed = forms.TypedChoiceField(
        label="Is the account still needed?",
        choices=[
            ("yes", "Yes, I still post on it for a policing purpose"),
            ("no", "No, it should be handed over or closed"),
        ],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the account is still needed"},
    )
    statement = forms.CharField(
        label="How does the account still serve its purpose?",
        help_text="For example: who follows it, what you posted about this year, what came of it.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Say how the account still serves its purpose"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("confirm", "Confirm and send to my supervisor"))


class SupervisorRecertificationForm(forms.Form):
    comment = forms.CharField(
        label="Your comment",
        help_text="Confirm the account is still needed and kept up, or say what should change.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter a comment to confirm the re-certification"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("confirm", "Confirm the account for another year"))


class LeaveForm(forms.Form):
    officer = forms.ModelChoiceField(
        queryset=None,
        label="Who is on leave?",
        error_messages={"required": "Select who is on leave"},
    )
    starts_on = forms.DateField(
        label="First day of leave",
        help_text="For example, 2026-12-21",
        error_messages={
            "required": "Enter the first day of leave",
            "invalid": "Enter the first day as a date, for example 2026-12-21",
        },
    )
    ends_on = forms.DateField(
        label="Last day of leave",
        help_text="Reminders start again the day after.",
        error_messages={
            "required": "Enter the last day of leave",
            "invalid": "Enter the last day as a date, for example 2027-01-04",
        },
    )
    reason = forms.CharField(
        label="Kind of leave",
        required=False,
        max_length=200,
        help_text="For example annual leave, sickness or a course. Optional.",
    )

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers
        self.helper = FormHelper()
        self.helper.add_input(Submit("record", "Record leave"))

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "The last day must be on or after the first day")
        return data
