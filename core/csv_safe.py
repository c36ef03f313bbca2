"""CSV files that are safe to open in a spreadsheet. A cell that starts with = + - @, a tab or a
carriage return could run as a formula (CSV injection); it is written with a leading apostrophe
so the spreadsheet shows it as text."""

import csv
import io

from django.http import HttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    """A complete CSV download; every cell passes through `neutralise`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
