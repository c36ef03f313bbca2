"""Reading any CSV file a person's spreadsheet can save, the one place every import reads from.

The bytes are decoded by their byte-order mark (UTF-8, UTF-16 LE/BE as Excel's "Unicode text"),
else as UTF-8, else as Windows-1252; a file that is mostly control characters is refused as
binary. The delimiter (comma, semicolon or tab) is sniffed with `csv.Sniffer`. Rows come back
with their physical line number (blank lines counted), and a row that cannot be used (a NUL byte,
too many or too few values, broken quoting) comes back with the reason instead of its values, so
each import turns it into a line error and writes nothing."""

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
BOMS = (  # longest first: a UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 LE"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 BE"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8 with BOM"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 BE"),
)
CONTROL = frozenset(chr(c) for c in range(32)) - {"\t", "\n", "\r"}
BINARY_SHARE = 0.1  # more control characters than this in the first part: not a text file
SAMPLE = 64 * 1024


class Unreadable(ValueError):
    """The file as a whole cannot be read; the message says what to do."""


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]
    problem: str | None = None


@dataclass
class Table:
    encoding: str
    delimiter: str
    header: list[str]
    text: str

    @property
    def delimiter_name(self) -> str:
        return DELIMITERS[self.delimiter]

    @property
    def described(self) -> str:
        return f"Read as {self.encoding}, {self.delimiter_name}-separated."

    @property
    def header_hint(self) -> str:
        """Said beside a missing column, where a wrong delimiter may be why."""
        if len(self.header) > 1 and self.delimiter == ",":
            return ""
        return (
            f" {self.described} Separate the columns with commas, semicolons or tabs, "
            "one kind throughout."
        )

    def count(self) -> int:
        """How many non-blank rows follow the header, read without keeping them (a file is
        checked against the most an import takes before any row is looked at)."""
        return max(0, sum(1 for _ in _records(self.text, self.delimiter)) - 1)

    def rows(self) -> Iterator[Row]:
        """Each non-blank row after the header with its first physical line."""
        lines = _records(self.text, self.delimiter)
        next(lines, None)  # the header, already read
        width = len(self.header)
        for line, values, problem in lines:
            if problem:
                yield Row(line, {}, problem)
            elif len(values) != width:
                yield Row(
                    line,
                    {},
                    f"Expected {width} values, found {len(values)}: "
                    f"check for a stray {self.delimiter_name} or a missing value.",
                )
            else:
                yield Row(line, {n: v.strip() for n, v in zip(self.header, values, strict=True)})


def decode(data: bytes | str) -> tuple[str, str]:
    """The text of the file and the name of the encoding it was read in."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff"), "text"
    for bom, codec, name in BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec), name
            except UnicodeDecodeError:
                raise Unreadable(
                    f"The file starts as {name} text but is damaged further on. Save it again "
                    "from your spreadsheet as 'CSV UTF-8' and upload that."
                ) from None
    try:
        text, name = data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        try:
            text, name = data.decode("cp1252"), "Windows-1252"
        except UnicodeDecodeError:
            text, name = "", ""
    sample = text[:SAMPLE]
    if not name or (sample and sum(c in CONTROL for c in sample) > BINARY_SHARE * len(sample)):
        raise Unreadable(
            "The file is not a CSV text file (it looks like a spreadsheet or other binary "
            "file). Save it from your spreadsheet as 'CSV UTF-8' and upload that."
        )
    return text, name


def sniff(text: str) -> str:
    """Comma, semicolon or tab: csv.Sniffer over the first lines, else the header's commonest."""
    sample = "\n".join(text[:SAMPLE].splitlines()[:50]).replace("\x00", "")
    first = next((ln for ln in sample.splitlines() if ln.strip()), "")
    try:
        found = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        found = None
    if found in DELIMITERS and found in first:
        return found
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str], str | None]]:
    """(first physical line, values, problem) for each non-blank record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    done = 0  # physical lines read so far
    while True:
        start = done + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            done = reader.line_num
            yield start, [], f"This line cannot be read ({exc}): check its quotation marks."
            continue
        done = reader.line_num
        if "\x00" in "".join(values):
            yield (
                start,
                [],
                "This line holds a NUL byte (an invisible character a damaged or "
                "non-spreadsheet file has): retype the line or save the file again as CSV.",
            )
        elif any(v.strip() for v in values):
            yield start, values, None


def read(data: bytes | str, *, normalise: Callable[[str], str] = str.strip) -> Table:
    """Decode, sniff and read the header; `Unreadable` when the file has no usable header."""
    text, encoding = decode(data)
    delimiter = sniff(text)
    first = next(_records(text, delimiter), None)
    if first is None:
        raise Unreadable("The file is empty. Upload a CSV file with a header row.")
    line, values, problem = first
    if problem:
        raise Unreadable(f"The header row (line {line}) cannot be read: {problem}")
    return Table(encoding, delimiter, [normalise(v) for v in values], text)
