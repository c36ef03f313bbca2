from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.handles import validate_handle
from accounts.models import Dormancy, ImportJob, SocialAccount
from accounts.selectors import REGISTER_SORTS
from core import csv_read
from people.models import Officer, Unit

MAX_UPLOAD_BYTES = 20 * 1024 * 1024

SORT_CHOICES = [
    ("handle", "Handle (A to Z)"),
    ("-handle", "Handle (Z to A)"),
    ("owner", "Owner's surname"),
    ("unit", "Unit"),
    ("status", "Status"),
    ("last_post", "Last post, oldest first"),
    ("-last_post", "Last post, newest first"),
]
if not {value for value, _ in SORT_CHOICES} <= set(REGISTER_SORTS):  # pragma: no cover
    raise RuntimeError("Every sort choice needs an entry in REGISTER_SORTS.")


class RegisterFilterForm(forms.Form):
    """The register list's filters. Every field is optional; a bad value is ignored."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        help_text="Handle, display name, owner's name or staff number.",
    )
    unit = forms.ModelChoiceField(
        label="Unit", required=False, queryset=Unit.objects.all(), empty_label="All units"
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *SocialAccount.Status.choices]
    )
    platform = forms.ChoiceField(
        label="Platform",
        required=False,
        choices=[("", "Any platform"), *SocialAccount.Platform.choices],
    )
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "Any kind"), *SocialAccount.Kind.choices]
    )
    dormancy = forms.ChoiceField(
        label="Activity",
        required=False,
        choices=[("", "Any"), *Dormancy.choices],
        help_text="How long since the last post.",
    )
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORT_CHOICES)

    # Rendered by core/templatetags/portal_fields.py (plain GOV.UK markup), not crispy: this form
    # tops the register, the busiest list.

    def filters(self) -> dict:
        """The valid filters (an invalid one is dropped rather than shown as an error)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v}


class SocialAccountRegisterForm(forms.Form):
    """The press office adds an account the force already runs."""

    platform = forms.ChoiceField(
        label="Platform",
        choices=SocialAccount.Platform.choices,
        initial=SocialAccount.Platform.X,
        error_messages={"required": "Select the platform the account is on."},
    )
    handle = forms.CharField(
        label="Handle",
        max_length=50,
        help_text="Without the @ sign, for example PriyaSharmaWMP.",
        error_messages={"required": "Enter the account's handle."},
    )
    display_name = forms.CharField(
        label="Display name",
        max_length=100,
        help_text="The name the platform shows above the handle.",
        error_messages={"required": "Enter the account's display name."},
    )
    kind = forms.ChoiceField(
        label="Kind of account",
        choices=SocialAccount.Kind.choices,
        initial=SocialAccount.Kind.INDIVIDUAL,
        help_text="Individual officer, team, unit or a central force account.",
        error_messages={"required": "Select the kind of account."},
    )
    owner_staff_number = forms.CharField(
        label="Owner's staff or collar number",
        max_length=20,
        help_text="The officer responsible for the account, for example 4471 or PS2231.",
        error_messages={"required": "Enter the owner's staff or collar number."},
    )
    unit = forms.ModelChoiceField(
        label="Unit",
        required=False,
        queryset=Unit.objects.all(),
        empty_label="The owner's unit",
        help_text="Leave as the owner's unit unless the account belongs to another unit.",
    )
    status = forms.ChoiceField(
        label="Status",
        choices=[
            (SocialAccount.Status.ACTIVE.value, SocialAccount.Status.ACTIVE.label),
            (SocialAccount.Status.PENDING_SETUP.value, SocialAccount.Status.PENDING_SETUP.label),
        ],
        initial=SocialAccount.Status.ACTIVE,
        help_text="Active if the account is already in use.",
        error_messages={"required": "Select the account's status."},
    )
    activated_on = DateInputField(
        label="Date the account started",
        required=False,
        help_text="If you know it. For example, 27 3 2024.",
    )
    reason = forms.CharField(
        label="Reason for registering it",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="For example: existing account found in the 2026 audit of force accounts.",
        error_messages={"required": "Enter the reason for registering this account."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(
            Field.select("platform"),
            Field.text("handle", field_width=20),
            Field.text("display_name"),
            Field.select("kind"),
            Field.text("owner_staff_number", field_width=10),
            Field.select("unit"),
            Field.radios("status", inline=True),
            Field("activated_on"),
            Field.textarea("reason"),
            Submit("register", "Add to the register"),
        )

    def clean_handle(self):
        return self.cleaned_data["handle"].strip()

    def clean_owner_staff_number(self):
        number = self.cleaned_data["owner_staff_number"].strip()
        officer = (
            Officer.objects.annotate(sn=Lower("staff_number"))
            .filter(sn=number.lower())
            .select_related("unit", "user")
            .first()
        )
        if officer is None:
            raise ValidationError(f"No officer has the staff number {number}. Check the number.")
        if officer.status == Officer.Status.LEFT:
            raise ValidationError("That officer has left the force; choose a serving owner.")
        self.owner = officer
        return number

    def clean_activated_on(self):
        day = self.cleaned_data.get("activated_on")
        if day and day > timezone.localdate():
            raise ValidationError("The start date must be today or in the past.")
        return day

    def clean(self):
        data = super().clean()
        handle, platform = data.get("handle"), data.get("platform")
        if handle and platform:
            try:
                validate_handle(handle, platform)
            except ValidationError as exc:
                self.add_error("handle", exc)
            else:
                if (
                    SocialAccount.objects.filter(platform=platform)
                    .annotate(h=Lower("handle"))
                    .filter(h=handle.lower())
                    .exists()
                ):
                    self.add_error(
                        "handle", f"@{handle} is already in the register. Search for it instead."
                    )
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="A CSV file with a header row, separated by commas, semicolons or tabs, as "
        "any spreadsheet saves it (UTF-8, Unicode text or Windows). Up to 50,000 rows.",
        error_messages={"required": "Choose the CSV file to import."},
    )
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text="Why these accounts are being added, for example the day-one load of the "
        "force's existing accounts.",
    )

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind == ImportJob.Kind.REGISTER:
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = (
                "Enter the reason for registering these accounts."
            )
        else:
            del self.fields["reason"]
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        fields = [Field("file")]
        if "reason" in self.fields:
            fields.append(Field.textarea("reason"))
        self.helper.layout = Layout(*fields, Submit("upload", "Check and import"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError("The file is larger than 20 MB. Split it into smaller files.")
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise ValidationError("The file must be a CSV file (ending .csv).")
        self.raw = upload.read()
        try:
            csv_read.decode(self.raw)
        except csv_read.Unreadable as exc:
            raise ValidationError(str(exc)) from None
        return upload


class CheckInForm(forms.Form):
    last_post_on = DateInputField(
        label="When did you last post?",
        help_text="For example, 27 3 2026. The guidance asks for an update at least every "
        "couple of weeks.",
    )
    followers = forms.IntegerField(
        label="Followers (optional)",
        required=False,
        min_value=0,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        help_text="The follower count the platform shows today.",
        error_messages={
            "invalid": "Enter the number of followers as a whole number, like 1250.",
            "min_value": "The number of followers cannot be negative.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page supplies the <form> with its action
        self.helper.disable_csrf = True  # and its CSRF token
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(
            Field("last_post_on"),
            Field.text("followers", field_width=10),
            Submit("check_in", "Record activity"),
        )

    def clean_last_post_on(self):
        day = self.cleaned_data["last_post_on"]
        if day > timezone.localdate():
            raise ValidationError("The date of your last post must be today or in the past.")
        return day
