from django import forms

from privacy.selectors import officer_by_staff_number


class SubjectAccessForm(forms.Form):
    staff_number = forms.CharField(
        label="Staff or collar number",
        max_length=20,
        help_text="Of the officer whose data you are exporting, for example 4471 or PS2231.",
        error_messages={"required": "Enter the officer's staff or collar number."},
    )

    def clean_staff_number(self):
        officer = officer_by_staff_number(self.cleaned_data["staff_number"])
        if officer is None:
            raise forms.ValidationError("No officer has that staff or collar number.")
        self.officer = officer
        return self.cleaned_data["staff_number"]
