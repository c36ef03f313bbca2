"""Forms of the approvals app. Each lists its fields explicitly: state, applicant, decided_by and
the like are never bound from a request."""

import datetime

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import (
    ConditionalQuestion,
    ConditionalRadios,
    Field,
    Fieldset,
    Layout,
    Size,
    Submit,
)
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.handles import MAX_LENGTH, conventional_handle, validate_handle
from approvals.models import CASE_FIELDS, BusinessCase, Decision, PolicyVersion, SetupChecklist
from approvals.selectors import handle_is_taken, handle_suggestions_for
from people.models import Officer
from people.roles import Role


def hours(value) -> str:
    """Hours as a person writes them: 3, 2.5 (never 3.0)."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


CASE_HINTS = {
    "platform": "Where the account will be. Most officers' accounts are on X (Twitter).",
    "kind": "An individual officer's account, or one for a team, a unit or the force centrally.",
    "display_name": "The name people see, for example 'PC Priya Sharma' or 'Stechford Police'.",
    "policing_purpose": (
        "Why you want to post, and the policing purpose every message will serve: for example to"
        " raise trust and confidence in your neighbourhood, or tell people what you are doing"
        " about local priorities."
    ),
    "audience": (
        "Who should read your messages: residents of a ward, local businesses, young people,"
        " community groups."
    ),
    "attracting_audience": (
        "How they will find you: following local people and groups, telling residents at"
        " meetings, promotion by your communications officer."
    ),
    "benefits_force": (
        "What the force gains. If you work for a central department, say why your messages"
        " would not be better coming from an LPU or central account."
    ),
    "benefits_public": "What the public will get from your messages that they do not get now.",
    "expected_outcomes": (
        "What will change because of your messages, and how you will know: more information from"
        " the public, better attended meetings, fewer calls about a problem."
    ),
    "communications_plan": (
        "What you will post and how often, who covers when you are away, and how you will answer"
        " questions. Out-of-date accounts look unprofessional."
    ),
    "hours_per_week": "Be realistic: an account needs updates every few days, not every few weeks.",
    "is_event_or_campaign": (
        "For an event or a campaign the guidance prefers a hashtag on an existing account: you"
        " reach people who already follow it instead of building followers from nothing."
    ),
    "hashtag_alternative": (
        "Say why a hashtag on your LPU's or the force's account (for example #serveprotectwmp)"
        " would not do what you need."
    ),
}


class BusinessCaseForm(forms.ModelForm):
    class Meta:
        model = BusinessCase
        fields = CASE_FIELDS
        labels = {
            "platform": "Platform",
            "kind": "Kind of account",
            "handle": "Proposed handle",
            "display_name": "Display name",
            "policing_purpose": "Policing purpose",
            "audience": "Who are your messages for?",
            "attracting_audience": "How will you attract them?",
            "benefits_force": "Benefits to the force",
            "benefits_public": "Benefits to the public",
            "expected_outcomes": "Expected outcomes",
            "communications_plan": "Communications plan",
            "hours_per_week": "Hours a week you can give the account",
            "is_event_or_campaign": "Is the account for a single event or campaign?",
            "hashtag_alternative": "Why would a hashtag on an existing account not do?",
        }
        help_texts = CASE_HINTS
        error_messages = {
            name: {"required": message}
            for name, message in {
                "platform": "Choose the platform",
                "kind": "Choose the kind of account",
                "handle": "Enter the handle you propose, for example PriyaSharmaWMP",
                "display_name": "Enter the name people will see on the account",
                "policing_purpose": "Describe the policing purpose of the account",
                "audience": "Say who your messages are for",
                "attracting_audience": "Say how you will attract the people you want to reach",
                "benefits_force": "Describe the benefits to the force",
                "benefits_public": "Describe the benefits to the public",
                "expected_outcomes": "Describe the outcomes you expect",
                "communications_plan": "Describe your communications plan",
                "hours_per_week": "Enter the hours a week you can give the account",
                "hashtag_alternative": "Say why a hashtag on an existing account would not do",
            }.items()
        }

    is_event_or_campaign = forms.TypedChoiceField(
        label="Is the account for a single event or campaign?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text=CASE_HINTS["is_event_or_campaign"],
        error_messages={"required": "Say whether the account is for a single event or campaign"},
    )

    def __init__(self, *args, applicant: Officer, **kwargs):
        super().__init__(*args, **kwargs)
        self.applicant = applicant
        self.handle_suggestions: list[str] = []
        self.fields["handle"].help_text = self._handle_hint(applicant)
        if self.instance.pk:
            self.initial["is_event_or_campaign"] = (
                "yes" if self.instance.is_event_or_campaign else "no"
            )
            # 3, not 3.0: the hours as the person typed them.
            self.initial["hours_per_week"] = hours(self.instance.hours_per_week)
        else:
            self.initial.setdefault("is_event_or_campaign", "no")
        self.fields["hashtag_alternative"].required = False
        self.fields["hours_per_week"].min_value = 0
        self.fields["hours_per_week"].widget.attrs["inputmode"] = "decimal"
        self.fields["hours_per_week"].error_messages["invalid"] = (
            "Enter the hours as a number, for example 3 or 2.5"
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> carries the token
        self.helper.label_size = Size.SMALL
        textareas = [
            n for n in self.Meta.fields if isinstance(self.fields[n].widget, forms.Textarea)
        ]
        for name in textareas:
            self.fields[name].widget.attrs["rows"] = 4
        self.helper.layout = Layout(
            Fieldset(
                Field.select("platform"),
                Field.select("kind"),
                Field.text("handle", field_width=20),
                Field.text("display_name", field_width=30),
                legend="The account",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                *(Field.textarea(n) for n in textareas if n != "hashtag_alternative"),
                Field.text("hours_per_week", field_width=4),
                legend="Your case",
                legend_size=Size.MEDIUM,
            ),
            ConditionalRadios(
                "is_event_or_campaign",
                ConditionalQuestion("Yes", Field.textarea("hashtag_alternative")),
                "No",
            ),
        )

    def _handle_hint(self, applicant: Officer) -> str:
        """The convention, what it gives for this person, and, when that is too long for X or
        taken, the free short forms, from the start rather than after a failed save."""
        suffix = settings.FORCE_HANDLE_SUFFIX
        limit = MAX_LENGTH["x"]
        conventional = conventional_handle(applicant.first_name, applicant.surname)
        platform = self.instance.platform if self.instance.pk else "x"
        free = handle_suggestions_for(applicant, platform, self.instance)
        hint = f"Without the @. The convention is FirstnameSurname{suffix}"
        if len(conventional) <= limit and conventional in free:
            hint += f": for you, {conventional}."
        elif len(conventional) > limit:
            hint += (
                f". For you that would be {conventional}, {len(conventional)} characters: more"
                f" than X allows."
            )
        else:
            hint += f". {conventional} is taken."
        others = [h for h in free if h != conventional]
        if others:
            hint += f" Free short forms: {', '.join(others)}."
        return hint + f" On X at most {limit} letters, numbers or underscores."

    def clean_hashtag_alternative(self):
        return (self.cleaned_data.get("hashtag_alternative") or "").strip()

    def clean_hours_per_week(self):
        hours = self.cleaned_data["hours_per_week"]
        if hours is not None and not 0 < hours <= 40:
            raise ValidationError("Enter the hours a week as a number between 0.5 and 40")
        return hours

    def clean_handle(self):
        handle = (self.cleaned_data.get("handle") or "").strip()
        if handle.startswith("@"):
            handle = handle[1:]
        return handle

    def clean(self):
        data = super().clean()
        if data.get("is_event_or_campaign") and not data.get("hashtag_alternative"):
            self.add_error(
                "hashtag_alternative", "Say why a hashtag on an existing account would not do"
            )
        elif data.get("is_event_or_campaign") is False:
            data["hashtag_alternative"] = ""
        handle, platform = data.get("handle"), data.get("platform")
        if not handle or not platform:
            return data
        try:
            validate_handle(handle, platform)
        except ValidationError as exc:
            self._handle_problem(exc.messages[0], platform)
            return data
        if handle_is_taken(handle, platform, exclude_case=self.instance):
            self._handle_problem(
                f"@{handle} is already in the register or proposed in another case", platform
            )
        return data

    def _handle_problem(self, message: str, platform: str) -> None:
        suggestions = []
        if self.cleaned_data.get("kind", "individual") == "individual":
            suggestions = handle_suggestions_for(self.applicant, platform, self.instance)
        self.handle_suggestions = suggestions
        if suggestions:
            message = f"{message.rstrip('.')}. Free handles you could use: {', '.join(suggestions)}"
        self.add_error("handle", message)


class SubmitCaseForm(forms.Form):
    """The acknowledgements made when submitting."""

    policy = forms.IntegerField(widget=forms.HiddenInput)
    read_policy = forms.BooleanField(
        label="I have read the social media policy shown above",
        error_messages={"required": "Confirm that you have read the social media policy"},
    )
    read_personal_use = forms.BooleanField(
        label="I have read the guidance on personal use of social media",
        help_text="Check your personal accounts' security settings; do not say you work for the"
        " force on them.",
        error_messages={"required": "Confirm that you have read the personal-use guidance"},
    )

    def __init__(self, *args, acknowledged=None, resubmission: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        button = Submit(
            "submit",
            "Resubmit the case to your supervisor"
            if resubmission
            else "Submit the case to your supervisor",
        )
        if acknowledged is not None:
            # Confirmed before for this very version: nothing to tick again.
            del self.fields["read_policy"]
            del self.fields["read_personal_use"]
            self.helper.layout = Layout("policy", button)
            return
        self.helper.layout = Layout(
            "policy",
            Field.checkbox("read_policy"),
            Field.checkbox("read_personal_use"),
            button,
        )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Your decision",
        choices=Decision.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose approve, return for changes or reject"},
    )
    comment = forms.CharField(
        label="Comment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed when you return or reject the case: say what should change, or why.",
    )
    version = forms.CharField(widget=forms.HiddenInput, max_length=40)

    def __init__(self, *args, stage=None, **kwargs):
        super().__init__(*args, **kwargs)
        if stage == Decision.Stage.PRESS_OFFICE:
            self.fields["outcome"].choices = [
                (Decision.Outcome.APPROVED, "Sign off: put the account in the register"),
                (Decision.Outcome.RETURNED, "Return for changes"),
                (Decision.Outcome.REJECTED, "Reject"),
            ]
        else:
            self.fields["outcome"].choices = [
                (Decision.Outcome.APPROVED, "Approve and send to the press office"),
                (Decision.Outcome.RETURNED, "Return for changes"),
                (Decision.Outcome.REJECTED, "Reject"),
            ]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> carries the token
        self.helper.layout = Layout(
            Field.radios("outcome", legend_size=Size.MEDIUM),
            Field.textarea("comment"),
            "version",
            Submit("decide", "Record the decision"),
        )

    def clean(self):
        data = super().clean()
        if (
            data.get("outcome") in {Decision.Outcome.RETURNED, Decision.Outcome.REJECTED}
            and not (data.get("comment") or "").strip()
        ):
            self.add_error("comment", "Say what should change, or why the case is rejected")
        return data


class SetupChecklistForm(forms.Form):
    def __init__(self, *args, checklist: SetupChecklist, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in SetupChecklist.ITEMS:
            self.fields[name] = forms.BooleanField(
                label=label, required=False, initial=getattr(checklist, name)
            )
        self.fields["login_lodged"].help_text = (
            "Tell your communications officer or the press office your login details. Never type"
            " the password into this portal."
        )
        self.fields[
            "bio_no_crime_reports"
        ].help_text = "For example: 'Do not report crime here. Call 101, or 999 in an emergency.'"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> carries the token
        self.helper.layout = Layout(
            *(Field.checkbox(name) for name, _ in SetupChecklist.ITEMS),
            Submit("save", "Save progress", css_class="govuk-button--secondary"),
            Submit("done", "Send to the press office to confirm"),
        )

    def ticked(self) -> set[str]:
        return {name for name, _ in SetupChecklist.ITEMS if self.cleaned_data.get(name)}


class PolicyAcknowledgeForm(forms.Form):
    policy = forms.IntegerField(widget=forms.HiddenInput)
    read_policy = forms.BooleanField(
        label="I have read this version of the social media policy",
        error_messages={"required": "Confirm that you have read the policy"},
    )
    read_personal_use = forms.BooleanField(
        label="I have read the guidance on personal use of social media",
        error_messages={"required": "Confirm that you have read the personal-use guidance"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "policy",
            Field.checkbox("read_policy"),
            Field.checkbox("read_personal_use"),
            Submit("accept", "Accept the policy"),
        )


class PolicyVersionForm(forms.ModelForm):
    class Meta:
        model = PolicyVersion
        fields = ["title", "version", "text", "url", "published_on"]
        labels = {
            "title": "Title",
            "version": "Version",
            "text": "Text of the policy",
            "url": "Link to the policy",
            "published_on": "Date of publication",
        }
        help_texts = {
            "title": "For example 'Social media policy'.",
            "version": "For example 2.1. Each version can be published once.",
            "text": "Paste the policy, or give a link below instead.",
            "url": "The intranet page (Press and PR > Social Media), if the text is not pasted.",
            "published_on": "For example 2026-11-24.",
        }
        error_messages = {
            "title": {"required": "Enter the title of the policy"},
            "version": {
                "required": "Enter the version",
                "unique": "That version has already been published; give the new one a new number",
            },
            "url": {"invalid": "Enter a full web address, starting https://"},
            "published_on": {"invalid": "Enter a date such as 2026-11-24"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["published_on"].initial = timezone.localdate
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("title"),
            Field.text("version", field_width=10),
            Field.textarea("text", rows=10),
            Field.text("url"),
            Field.text("published_on", field_width=10),
            Submit("publish", "Publish and ask account owners to accept it"),
        )

    def clean(self):
        data = super().clean()
        if not (data.get("text") or "").strip() and not data.get("url"):
            self.add_error("text", "Paste the text of the policy or give a link to it")
        return data


class DelegationForm(forms.Form):
    acting = forms.ModelChoiceField(
        label="Acting supervisor",
        queryset=Officer.objects.none(),
        help_text="A supervisor who will decide your team's business cases while you are away.",
        error_messages={"required": "Choose who will act for you"},
    )
    starts_on = forms.DateField(
        label="From",
        help_text="For example 2026-12-01.",
        error_messages={
            "required": "Enter the first day",
            "invalid": "Enter a date like 2026-12-01",
        },
    )
    ends_on = forms.DateField(
        label="Until",
        help_text="The last day they act for you, for example 2026-12-14.",
        error_messages={
            "required": "Enter the last day",
            "invalid": "Enter a date like 2026-12-14",
        },
    )
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        help_text="For example 'Annual leave' or 'Attachment to CID'.",
        error_messages={"required": "Say why someone needs to act for you"},
    )

    def __init__(self, *args, me: Officer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["acting"].queryset = (
            Officer.objects.filter(
                status=Officer.Status.SERVING, user__groups__name=Role.SUPERVISOR
            )
            .exclude(pk=me.pk)
            .select_related("unit")
            .order_by("surname", "first_name")
        )
        self.fields["starts_on"].initial = timezone.localdate
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.select("acting"),
            Field.text("starts_on", field_width=10),
            Field.text("ends_on", field_width=10),
            Field.text("reason"),
            Submit("delegate", "Name the acting supervisor"),
        )

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends:
            if ends < starts:
                self.add_error("ends_on", "The last day must be on or after the first day")
            if ends < timezone.localdate():
                self.add_error("ends_on", "The last day must be today or later")
            if ends - starts > datetime.timedelta(days=366):
                self.add_error("ends_on", "A delegation can last at most a year")
        return data
