"""Reading and checking uploaded CSV files. Nothing here writes: each reader turns a file into
either a list of clean rows or a list of (line number, reason) for every bad row, so that the
service can write all of a file or none of it."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.handles import validate_handle
from accounts.models import SocialAccount
from core import csv_read
from people.models import Officer, Unit

MAX_ROWS = 50_000
PROGRESS_EVERY = 500

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
    rows: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total: int = 0
    encoding: str = ""
    delimiter: str = ""


def _normalise_header(name: str) -> str:
    key = name.strip().lower().replace(" ", "_").replace("-", "_").lstrip("\ufeff")
    return ALIASES.get(key, key) or key


def _rows(content: bytes | str, columns: dict[str, bool], checked: Checked):
    """Yield (line number, {column: value}) for each good data row; every unreadable row and
    every header problem is an error (see core.csv_read)."""
    try:
        table = csv_read.read(content, normalise=_normalise_header)
    except csv_read.Unreadable as exc:
        checked.errors.append(RowError(None, str(exc)))
        return
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
        return
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
        return
    for row in table.rows():
        if row.problem:
            checked.total += 1
            checked.errors.append(RowError(row.line, row.problem))
        else:
            yield row.line, row.values


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


def _choice(value: str, choices, default, label: str) -> str:
    if not value:
        return default
    by_value = {c.value: c.value for c in choices}
    by_label = {c.label.lower(): c.value for c in choices}
    key = value.strip().lower()
    if key in by_value:
        return by_value[key]
    if key in by_label:
        return by_label[key]
    allowed = ", ".join(c.value for c in choices)
    raise ValueError(f"{label} {value!r} is not one of: {allowed}.")


def check_register_file(
    content: bytes | str, progress: Callable[[int, int], None] | None = None
) -> Checked:
    """Every row of an existing-accounts file, checked against the register and each other."""
    checked = Checked()
    parsed = list(_rows(content, REGISTER_COLUMNS, checked))
    checked.total += len(parsed)
    if checked.total > MAX_ROWS:
        checked.errors.insert(
            0, RowError(None, f"The file has {checked.total} rows; the most is {MAX_ROWS}.")
        )
        return checked
    # Staff numbers are matched without regard to case (PS2231 and ps2231 are the same person).
    staff_numbers = {r.get("owner_staff_number", "").lower() for _, r in parsed} - {""}
    officers = {
        o.staff_number.lower(): o
        for o in Officer.objects.annotate(staff_lower=Lower("staff_number"))
        .filter(staff_lower__in=staff_numbers)
        .select_related("unit")
    }
    units = {u.code.lower(): u for u in Unit.objects.all()}
    taken = {
        (platform, handle.lower())
        for platform, handle in SocialAccount.objects.values_list("platform", "handle")
    }
    in_file: dict[tuple[str, str], int] = {}
    for index, (line, row) in enumerate(parsed, start=1):
        problems = []
        try:
            platform = _choice(
                row.get("platform", ""),
                SocialAccount.Platform,
                SocialAccount.Platform.X.value,
                "Platform",
            )
        except ValueError as exc:
            problems.append(str(exc))
            platform = None
        handle = row.get("handle", "").lstrip("@")
        if platform:
            try:
                validate_handle(handle, platform)
            except ValidationError as exc:
                problems.append(exc.messages[0])
            key = (platform, handle.lower())
            if key in taken:
                problems.append(f"@{handle} is already in the register on this platform.")
            elif key in in_file:
                problems.append(f"@{handle} also appears on line {in_file[key]} of this file.")
            else:
                in_file[key] = line
        display_name = row.get("display_name", "")
        if not display_name:
            problems.append("Enter the account's display name.")
        elif len(display_name) > 100:
            problems.append("The display name must be 100 characters or fewer.")
        values = {}
        for column, choices, default, label in (
            ("kind", SocialAccount.Kind, SocialAccount.Kind.INDIVIDUAL.value, "Kind"),
            ("status", SocialAccount.Status, SocialAccount.Status.ACTIVE.value, "Status"),
        ):
            try:
                values[column] = _choice(row.get(column, ""), choices, default, label)
            except ValueError as exc:
                problems.append(str(exc))
        staff = row.get("owner_staff_number", "")
        owner = officers.get(staff.lower()) if staff else None
        if not staff:
            problems.append("Enter the owner's staff or collar number.")
        elif owner is None:
            problems.append(f"No officer has the staff number {staff!r}.")
        elif owner.status == Officer.Status.LEFT:
            problems.append(f"The officer with staff number {staff!r} has left the force.")
        unit_code = row.get("unit_code", "")
        unit = units.get(unit_code.lower()) if unit_code else (owner.unit if owner else None)
        if unit_code and unit is None:
            problems.append(f"No unit has the code {unit_code!r}.")
        moments = {}
        for column in ("activated_on", "last_post_at"):
            if row.get(column):
                try:
                    moments[column] = parse_moment(row[column])
                except ValueError as exc:
                    problems.append(f"{column}: {exc}")
                else:
                    if moments[column] > timezone.now():
                        problems.append(f"{column}: {row[column]} is in the future.")
        if problems:
            checked.errors.append(RowError(line, " ".join(problems)))
        else:
            checked.rows.append(
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
        if progress and index % PROGRESS_EVERY == 0:
            progress(index, checked.total)
    return checked


def check_activity_file(
    content: bytes | str, progress: Callable[[int, int], None] | None = None
) -> Checked:
    """Every row of a platform or social-media-tool export: handle, last post date, followers."""
    checked = Checked()
    parsed = list(_rows(content, ACTIVITY_COLUMNS, checked))
    checked.total += len(parsed)
    if checked.total > MAX_ROWS:
        checked.errors.insert(
            0, RowError(None, f"The file has {checked.total} rows; the most is {MAX_ROWS}.")
        )
        return checked
    accounts = {
        (platform, handle.lower()): pk
        for pk, platform, handle in SocialAccount.objects.values_list("pk", "platform", "handle")
    }
    now = timezone.now()
    in_file: dict[int, int] = {}
    for index, (line, row) in enumerate(parsed, start=1):
        problems = []
        try:
            platform = _choice(
                row.get("platform", ""),
                SocialAccount.Platform,
                SocialAccount.Platform.X.value,
                "Platform",
            )
        except ValueError as exc:
            problems.append(str(exc))
            platform = None
        handle = row.get("handle", "").lstrip("@")
        account_id = accounts.get((platform, handle.lower())) if platform else None
        if not handle:
            problems.append("Enter the account's handle.")
        elif platform and account_id is None:
            problems.append(f"@{handle} is not in the register on this platform.")
        elif account_id in in_file:
            problems.append(f"@{handle} also appears on line {in_file[account_id]} of this file.")
        elif account_id is not None:
            in_file[account_id] = line
        last_post_at = None
        if not row.get("last_post_at"):
            problems.append("Enter the date of the last post.")
        else:
            try:
                last_post_at = parse_moment(row["last_post_at"])
            except ValueError as exc:
                problems.append(str(exc))
            else:
                if last_post_at > now:
                    problems.append(f"The last post date {row['last_post_at']} is in the future.")
        followers = None
        if row.get("followers"):
            raw = row["followers"].replace(",", "")
            if not raw.isdigit():
                problems.append(f"Followers {row['followers']!r} is not a whole number.")
            else:
                followers = int(raw)
        if problems:
            checked.errors.append(RowError(line, " ".join(problems)))
        else:
            checked.rows.append(
                {"account_id": account_id, "last_post_at": last_post_at, "followers": followers}
            )
        if progress and index % PROGRESS_EVERY == 0:
            progress(index, checked.total)
    return checked
