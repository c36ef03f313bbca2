"""Reading and checking uploaded CSV files. Nothing here writes.

A file is read as a stream: `register_batches` and `activity_batches` yield the good rows a batch
at a time (`settings.IMPORT_BATCH_SIZE` rows read per batch), checked against the register and
against every earlier row of the file, and record every bad row in `Checked.errors` as
(line number, reason). The service writes each batch inside one transaction and undoes all of it
when any row was bad, so a file is written whole or not at all, and neither the rows nor their
objects are ever all in memory at once."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.handles import validate_handle
from accounts.models import SocialAccount
from core import csv_read
from people.models import Officer, Unit

MAX_ROWS = 50_000

REGISTER_COLUMNS = {
    "platform": False,
    "handle": True,
    "display_name": True,
    "kind": False,
    "owner_staff_number": True,
    "unit_code": False,
    "status": False,
    "activated_on": False,
    "last_post_at": False,
}
ACTIVITY_COLUMNS = {"platform": False, "handle": True, "last_post_at": True, "followers": False}
ALIASES = {"last_post_date": "last_post_at", "staff_number": "owner_staff_number", "unit": ""}


@dataclass
class RowError:
    line: int | None
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "message": self.message}


@dataclass
class Checked:
    """What reading a file found so far: `read` of `total` rows, and every bad one."""

    errors: list[RowError] = field(default_factory=list)
    total: int = 0
    read: int = 0
    good: int = 0
    encoding: str = ""
    delimiter: str = ""


def batch_size() -> int:
    return max(1, settings.IMPORT_BATCH_SIZE)


def _normalise_header(name: str) -> str:
    key = name.strip().lower().replace(" ", "_").replace("-", "_").lstrip("\ufeff")
    return ALIASES.get(key, key) or key


def _open(content: bytes | str, columns: dict[str, bool], checked: Checked):
    """The file's table once its header is usable and it is not too long; else None, with the
    reason in `checked.errors` (see core.csv_read)."""
    try:
        table = csv_read.read(content, normalise=_normalise_header)
    except csv_read.Unreadable as exc:
        checked.errors.append(RowError(None, str(exc)))
        return None
    checked.encoding, checked.delimiter = table.encoding, table.delimiter_name
    names = table.header
    missing = [c for c, required in columns.items() if required and c not in names]
    if missing:
        checked.errors.append(
            RowError(
                1,
                "The header row is missing the column(s): "
                + ", ".join(missing)
                + "."
                + table.header_hint,
            )
        )
        return None
    unknown = [n for n in names if n and n not in columns]
    if unknown:
        checked.errors.append(
            RowError(
                1,
                "The header row has column(s) this import does not use: "
                + ", ".join(unknown)
                + ". Allowed: "
                + ", ".join(columns)
                + ".",
            )
        )
        return None
    checked.total = table.count()
    if checked.total > MAX_ROWS:
        checked.errors.append(
            RowError(None, f"The file has {checked.total} rows; the most is {MAX_ROWS}.")
        )
        return None
    return table


def _raw_batches(table, checked: Checked, size: int) -> Iterator[list[tuple[int, dict]]]:
    """(line, {column: value}) for the readable rows, `size` rows read at a time; an unreadable
    row is an error (a NUL byte, too many or too few values)."""
    batch = []
    for row in table.rows():
        checked.read += 1
        if row.problem:
            checked.errors.append(RowError(row.line, row.problem))
        else:
            batch.append((row.line, row.values))
        if checked.read % size == 0:
            yield batch
            batch = []
    if batch or checked.read % size:
        yield batch


def parse_moment(text: str) -> datetime.datetime:
    """2026-11-03, 03/11/2026 (UK order) or an ISO date-time; dates mean midnight, local time."""
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = datetime.datetime.strptime(text, fmt)
            return timezone.make_aware(day)
        except ValueError:
            pass
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(
            f"{text!r} is not a date. Use YYYY-MM-DD, DD/MM/YYYY or an ISO date and time."
        ) from exc
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class _Moments(dict):
    """parse_moment, remembered for the length of one file (most rows share a few dates)."""

    def parse(self, text: str) -> datetime.datetime:
        try:
            return self[text]
        except KeyError:
            self[text] = moment = parse_moment(text)
            return moment


class _Choice:
    """A column holding one of `choices`, by value or by label, any case."""

    def __init__(self, choices, default, label: str):
        self.default, self.label = default, label
        self.values = {c.value: c.value for c in choices} | {
            c.label.lower(): c.value for c in choices
        }
        self.allowed = ", ".join(c.value for c in choices)

    def __call__(self, value: str) -> str:
        if not value:
            return self.default
        try:
            return self.values[value.strip().lower()]
        except KeyError:
            raise ValueError(f"{self.label} {value!r} is not one of: {self.allowed}.") from None


def _platform() -> _Choice:
    return _Choice(SocialAccount.Platform, SocialAccount.Platform.X.value, "Platform")


class _RegisterRows:
    """Checks an existing-accounts file batch by batch: each batch looks up only its own owners
    and handles; what the file said before (handles, for duplicates) is remembered by key."""

    def __init__(self):
        self.platform = _platform()
        self.kind = _Choice(SocialAccount.Kind, SocialAccount.Kind.INDIVIDUAL.value, "Kind")
        self.status = _Choice(SocialAccount.Status, SocialAccount.Status.ACTIVE.value, "Status")
        self.units = {u.code.lower(): u for u in Unit.objects.all()}
        self.officers: dict[str, Officer | None] = {}
        self.in_file: dict[tuple[str, str], int] = {}
        self.moments = _Moments()
        self.now = timezone.now()

    def _look_up(self, raw: list[tuple[int, dict]]) -> set[tuple[str, str]]:
        # Staff numbers are matched without regard to case (PS2231 and ps2231 are the same person).
        wanted = {r.get("owner_staff_number", "").lower() for _, r in raw} - {""}
        wanted -= self.officers.keys()
        if wanted:
            self.officers.update(dict.fromkeys(wanted))
            self.officers.update(
                (o.staff_number.lower(), o)
                for o in Officer.objects.annotate(staff_lower=Lower("staff_number"))
                .filter(staff_lower__in=wanted)
                .select_related("unit")
                .order_by()
            )
        handles = {r.get("handle", "").lstrip("@").lower() for _, r in raw} - {""}
        return {
            (platform, handle.lower())
            for platform, handle in SocialAccount.objects.annotate(handle_lower=Lower("handle"))
            .filter(handle_lower__in=handles)
            .order_by()
            .values_list("platform", "handle")
        }

    def check(self, raw: list[tuple[int, dict]], checked: Checked) -> list[dict]:
        taken = self._look_up(raw)
        good = []
        for line, row in raw:
            problems = []
            try:
                platform = self.platform(row.get("platform", ""))
            except ValueError as exc:
                problems.append(str(exc))
                platform = None
            handle = row.get("handle", "").lstrip("@")
            if platform:
                try:
                    validate_handle(handle, platform)
                except ValidationError as exc:
                    problems.append(exc.messages[0])
                # Earlier rows of this file may be written already (same transaction): a
                # handle seen before is a duplicate in the file, not one in the register.
                key = (platform, handle.lower())
                if key in self.in_file:
                    problems.append(
                        f"@{handle} also appears on line {self.in_file[key]} of this file."
                    )
                elif key in taken:
                    problems.append(f"@{handle} is already in the register on this platform.")
                else:
                    self.in_file[key] = line
            display_name = row.get("display_name", "")
            if not display_name:
                problems.append("Enter the account's display name.")
            elif len(display_name) > 100:
                problems.append("The display name must be 100 characters or fewer.")
            values = {}
            for column, choice in (("kind", self.kind), ("status", self.status)):
                try:
                    values[column] = choice(row.get(column, ""))
                except ValueError as exc:
                    problems.append(str(exc))
            staff = row.get("owner_staff_number", "")
            owner = self.officers.get(staff.lower()) if staff else None
            if not staff:
                problems.append("Enter the owner's staff or collar number.")
            elif owner is None:
                problems.append(f"No officer has the staff number {staff!r}.")
            elif owner.status == Officer.Status.LEFT:
                problems.append(f"The officer with staff number {staff!r} has left the force.")
            unit_code = row.get("unit_code", "")
            unit = (
                self.units.get(unit_code.lower()) if unit_code else (owner.unit if owner else None)
            )
            if unit_code and unit is None:
                problems.append(f"No unit has the code {unit_code!r}.")
            moments = {}
            for column in ("activated_on", "last_post_at"):
                if row.get(column):
                    try:
                        moments[column] = self.moments.parse(row[column])
                    except ValueError as exc:
                        problems.append(f"{column}: {exc}")
                    else:
                        if moments[column] > self.now:
                            problems.append(f"{column}: {row[column]} is in the future.")
            if problems:
                checked.errors.append(RowError(line, " ".join(problems)))
                continue
            good.append(
                {
                    "platform": platform,
                    "handle": handle,
                    "display_name": display_name,
                    "kind": values["kind"],
                    "status": values["status"],
                    "owner": owner,
                    "unit": unit,
                    "activated_on": moments["activated_on"].date()
                    if "activated_on" in moments
                    else None,
                    "last_post_at": moments.get("last_post_at"),
                }
            )
        checked.good += len(good)
        return good


class _ActivityRows:
    """Checks a platform or social-media-tool export batch by batch: each batch looks up only the
    accounts it names."""

    def __init__(self):
        self.platform = _platform()
        self.in_file: dict[int, int] = {}
        self.moments = _Moments()
        self.now = timezone.now()

    def _look_up(self, raw: list[tuple[int, dict]]) -> dict[tuple[str, str], int]:
        handles = {r.get("handle", "").lstrip("@").lower() for _, r in raw} - {""}
        return {
            (platform, handle.lower()): pk
            for pk, platform, handle in SocialAccount.objects.annotate(handle_lower=Lower("handle"))
            .filter(handle_lower__in=handles)
            .order_by()
            .values_list("pk", "platform", "handle")
        }

    def check(self, raw: list[tuple[int, dict]], checked: Checked) -> list[dict]:
        accounts = self._look_up(raw)
        good = []
        for line, row in raw:
            problems = []
            try:
                platform = self.platform(row.get("platform", ""))
            except ValueError as exc:
                problems.append(str(exc))
                platform = None
            handle = row.get("handle", "").lstrip("@")
            account_id = accounts.get((platform, handle.lower())) if platform else None
            if not handle:
                problems.append("Enter the account's handle.")
            elif platform and account_id is None:
                problems.append(f"@{handle} is not in the register on this platform.")
            elif account_id in self.in_file:
                problems.append(
                    f"@{handle} also appears on line {self.in_file[account_id]} of this file."
                )
            elif account_id is not None:
                self.in_file[account_id] = line
            last_post_at = None
            if not row.get("last_post_at"):
                problems.append("Enter the date of the last post.")
            else:
                try:
                    last_post_at = self.moments.parse(row["last_post_at"])
                except ValueError as exc:
                    problems.append(str(exc))
                else:
                    if last_post_at > self.now:
                        problems.append(
                            f"The last post date {row['last_post_at']} is in the future."
                        )
            followers = None
            if row.get("followers"):
                raw_followers = row["followers"].replace(",", "")
                if not raw_followers.isdigit():
                    problems.append(f"Followers {row['followers']!r} is not a whole number.")
                else:
                    followers = int(raw_followers)
            if problems:
                checked.errors.append(RowError(line, " ".join(problems)))
                continue
            good.append(
                {"account_id": account_id, "last_post_at": last_post_at, "followers": followers}
            )
        checked.good += len(good)
        return good


def _batches(content, columns, rows, checked: Checked, size: int | None) -> Iterator[list[dict]]:
    table = _open(content, columns, checked)
    if table is None:
        return
    checker = rows()
    for raw in _raw_batches(table, checked, size or batch_size()):
        yield checker.check(raw, checked)


def register_batches(
    content: bytes | str, checked: Checked, *, size: int | None = None
) -> Iterator[list[dict]]:
    """The good rows of an existing-accounts file, a batch per `size` rows read: each checked
    against the register and every earlier row of the file. Bad rows go to `checked.errors`."""
    return _batches(content, REGISTER_COLUMNS, _RegisterRows, checked, size)


def activity_batches(
    content: bytes | str, checked: Checked, *, size: int | None = None
) -> Iterator[list[dict]]:
    """The good rows of an activity export (handle, last post date, followers), batch by batch."""
    return _batches(content, ACTIVITY_COLUMNS, _ActivityRows, checked, size)


def check_activity_rows(rows: list[dict], checked: Checked) -> list[dict]:
    """The good rows of activity sent as data rather than a file (an integration's report
    through the API): the same checks as an export's rows, each row's `line` its position."""
    checked.total = checked.read = len(rows)
    return _ActivityRows().check(
        [
            (i, {k: str(v) if v is not None else "" for k, v in row.items()})
            for i, row in enumerate(rows, 1)
        ],
        checked,
    )


def check_register_file(content: bytes | str) -> Checked:
    """Read and check a whole existing-accounts file without keeping its rows (the benchmark's
    "checking alone")."""
    checked = Checked()
    for _batch in register_batches(content, checked):
        pass
    return checked


def check_activity_file(content: bytes | str) -> Checked:
    checked = Checked()
    for _batch in activity_batches(content, checked):
        pass
    return checked
