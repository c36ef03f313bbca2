"""CSV files that are safe to open in a spreadsheet. A cell that starts with = + - @, a tab or a
carriage return could run as a formula (CSV injection); it is written with a leading apostrophe
so the spreadsheet shows it as text."""

import csv

from django.http import StreamingHttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_CHUNK = 500


def neutralise(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


class _Echo:
    """What csv.writer writes to: each row comes back as its text instead of being kept."""

    def write(self, text: str) -> str:
        return text


def csv_lines(header: list[str], rows, *, rows_per_chunk: int = ROWS_PER_CHUNK):
    """The CSV text a chunk at a time: the header row at once (before `rows` is read from the
    database), then `rows_per_chunk` rows at a time. Every cell passes through `neutralise`."""
    writer = csv.writer(_Echo())
    yield writer.writerow([neutralise(h) for h in header])
    chunk = []
    for row in rows:
        chunk.append(writer.writerow([neutralise(cell) for cell in row]))
        if len(chunk) >= rows_per_chunk:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def csv_response(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    """A CSV download, streamed: the first bytes leave while later rows are still being read, and
    the whole file is never held in memory (pass `rows` as a generator over
    `queryset.iterator()`)."""
    response = StreamingHttpResponse(
        csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
