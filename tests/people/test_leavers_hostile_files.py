"""Hostile HR movers-and-leavers files (issue 14): read whatever a spreadsheet saves, or name
each bad line (blank lines counted); nothing marked, and the leavers page never answers 500."""

import codecs
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.selectors import orphaned_accounts
from audit.models import AuditEvent
from people import services
from people.models import Officer

pytestmark = pytest.mark.django_db


def _yesterday():
    return (timezone.localdate() - datetime.timedelta(days=1)).isoformat()


def _nothing_marked(*officers):
    for officer in officers:
        officer.refresh_from_db()
        assert officer.status == Officer.Status.SERVING
    assert not AuditEvent.objects.filter(action__startswith="officer.marked").exists()


def test_an_excel_unicode_text_file_is_read(administrator, officer):
    text = f"staff_number\tstatus\tdate\r\n{officer.staff_number}\tleft\t{_yesterday()}\r\n"
    report = services.leavers_import(
        actor=administrator.user, content=codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    )
    assert report.ok, report.errors
    assert (report.encoding, report.delimiter) == ("UTF-16 LE", "tab")
    officer.refresh_from_db()
    assert officer.status == Officer.Status.LEFT


def test_a_semicolon_cp1252_file_is_read(administrator, officer):
    text = f"staff_number;status;date\r\n{officer.staff_number};moved;{_yesterday()}\r\n"
    report = services.leavers_import(actor=administrator.user, content=text.encode("cp1252"))
    assert report.ok, report.errors
    assert report.delimiter == "semicolon"


def test_too_many_and_too_few_values_and_a_nul_are_line_errors_after_blank_lines(
    administrator, officer, other_officer
):
    day = _yesterday()
    text = (
        "staff_number,status,date\r\n"
        "\r\n"
        f"{officer.staff_number},left,{day},an extra value\r\n"  # line 3: too many
        "\r\n"
        f"{other_officer.staff_number},moved\r\n"  # line 5: too few
        f"{other_officer.staff_number},mov\x00ed,{day}\r\n"  # line 6: NUL
    )
    report = services.leavers_import(actor=administrator.user, content=text.encode())
    by_line = {e["line"]: e["message"] for e in report.errors}
    assert sorted(by_line) == [3, 5, 6]
    assert "Expected 3 values, found 4" in by_line[3]
    assert "Expected 3 values, found 2" in by_line[5]
    assert "NUL byte" in by_line[6]
    assert report.rows == []
    _nothing_marked(officer, other_officer)


def test_blank_lines_before_a_bad_row_give_its_physical_line(administrator, officer):
    day = _yesterday()
    text = f"staff_number,status,date\n\n\n{officer.staff_number},left,{day}\n\n99999,moved,{day}\n"
    report = services.leavers_import(actor=administrator.user, content=text)
    assert [e["line"] for e in report.errors] == [6]
    _nothing_marked(officer)


def test_a_staff_number_twice_in_one_file_is_a_line_error(administrator, officer):
    day = _yesterday()
    text = (
        f"staff_number,status,date\n{officer.staff_number},left,{day}\n"
        f"{officer.staff_number.lower()},left,{day}\n"
    )
    report = services.leavers_import(actor=administrator.user, content=text.encode())
    assert [e["line"] for e in report.errors] == [3]
    assert "appears twice (also on line 2)" in report.errors[0]["message"]
    _nothing_marked(officer)


def test_a_binary_file_is_refused_in_words(administrator):
    report = services.leavers_import(actor=administrator.user, content=bytes(range(256)) * 8)
    assert report.errors[0]["line"] is None
    assert "not a CSV text file" in report.errors[0]["message"]


@pytest.mark.parametrize(
    "data",
    [
        b"staff_number,status,date\r\n\r\n1234,left,2026-01-01,extra\r\n",
        b"staff_number,status,date\r\n\r\n12\x0034,left,2026-01-01\r\n",
        codecs.BOM_UTF16_LE
        + "staff_number\tstatus\tdate\r\n\r\n1234\tleft\r\n".encode("utf-16-le"),
    ],
    ids=["too-many", "nul", "utf16-too-few"],
)
def test_hostile_files_on_the_leavers_page_are_line_errors_not_500s(
    post, login, administrator, officer, data
):
    login(administrator)
    response = post(
        reverse("handovers:leavers"),
        {"import": "1", "file": SimpleUploadedFile("hr.csv", data, content_type="text/csv")},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported" in page and "Line 3:" in page
    assert 'id="read-as"' in page
    _nothing_marked(officer)
    assert not orphaned_accounts().exists()


def test_a_binary_file_on_the_leavers_page_is_a_form_error(post, login, administrator):
    login(administrator)
    response = post(
        reverse("handovers:leavers"),
        {"import": "1", "file": SimpleUploadedFile("hr.csv", bytes(range(256)) * 8)},
    )
    assert response.status_code == 200
    assert "not a CSV text file" in response.content.decode()
    assert not AuditEvent.objects.filter(action__startswith="officer.marked").exists()
