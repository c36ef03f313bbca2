"""Form pieces every app's pages share."""

from django import forms

from core import csv_read


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
