"""Hostile files (issue 14): whatever a spreadsheet saves is read, or each bad row is a line
error with its physical line; nothing is ever half-written, and no upload answers 500."""

import codecs

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import ActivityObservation, ImportJob, SocialAccount
from accounts.services import import_job_run, import_job_start
from audit.models import AuditEvent
from tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db

COLUMNS = ["platform", "handle", "display_name", "kind", "owner_staff_number"]


def _register(officer, *handles, delimiter=","):
    lines = [COLUMNS] + [
        ["x", h, f"Café £{i}", "individual", officer.staff_number] for i, h in enumerate(handles)
    ]
    return "".join(delimiter.join(line) + "\r\n" for line in lines)


def _run(actor, data, kind=ImportJob.Kind.REGISTER):
    job = import_job_start(
        actor=actor, kind=kind, filename="accounts.csv", content=data, reason="Day-one load"
    )
    return import_job_run(job_id=job.pk)


def _nothing_written(job, accounts_before=0, observations_before=0):
    assert job.status == ImportJob.Status.REJECTED and job.written_rows == 0
    assert SocialAccount.objects.count() == accounts_before
    assert ActivityObservation.objects.count() == observations_before
    assert not AuditEvent.objects.filter(action="socialaccount.imported").exists()
    assert AuditEvent.objects.filter(action="import.rejected", object_id=job.pk).count() == 1


@pytest.mark.parametrize(
    ("encode", "delimiter", "encoding", "delimiter_name"),
    [
        # Excel's "Unicode text": UTF-16 LE with a BOM, tab-separated
        (lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"), "\t", "UTF-16 LE", "tab"),
        (lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), ",", "UTF-16 BE", "comma"),
        (lambda t: codecs.BOM_UTF8 + t.encode(), ",", "UTF-8 with BOM", "comma"),
        (lambda t: t.encode("cp1252"), ",", "Windows-1252", "comma"),
        (lambda t: t.encode(), ";", "UTF-8", "semicolon"),
        (lambda t: t.encode(), "\t", "UTF-8", "tab"),
    ],
    ids=["utf16le-excel", "utf16be", "utf8-bom", "cp1252", "semicolon", "tab"],
)
def test_a_file_any_spreadsheet_saves_is_imported(
    press_officer, officer, encode, delimiter, encoding, delimiter_name
):
    job = _run(
        press_officer.user, encode(_register(officer, "AlphaWMP", "BravoWMP", delimiter=delimiter))
    )
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    assert (job.encoding, job.delimiter) == (encoding, delimiter_name)
    assert job.written_rows == 2
    assert SocialAccount.objects.get(handle="AlphaWMP").display_name == "Café £0"
    assert AuditEvent.objects.filter(action="socialaccount.imported").count() == 2


def test_a_stray_nul_byte_is_a_line_error_and_nothing_is_written(press_officer, officer):
    text = _register(officer, "AlphaWMP", "BravoWMP", "CharlieWMP").replace("BravoWMP", "Bra\x00vo")
    job = _run(press_officer.user, text.encode())
    assert [e["line"] for e in job.errors] == [3]
    assert "NUL byte" in job.errors[0]["message"]
    _nothing_written(job)


