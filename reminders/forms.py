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
