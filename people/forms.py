"""The forms of the Roles pages, and the staff-number field other pages share."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from people.roles import Role
from people.selectors import officer_by_staff_number

ACTIONS = [("grant", "Give the role"), ("revoke", "Take the role away")]


class StaffNumberField(forms.CharField):
    """A staff or collar number, cleaned to the officer who holds it; `unknown` is the message
    for a number no one holds (`{number}` is the number typed)."""

    def __init__(self, *, unknown: str, **kwargs):
        self.unknown = unknown
        kwargs.setdefault("label", "Staff or collar number")
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def clean(self, value):
        number = super().clean(value)
        officer = officer_by_staff_number(number)
        if officer is None:
            raise forms.ValidationError(self.unknown.format(number=number.strip()))
        return officer


class RoleSearchForm(forms.Form):
    """The Roles page's filters. Every field is optional."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        help_text="Name, staff number or login.",
    )
    role = forms.ChoiceField(
        label="Role", required=False, choices=[("", "Any role"), *Role.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Field.text("q", field_width=20),
            Field.select("role"),
            Submit("apply", "Apply filters", css_class="govuk-button--secondary"),
        )

    def filters(self) -> dict:
        if not self.is_valid():
            return {"query": "", "role": ""}
        return {"query": self.cleaned_data["q"].strip(), "role": self.cleaned_data["role"]}


class RoleChangeForm(forms.Form):
    action = forms.ChoiceField(
        label="What do you want to do?",
        choices=ACTIONS,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to give the role or take it away"},
    )
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        widget=forms.RadioSelect,
        help_text="Press office and Administrator are given only when a second administrator "
        "approves.",
        error_messages={"required": "Choose a role"},
    )
    reason = forms.CharField(
        label="Why?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: joined the press office on 1 December (ticket HR-2231). Kept in "
        "the audit trail.",
        error_messages={"required": "Say why the role changes"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.radios("action", legend_size=Size.SMALL),
            Field.radios("role", legend_size=Size.SMALL),
            Field.textarea("reason"),
            Submit("change", "Change the role"),
        )


class RoleDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Your decision",
        choices=[("approve", "Approve: give the role now"), ("refuse", "Refuse")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose approve or refuse"},
    )
    comment = forms.CharField(
        label="Comment",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when you refuse: say why.",
    )

    def __init__(self, *args, request_id=None, **kwargs):
        # Several requests wait on one page: each form's ids are its own (the names stay plain).
        kwargs.setdefault("auto_id", f"request-{request_id}-%s")
        super().__init__(*args, **kwargs)
        self.grant_id = request_id
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> carries the token
        self.helper.layout = Layout(
            Field.radios("outcome", legend_size=Size.SMALL, inline=True),
            Field.textarea("comment"),
            Submit("decide", "Record the decision"),
        )

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "refuse" and not data.get("comment", "").strip():
            self.add_error("comment", "Say why you refuse the request")
        return data
