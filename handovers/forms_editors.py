"""The forms of the editors of shared accounts. The owner, the state and the deciders are never
taken from a request."""

from crispy_forms_gds.layout import Field, Size
from django import forms

from core.forms import form_helper
from people.forms import StaffNumberField


class EditorRequestForm(forms.Form):
    officer = StaffNumberField(
        label="Editor's staff or collar number",
        unknown="No officer has the staff number {number}: check it and try again",
        help_text="The officer who will post to the account beside you.",
        error_messages={"required": "Enter the staff number of the officer who will post"},
    )
    reason = forms.CharField(
        label="Why should they post to the account?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="For example 'PCSO Ali covers the Tuesday and weekend shifts'.",
        error_messages={"required": "Say why this officer should post to the account"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field.text("officer", field_width=10), Field.textarea("reason"), submit="Ask"
        )


class EditorDecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        label="Your decision",
        choices=[("yes", "Approve"), ("no", "Refuse")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose approve or refuse"},
    )
    comment = forms.CharField(
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text="Required when you refuse: the owner reads it.",
    )

    def clean(self):
        data = super().clean()
        if data.get("approve") is False and not (data.get("comment") or "").strip():
            self.add_error("comment", "Say why you refuse, so the owner knows what to do next")
        return data

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field.radios("approve", legend_size=Size.SMALL, inline=True),
            Field.textarea("comment"),
            submit="Record the decision",
            name="decide",
        )


class EditorAcceptForm(forms.Form):
    personal_use_read = forms.BooleanField(
        label="I have read the social media policy and the personal-use guidance",
        error_messages={"required": "Confirm that you have read the policy and the guidance"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field.checkbox("personal_use_read"), submit="Accept and start posting", name="accept"
        )


class EditorRemoveForm(forms.Form):
    reason = forms.CharField(
        label="Why is the editor removed?",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text="The press office is asked to change the password if they knew it.",
        error_messages={"required": "Say why the editor is removed"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(Field.textarea("reason"), submit="Remove", name="remove")
