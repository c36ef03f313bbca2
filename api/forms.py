"""The form an administrator fills in to create an API client."""

import datetime

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from api.models import Scope

MAX_DAYS = 366


class ApiClientForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What the integration is, for example: HR system (Oracle), Orlo, Splunk.",
        error_messages={"required": "Enter the client's name"},
    )
    owner = forms.CharField(
        label="Owner's login",
        max_length=150,
        help_text="The person answerable for it: the client sees and does only what they may.",
        error_messages={"required": "Enter the owner's login"},
    )
    scopes = forms.MultipleChoiceField(
        label="Scopes",
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only what the integration needs.",
        error_messages={"required": "Choose at least one scope"},
    )
    expires_on = forms.DateField(
        label="Expires on",
        help_text=f"At most {MAX_DAYS} days from today, for example 2027-03-31.",
        error_messages={
            "required": "Enter the expiry date",
            "invalid": "Enter the expiry date like 2027-03-31",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("name"),
            Field.text("owner", field_width=20),
            Field.checkboxes("scopes", legend_size=Size.SMALL),
            Field.text("expires_on", field_width=10),
            Submit("create", "Create the client"),
        )

    def clean_owner(self):
        login = self.cleaned_data["owner"].strip()
        User = get_user_model()
        owner = User.objects.filter(**{f"{User.USERNAME_FIELD}__iexact": login}).first()
        if owner is None or not owner.is_active:
            raise forms.ValidationError("No login of a person who can sign in has that name")
        return owner

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if day <= today:
            raise forms.ValidationError("The expiry date must be in the future")
        if day > today + datetime.timedelta(days=MAX_DAYS):
            raise forms.ValidationError(f"The expiry date must be within {MAX_DAYS} days")
        return day

    def expires_at(self):
        day = self.cleaned_data["expires_on"]
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="Why revoke it?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the client is revoked"},
    )
