from django import forms

from people.forms import StaffNumberField


class SubjectAccessForm(forms.Form):
    staff_number = StaffNumberField(
        help_text="Of the officer whose data you are exporting, for example 4471 or PS2231.",
        error_messages={"required": "Enter the officer's staff or collar number."},
        unknown="No officer has that staff or collar number.",
    )
