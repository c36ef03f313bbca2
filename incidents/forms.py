"""Forms of the incidents app. Each lists its fields explicitly: state, account, reporter and
the like are never bound from a request. No field asks for, or should hold, a password."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import SocialAccount
from incidents.models import Report, Step
from incidents.selectors import account_by_handle

NO_PASSWORDS = (
    " Never write a password here; the portal removes the account's password from any text."
)


class ReportForm(forms.Form):
    what_happened = forms.CharField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example a direct message with a link, posts you did not write, a login"
        " alert, or you cannot sign in." + NO_PASSWORDS,
        error_messages={"required": "Say what happened"},
    )
    noticed_at = forms.DateTimeField(
        label="When it was noticed",
        widget=forms.TextInput,
        help_text="Date and time, for example 2026-11-24 07:30. Leave as it is if just now.",
        error_messages={
            "required": "Enter when it was noticed",
            "invalid": "Enter a date and time, for example 2026-11-24 07:30",
        },
    )
    link_clicked = forms.ChoiceField(
        label="Was a link clicked?",
        choices=Report.LinkClicked.choices,
        widget=forms.RadioSelect,
        help_text="Clicking a link in a phishing message is how most accounts are taken over.",
        error_messages={"required": "Say whether a link was clicked, or that you are not sure"},
    )
    rogue_posts = forms.CharField(
        label="Rogue posts seen (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Describe or paste the text of posts or messages the owner did not send."
        + NO_PASSWORDS,
    )

    field_order = ["what_happened", "noticed_at", "link_clicked", "rogue_posts"]

    def __init__(self, *args, ask_account: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = None
        self.fields["noticed_at"].initial = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        self.fields["noticed_at"].widget.attrs.update(
            {"autocomplete": "off", "class": "govuk-input"}
        )
        layout = []
        if ask_account:
            self.fields["platform"] = forms.ChoiceField(
                label="Platform",
                choices=SocialAccount.Platform.choices,
                help_text="Where the account is.",
                error_messages={"required": "Choose the platform"},
            )
            self.fields["handle"] = forms.CharField(
                label="Handle",
                max_length=50,
                help_text="The account's handle, with or without the @. It must be one of the"
                " force's accounts in the register.",
                error_messages={"required": "Enter the account's handle"},
            )
            self.order_fields(["platform", "handle", *self.field_order])
            layout.append(
                Fieldset(
                    Field.select("platform"),
                    Field.text("handle", field_width=20),
                    legend="The account",
                    legend_size=Size.MEDIUM,
                )
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> carries the token
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(
            *layout,
            Fieldset(
                Field.textarea("what_happened"),
                Field.text("noticed_at", field_width=20),
                Field.radios("link_clicked", legend_size=Size.SMALL, inline=True),
                Field.textarea("rogue_posts"),
                legend="What happened",
                legend_size=Size.MEDIUM,
            ),
            Submit("submit", "Report the account as hacked"),
        )

    def clean_noticed_at(self):
        noticed = self.cleaned_data["noticed_at"]
        if noticed > timezone.now() + timezone.timedelta(minutes=5):
            raise ValidationError("The time it was noticed cannot be in the future")
        return noticed

    def clean(self):
        data = super().clean()
        if "handle" in self.fields and data.get("handle") and data.get("platform"):
            self.account = account_by_handle(data["platform"], data["handle"])
            if self.account is None:
                self.add_error(
                    "handle",
                    f"@{data['handle'].strip().lstrip('@')} is not one of the force's accounts"
                    " on that platform. Check the spelling and the platform, or call the press"
                    " office.",
                )
        return data


class StepForm(forms.Form):
    step = forms.ChoiceField(
        label="Step done",
        choices=Step.choices,
        error_messages={"required": "Choose the step you have done"},
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example which applications were revoked, or the platform's case number."
        + NO_PASSWORDS,
    )
    version = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, steps=None, **kwargs):
        super().__init__(*args, **kwargs)
        if steps is not None:
            self.fields["step"].choices = steps
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> carries the token
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(
            Field.select("step"),
            Field.textarea("note"),
            "version",
            Submit("record_step", "Record the step"),
        )


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was done or found, for the timeline." + NO_PASSWORDS,
        error_messages={"required": "Write the note"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> carries the token
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(Field.textarea("text"), Submit("add_note", "Add the note"))


class LessonsForm(forms.Form):
    lessons = forms.CharField(
        label="Lessons learned",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="How the account was compromised and what will stop it happening again."
        + NO_PASSWORDS,
        error_messages={"required": "Write the lessons learned"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> carries the token
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(
            Field.textarea("lessons"), Submit("save_lessons", "Save the lessons learned")
        )
