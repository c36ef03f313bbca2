"""The register import under arbitrary files (issue 12, part 3): no file raises; a bad file or row
is a line error in the report; a file with any error writes no account at all."""

import csv
import io

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from accounts.imports import REGISTER_COLUMNS, check_register_file
from accounts.models import ImportJob, SocialAccount
from accounts.services import import_job_run, import_job_start
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

SETTINGS = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
}
STAFF = "20001"  # the press officer's own staff number, set in the tests below
CELL = {
    "platform": st.sampled_from(["x", "X", "facebook", "Instagram", "", "myspace"]),
    "handle": st.one_of(
        st.sampled_from(["AlphaWMP", "@alphawmp", "BravoWMP", "has space", "", "a" * 40]),
        st.from_regex(r"@?[A-Za-z0-9_]{1,20}", fullmatch=True),
    ),
    "display_name": st.one_of(st.just("Stechford Police"), st.text(max_size=120)),
    "kind": st.sampled_from(["individual", "team", "", "nobody"]),
    "owner_staff_number": st.sampled_from([STAFF, "99999", "", " 20001"]),
    "unit_code": st.sampled_from(["", "stechford", "nowhere"]),
    "status": st.sampled_from(["", "active", "closed", "dormant", "nonsense"]),
    "activated_on": st.sampled_from(["", "2024-01-31", "31/01/2024", "2999-01-01", "yesterday"]),
    "last_post_at": st.sampled_from(["", "2024-05-01 10:00", "not a date", "2999-01-01"]),
}
GOOD_ROW = {"platform": "x", "display_name": "Stechford Police", "owner_staff_number": STAFF}


def _csv(rows: list[dict], columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _cell(name):
    return st.one_of(CELL[name], st.text(max_size=30))


COLUMNS = st.sets(st.sampled_from([*REGISTER_COLUMNS, "colour"]), min_size=1).map(sorted)
# Mostly files a person might make (known columns, cells near the rules); some with any text.
FILES = st.one_of(
    COLUMNS.flatmap(
        lambda columns: st.lists(
            st.fixed_dictionaries({c: _cell(c) for c in columns if c in CELL}), max_size=6
        ).map(lambda rows: _csv(rows, columns))
    ),
    st.lists(
        st.fixed_dictionaries(
            {"handle": CELL["handle"]}, optional={c: CELL[c] for c in CELL if c != "handle"}
        ),
        min_size=1,
        max_size=6,
    ).map(lambda rows: _csv([GOOD_ROW | r for r in rows], list(REGISTER_COLUMNS))),
)
# Files every row of which is good, so that the import's writing side is exercised too.
GOOD_FILES = st.lists(
    st.from_regex(r"[A-Za-z]{3,10}WMP", fullmatch=True), min_size=1, max_size=6, unique_by=str.lower
).map(lambda handles: _csv([GOOD_ROW | {"handle": h} for h in handles], [*GOOD_ROW, "handle"]))
RAW = st.one_of(st.binary(max_size=400), st.text(max_size=400).map(str.encode))


@pytest.fixture
def press(press_officer):
    press_officer.staff_number = STAFF
    press_officer.save(update_fields=["staff_number"])
    return press_officer


def _reported(checked):
    for error in checked.errors:
        assert error.line is None or error.line >= 1
        assert isinstance(error.message, str) and error.message.strip()


@settings(max_examples=100, **SETTINGS)
@given(content=st.one_of(FILES.map(str.encode), RAW))
@example(content=b"\xff\xfe\x00h\x00a")
@example(content=b"handle,display_name,owner_staff_number\n\x00,x,1\n")
@example(content=b'handle,display_name,owner_staff_number\n"unclosed,x,1\n')
def test_checking_any_register_file_never_raises_and_reports_by_line(press, content):
    checked = check_register_file(content)
    _reported(checked)
    assert checked.good <= checked.read <= checked.total
    bad_lines = {e.line for e in checked.errors if e.line is not None and e.line > 1}
    assert checked.good + len(bad_lines) <= checked.read


OUTCOMES: dict[str, int] = {}  # how the imports above ended, shown by the test below (pytest -s)


@settings(max_examples=30, **SETTINGS)
@given(content=st.one_of(FILES, GOOD_FILES, RAW.map(lambda b: b.decode("utf-8", "replace"))))
def test_importing_any_register_file_writes_all_of_it_or_nothing(press, content):
    with transaction.atomic():
        accounts = SocialAccount.objects.count()
        job = import_job_start(
            actor=press.user,
            kind=ImportJob.Kind.REGISTER,
            filename="accounts.csv",
            content=content,
            reason="Day-one load",
        )
        job = import_job_run(job_id=job.pk)
        assert job.status in (ImportJob.Status.SUCCEEDED, ImportJob.Status.REJECTED), job.errors
        OUTCOMES[job.status] = OUTCOMES.get(job.status, 0) + 1
        imported = AuditEvent.objects.filter(action="socialaccount.imported").count()
        if job.status == ImportJob.Status.REJECTED:
            assert job.errors
            for error in job.errors:
                assert error["message"].strip()
            assert job.written_rows == 0
            assert SocialAccount.objects.count() == accounts
            assert imported == 0
        else:
            assert not job.errors
            assert SocialAccount.objects.count() == accounts + job.written_rows > accounts
            assert imported == job.written_rows
        transaction.set_rollback(True)


def test_the_imports_both_succeeded_and_were_rejected():
    """Runs after the property above in the same module: both outcomes were exercised."""
    if OUTCOMES:
        print(OUTCOMES)
        assert set(OUTCOMES) == {ImportJob.Status.SUCCEEDED, ImportJob.Status.REJECTED}, OUTCOMES
