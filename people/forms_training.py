"""The forms of the training page: one completion, or the learning system's file."""

from crispy_forms_gds.layout import Field
from django import forms
from django.utils import timezone

from core.forms import CSVFileField, form_helper
from people.forms import StaffNumberField


class TrainingRecordForm(forms.Form):
    staff_number = StaffNumberField(
        help_text="As on the payroll record, for example 4471 or PS2231.",
        error_messages={"required": "Enter the officer's staff or collar number"},
        unknown="No officer has staff number {number}",
    )
    completed_on = forms.DateField(
        label="Completed on",
        help_text="For example 2026-11-24.",
        error_messages={"required": "Enter the date", "invalid": "Enter a date like 2026-11-24"},
    )
    expires_on = forms.DateField(
        label="Expires on (optional)",
        required=False,
        help_text="Leave empty for the force's usual period.",
        error_messages={"invalid": "Enter a date like 2026-11-24"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field.text("staff_number", field_width=10),
            Field.text("completed_on", field_width=10),
            Field.text("expires_on", field_width=10),
            submit="Record the training",
            name="record",
        )

    def clean_completed_on(self):
        day = self.cleaned_data["completed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The completion date cannot be in the future")
        return day

    def clean(self):
        data = super().clean()
        completed, expires = data.get("completed_on"), data.get("expires_on")
        if completed and expires and expires <= completed:
            self.add_error("expires_on", "The expiry date must be after the completion date")
        return data


class TrainingImportForm(forms.Form):
    file = CSVFileField(
        label="Training file (CSV)",
        help_text="Columns staff_number, completed_on (2026-11-24) and, optionally, expires_on."
        " If any row is wrong nothing is imported and the lines are listed.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(Field("file"), submit="Import the file", name="import")
