"""Form pieces every app's pages share."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Layout, Submit
from django import forms

from core import csv_read


def form_helper(*fields, submit: str | None = None, name: str = "submit") -> FormHelper:
    """The layout of a form that sits inside a page's own <form> (which carries the CSRF
    token), with its submit button named so a page holding two forms knows which was sent."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout(*fields, *([Submit(name, submit)] if submit else []))
    return helper


class CSVFileField(forms.FileField):
    """An uploaded CSV file, cleaned to its bytes once it is small enough and readable as text
    (the import reads encoding, delimiter and rows with core.csv_read)."""

    def __init__(self, *, max_bytes: int = 2_000_000, **kwargs):
        self.max_bytes = max_bytes
        kwargs.setdefault("error_messages", {"required": "Choose the CSV file to import"})
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload is None:
            return upload
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                f"The file must be smaller than {self.max_bytes // 1_000_000} MB"
            )
        raw = upload.read()
        try:
            csv_read.decode(raw)
        except csv_read.Unreadable as exc:
            raise forms.ValidationError(str(exc)) from None
        return raw
