"""Writing many rows at once, for imports that write tens of thousands in one transaction.

On PostgreSQL rows go in through COPY (one round trip, no SQL to build or parse per row) on the
connection's own cursor, so inside the caller's transaction; new primary keys are taken from the
table's sequence first, so the caller knows them (for audit events, observations). Elsewhere
(SQLite, for running the portal with nothing installed) it is the ORM's `bulk_create`.

Rows are dicts of field attribute names (`owner_id`, not `owner`) to Python values. Every column
without a database default must be given: nothing runs a field's `default` or `auto_now_add`."""

import csv
import datetime
import io
import json
import operator
from collections.abc import Iterable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models

PLAIN = frozenset({str, int, float, bool, type(None)})  # True is "True": PostgreSQL reads it


class Lines:
    """Rows already written as lines of COPY's text format (fields separated by a tab, each line
    ending in a newline, NULL as \\N, text escaped by `copy_text`), yielded while they are
    sent: the database takes in the first lines while the caller is still making the next, and
    memory holds one chunk, not the batch. `names` are the columns (field attribute names) in
    the order of the fields; `count` is how many lines `lines` yields. PostgreSQL only."""

    def __init__(self, names: list[str], count: int, lines: Iterable[str]):
        self.names, self.count, self.lines = names, count, lines

    def __len__(self) -> int:
        return self.count


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: str) -> str:
    """`value` as one field of COPY's text format: backslash, tab, newline and carriage return
    escaped (the rest is taken as it is)."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_COPY_ESCAPES)
    return value


class _LineReader:
    """A file for the driver's COPY: `read(size)` joins lines from the iterator until about
    `size` characters, so the lines are made as the driver sends them."""

    def __init__(self, lines: Iterable[str]):
        self.lines = iter(lines)

    def read(self, size: int = -1) -> str:
        chunk, length = [], 0
        for line in self.lines:
            chunk.append(line)
            length += len(line)
            if 0 <= size <= length:
                break
        return "".join(chunk)


COPY_CHUNK = 1 << 16  # characters per write to the connection while streaming


class JsonText(str):
    """A JSON column's value already serialised (the caller had the text anyway, e.g. to hash
    it): COPY sends it as it is; the ORM route parses it back."""


def _text(value):
    """A value as COPY's CSV format reads it (None stays None: an unquoted empty field, NULL)."""
    if type(value) in PLAIN:
        return value
    if type(value) is JsonText:
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        try:
            return json.dumps(value)  # JSON's own types (the common case): the C encoder
        except TypeError:
            return json.dumps(value, cls=DjangoJSONEncoder)
    return str(value)


def _parsed(value):
    return json.loads(value) if type(value) is JsonText else value


def _lines(model, names: list[str], rows: list[dict]):
    """The rows as COPY lines' values. Only JSON columns need `_text`: the csv writer's own
    str() is what PostgreSQL reads for every other value (a datetime's str() is ISO 8601 with a
    space, a date's is ISO, None stays NULL), and skipping a call per value is most of the cost
    of writing a hundred thousand rows."""
    values = operator.itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
    json_at = [
        i for i, n in enumerate(names) if isinstance(model._meta.get_field(n), models.JSONField)
    ]
    if not json_at:
        return map(values, rows)
    return (_with_json(list(values(row)), json_at) for row in rows)


def _with_json(line: list, json_at: list[int]) -> list:
    for i in json_at:
        line[i] = _text(line[i])
    return line


def new_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` primary keys from the table's own sequence (PostgreSQL)."""
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def insert(
    model: type[models.Model],
    rows: "list[dict] | Lines",
    *,
    with_ids: bool = False,
    batch_size: int = 500,
) -> list:
    """Insert `rows` (all with the same keys) into `model`'s table; the new ids when `with_ids`
    (each row's "id" is set too). `batch_size`: rows per INSERT where it is not COPY. `rows`
    may be `Lines` (PostgreSQL): streamed as they are made, no ids."""
    if isinstance(rows, Lines):
        _copy(model, rows.names, _LineReader(rows.lines), "text")
        return []
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objs = model.objects.bulk_create(
            [model(**{k: _parsed(v) for k, v in row.items()}) for row in rows],
            batch_size=batch_size,
        )
        for row, obj in zip(rows, objs, strict=True):
            row[model._meta.pk.attname] = obj.pk
        return [obj.pk for obj in objs] if with_ids else []
    pk = model._meta.pk.attname
    ids = []
    if with_ids:
        ids = new_ids(model, len(rows))
        for row, new_id in zip(rows, ids, strict=True):
            row[pk] = new_id
    names = list(rows[0])
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_NOTNULL, lineterminator="\n")
    writer.writerows(_lines(model, names, rows))
    buffer.seek(0)
    _copy(model, names, buffer, "csv")
    return ids


def _copy(model: type[models.Model], names: list[str], source, format_: str) -> None:
    """COPY from `source` (a file: read(size)) into `model`'s columns `names`."""
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(n).column) for n in names)
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT {format_})"
    # The driver's own cursor: its errors are turned into Django's (IntegrityError and the rest).
    with connection.cursor() as cursor, connection.wrap_database_errors:
        raw = cursor.cursor
        if hasattr(raw, "copy_expert"):  # psycopg2
            raw.copy_expert(sql, source, size=COPY_CHUNK)
        else:  # pragma: no cover  (psycopg 3)
            with raw.copy(sql) as copy:
                while chunk := source.read(COPY_CHUNK):
                    copy.write(chunk)