def test_a_utf16_file_with_a_nul_character_is_a_line_error(press_officer, officer):
    text = _register(officer, "AlphaWMP", "BravoWMP").replace("AlphaWMP", "Al\x00pha")
    job = _run(press_officer.user, codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert [e["line"] for e in job.errors] == [2]
    _nothing_written(job)


def test_a_binary_file_is_refused_in_words(press_officer):
    job = _run(press_officer.user, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8)
    assert job.errors == [{"line": None, "message": job.errors[0]["message"]}]
    assert "not a CSV text file" in job.errors[0]["message"]
    _nothing_written(job)


def test_too_many_and_too_few_values_are_line_errors(press_officer, officer):
    text = _register(officer, "AlphaWMP") + (
        f"x,BravoWMP,Bravo,individual,{officer.staff_number},extra,more\r\nx,CharlieWMP,Charlie\r\n"
    )
    job = _run(press_officer.user, text.encode())
    by_line = {e["line"]: e["message"] for e in job.errors}
    assert sorted(by_line) == [3, 4]
    assert "Expected 5 values, found 7" in by_line[3]
    assert "Expected 5 values, found 3" in by_line[4]
    _nothing_written(job)


def test_blank_lines_are_counted_in_the_line_number(press_officer, officer):
    text = (
        ",".join(COLUMNS)
        + "\r\n\r\n\r\n"
        + (
            f"x,AlphaWMP,Alpha,individual,{officer.staff_number}\r\n\r\n"
            "x,Bad Handle!,Bad,individual,99999999\r\n"
        )
    )
    job = _run(press_officer.user, text.encode())
    assert [e["line"] for e in job.errors] == [6]
    _nothing_written(job)


def test_a_semicolon_file_with_a_missing_column_names_the_delimiter(press_officer):
    job = _run(press_officer.user, b"platform;handle;display_name\r\nx;AlphaWMP;Alpha\r\n")
    assert "owner_staff_number" in job.errors[0]["message"]
    assert "semicolon-separated" in job.errors[0]["message"]
    _nothing_written(job)


def test_a_duplicate_handle_in_a_register_file_is_a_line_error(press_officer, officer):
    job = _run(press_officer.user, _register(officer, "AlphaWMP", "BravoWMP", "alphawmp").encode())
    assert job.errors == [{"line": 4, "message": "@alphawmp also appears on line 2 of this file."}]
    _nothing_written(job)


def test_a_duplicate_handle_in_an_activity_file_is_a_line_error(press_officer, officer):
    account = SocialAccountFactory(owner=officer, handle="AlphaWMP", last_post_at=None)
    SocialAccountFactory(owner=officer, handle="BravoWMP")
    observations = ActivityObservation.objects.count()
    text = (
        "platform;handle;last_post_at;followers\r\n"
        "x;AlphaWMP;2026-11-01;1,200\r\n"
        "x;BravoWMP;2026-11-01;\r\n"
        "\r\n"
        "x;@alphawmp;2026-11-02;1,300\r\n"
    )
    job = _run(press_officer.user, text.encode(), kind=ImportJob.Kind.ACTIVITY)
    assert job.errors == [{"line": 5, "message": "@alphawmp also appears on line 2 of this file."}]
    _nothing_written(job, accounts_before=2, observations_before=observations)
    account.refresh_from_db()
    assert account.last_post_at is None


def test_a_good_activity_file_in_utf16_is_imported(press_officer, officer):
    account = SocialAccountFactory(owner=officer, handle="AlphaWMP")
    text = "platform\thandle\tlast_post_at\tfollowers\r\nx\tAlphaWMP\t2026-11-01\t1,200\r\n"
    job = _run(
        press_officer.user,
        codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
        kind=ImportJob.Kind.ACTIVITY,
    )
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    assert (job.encoding, job.delimiter) == ("UTF-16 LE", "tab")
    assert ActivityObservation.objects.get(account=account, source="import").followers == 1200


@pytest.mark.parametrize(
    "data",
    [
        b"platform,handle,display_name,kind,owner_staff_number\r\nx,Al\x00pha,A,individual,1\r\n",
        codecs.BOM_UTF16_LE
        + (
            "platform\thandle\tdisplay_name\tkind\towner_staff_number\r\n"
            "x\tA\x00\tA\tindividual\t1\r\n"
        ).encode("utf-16-le"),
        b"platform,handle,display_name,kind,owner_staff_number\r\nx,A,B,individual,1,2,3\r\n",
    ],
    ids=["nul", "utf16-nul", "too-many"],
)
def test_hostile_uploads_through_the_page_answer_with_line_errors(
    login, press_officer, django_capture_on_commit_callbacks, data
):
    client = login(press_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:import", args=["register"]),
            {"file": SimpleUploadedFile("accounts.csv", data, "text/csv"), "reason": "Day one"},
        )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert bytes(job.data) == data  # kept as sent, NUL bytes and all
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "Nothing was imported" in html
    assert '<td class="govuk-table__cell app-numeric">2</td>' in html
    assert 'id="read-as"' in html
    _nothing_written(job)


def test_a_binary_upload_is_a_form_error_not_a_500(login, press_officer):
    response = login(press_officer).post(
        reverse("accounts:import", args=["activity"]),
        {"file": SimpleUploadedFile("a.csv", bytes(range(256)) * 8, "text/csv")},
    )
    assert response.status_code == 200
    assert "not a CSV text file" in response.content.decode()
    assert not ImportJob.objects.exists()
