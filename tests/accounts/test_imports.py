"""CSV imports: every bad row reported with its line, nothing written when any row is bad, a
10,000-row file in one go, progress shown while it runs."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import ActivityObservation, ImportJob, SocialAccount
from accounts.services import RegisterError, import_job_run, import_job_start
from audit.models import AuditEvent
from audit.selectors import verify_chain
from tests.factories import ImportJobFactory, OfficerFactory, SocialAccountFactory, UnitFactory

pytestmark = pytest.mark.django_db

HEADER = "platform,handle,display_name,kind,owner_staff_number,unit_code,status,last_post_at\n"


def _start(actor, content, kind=ImportJob.Kind.REGISTER, reason="Day-one load"):
    job = import_job_start(
        actor=actor, kind=kind, filename="accounts.csv", content=content, reason=reason
    )
    return import_job_run(job_id=job.pk)  # no-op if the eager task already ran it


def test_good_file_imports_every_row_with_audit_and_observations(press_officer, officer):
    unit = UnitFactory(code="bilston")
    content = HEADER + (
        f"x,AlphaWMP,Alpha,individual,{officer.staff_number},,active,2026-11-01\n"
        f"instagram,bravo_team,Bravo,team,{officer.staff_number},bilston,,\n"
    )
    job = _start(press_officer.user, content)
    assert job.status == ImportJob.Status.SUCCEEDED
    assert job.written_rows == 2 and job.errors == []
    alpha = SocialAccount.objects.get(handle="AlphaWMP")
    bravo = SocialAccount.objects.get(handle="bravo_team")
    assert alpha.unit == officer.unit and bravo.unit == unit
    assert bravo.status == "active" and bravo.platform == "instagram"
    assert alpha.last_post_at.date().isoformat() == "2026-11-01"
    assert ActivityObservation.objects.filter(account=alpha, source="import").count() == 1
    imported = AuditEvent.objects.filter(action="socialaccount.imported")
    assert imported.count() == 2
    assert all("Day-one load" in e.reason for e in imported)
    assert verify_chain()[1] is None


def test_bad_rows_are_each_reported_and_nothing_is_written(press_officer, officer):
    SocialAccountFactory(owner=officer, handle="TakenWMP")
    leaver = OfficerFactory(status="left", status_changed_on=timezone.localdate())
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    content = HEADER + (
        f"x,GoodOneWMP,Good,individual,{officer.staff_number},,,\n"  # line 2: fine
        f"x,takenwmp,Dup,individual,{officer.staff_number},,,\n"  # 3: already registered
        f"x,Bad Handle!,Bad,individual,{officer.staff_number},,,\n"  # 4: characters
        f"x,NoOwnerWMP,No owner,individual,99999999,,,\n"  # 5: unknown staff number
        f"myspace,SomeoneWMP,Old,individual,{officer.staff_number},,,\n"  # 6: platform
        f"x,GoodOneWMP,Again,individual,{officer.staff_number},,,\n"  # 7: duplicate in file
        f"x,LeaverWMP,Leaver,individual,{leaver.staff_number},,,\n"  # 8: left the force
        f"x,FutureWMP,Future,individual,{officer.staff_number},,,{future}\n"  # 9: future date
        f"x,NoUnitWMP,Unit,individual,{officer.staff_number},atlantis,,\n"  # 10: unit
        f"x,KindWMP,Kind,robot,{officer.staff_number},,,\n"  # 11: kind
        "x,TooFewWMP\n"  # 12: wrong number of values
    )
    before = SocialAccount.objects.count()
    job = _start(press_officer.user, content)
    assert job.status == ImportJob.Status.REJECTED
    assert job.written_rows == 0
    by_line = {e["line"]: e["message"] for e in job.errors}
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    assert "already in the register" in by_line[3]
    assert "letters, numbers and underscores" in by_line[4]
    assert "No officer has the staff number '99999999'" in by_line[5]
    assert "Platform 'myspace' is not one of" in by_line[6]
    assert "also appears on line 2" in by_line[7]
    assert "has left the force" in by_line[8]
    assert "is in the future" in by_line[9]
    assert "No unit has the code 'atlantis'" in by_line[10]
    assert "Kind 'robot' is not one of" in by_line[11]
    assert "Expected 8 values, found 2" in by_line[12]
    assert SocialAccount.objects.count() == before
    assert not SocialAccount.objects.filter(handle="GoodOneWMP").exists()
    assert not AuditEvent.objects.filter(action="socialaccount.imported").exists()
    assert AuditEvent.objects.filter(action="import.rejected", object_id=job.pk).count() == 1


def test_header_problems_are_reported_on_line_one(press_officer):
    job = _start(press_officer.user, "handle,display_name,colour\nAWMP,A,blue\n")
    assert job.status == ImportJob.Status.REJECTED
    assert job.errors[0]["line"] == 1
    assert "owner_staff_number" in job.errors[0]["message"]


def test_empty_file_is_rejected(press_officer):
    job = _start(press_officer.user, "")
    assert job.status == ImportJob.Status.REJECTED
    assert "empty" in job.errors[0]["message"]


def test_ten_thousand_rows_import_in_one_go(press_officer, officer):
    rows = [
        f"x,Bulk{n:05d}WMP,Bulk account {n},individual,{officer.staff_number},,active,2026-10-01"
        for n in range(10_000)
    ]
    job = _start(press_officer.user, HEADER + "\n".join(rows) + "\n")
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors[:3]
    assert job.written_rows == 10_000
    assert job.processed_rows == job.total_rows == 10_000
    assert SocialAccount.objects.filter(handle__startswith="Bulk").count() == 10_000
    assert AuditEvent.objects.filter(action="socialaccount.imported").count() == 10_000
    assert ActivityObservation.objects.filter(import_job=job).count() == 10_000
    assert verify_chain()[1] is None


def test_a_job_runs_once_even_if_the_task_is_delivered_twice(press_officer, officer):
    content = HEADER + f"x,OnceWMP,Once,individual,{officer.staff_number},,,\n"
    job = _start(press_officer.user, content)
    again = import_job_run(job_id=job.pk)
    assert again.status == ImportJob.Status.SUCCEEDED
    assert SocialAccount.objects.filter(handle="OnceWMP").count() == 1
    assert AuditEvent.objects.filter(action="import.succeeded").count() == 1


def test_officers_cannot_import(officer):
    with pytest.raises(RegisterError):
        import_job_start(actor=officer.user, kind="register", filename="a.csv", content="x")
    with pytest.raises(RegisterError):
        import_job_start(actor=officer.user, kind="activity", filename="a.csv", content="x")
    assert not ImportJob.objects.exists()


def test_register_import_needs_a_reason(press_officer):
    with pytest.raises(RegisterError, match="reason"):
        import_job_start(
            actor=press_officer.user, kind="register", filename="a.csv", content="x", reason=" "
        )


# Through the pages ------------------------------------------------------------------------------


def test_upload_page_runs_the_import_and_shows_each_bad_row(
    login, press_officer, officer, django_capture_on_commit_callbacks
):
    content = HEADER + (
        f"x,FineWMP,Fine,individual,{officer.staff_number},,,\nx,,No handle,individual,,,,\n"
    )
    client = login(press_officer)
    with django_capture_on_commit_callbacks(execute=True):  # the (eager) Celery task runs
        response = client.post(
            reverse("accounts:import", args=["register"]),
            {
                "file": SimpleUploadedFile("accounts.csv", content.encode(), "text/csv"),
                "reason": "Day one",
            },
        )
    assert ImportJob.objects.get().status == ImportJob.Status.REJECTED
    response = client.get(response["Location"])
    html = response.content.decode()
    assert "Nothing was imported" in html
    assert "Enter a handle." in html
    assert "Enter the owner&#x27;s staff or collar number." in html
    assert '<td class="govuk-table__cell app-numeric">3</td>' in html
    assert 'http-equiv="refresh"' not in html  # finished: no more refreshing
    assert not SocialAccount.objects.filter(handle="FineWMP").exists()


def test_upload_form_errors(login, press_officer):
    client = login(press_officer)
    response = client.post(
        reverse("accounts:import", args=["register"]),
        {"file": SimpleUploadedFile("accounts.xlsx", b"PK\x03\x04", "application/zip")},
    )
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "must be a CSV file" in html
    assert "Enter the reason for registering these accounts" in html
    assert not ImportJob.objects.exists()


def test_status_page_shows_progress_and_refreshes_while_running(login, press_officer):
    job = ImportJobFactory(
        created_by=press_officer.user,
        status=ImportJob.Status.VALIDATING,
        total_rows=8000,
        processed_rows=2000,
    )
    html = login(press_officer).get(reverse("accounts:import_status", args=[job.pk])).content
    html = html.decode()
    assert '<meta http-equiv="refresh" content="3">' in html
    assert "Checked 2000 of 8000 rows (25%)" in html


def test_officer_cannot_reach_import_pages(login, officer, press_officer):
    job = ImportJobFactory(created_by=press_officer.user)
    client = login(officer)
    assert client.get(reverse("accounts:import", args=["register"])).status_code == 403
    assert client.get(reverse("accounts:import", args=["activity"])).status_code == 403
    assert client.get(reverse("accounts:imports")).status_code == 403
    assert client.get(reverse("accounts:import_status", args=[job.pk])).status_code == 404


# Activity imports -------------------------------------------------------------------------------


def test_activity_import_keeps_each_observation_and_moves_the_latest_forward(
    press_officer, officer
):
    newer = timezone.now() - timedelta(days=1)
    fresh = SocialAccountFactory(owner=officer, handle="FreshWMP", last_post_at=newer)
    quiet = SocialAccountFactory(owner=officer, handle="QuietWMP", last_post_at=None)
    content = (
        "handle,last_post_date,followers\n"
        '@freshwmp,2026-01-05,"1,250"\n'  # older than what we hold: kept, not applied
        "QuietWMP,03/11/2026,87\n"
    )
    job = _start(press_officer.user, content, kind="activity", reason="")
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    fresh.refresh_from_db()
    quiet.refresh_from_db()
    assert fresh.last_post_at == newer
    assert fresh.followers == 1250
    assert quiet.last_post_at.date().isoformat() == "2026-11-03"
    assert quiet.followers == 87
    assert ActivityObservation.objects.filter(import_job=job).count() == 2


def test_activity_import_with_unknown_handle_writes_nothing(press_officer, officer):
    SocialAccountFactory(owner=officer, handle="KnownWMP")
    content = "handle,last_post_at,followers\nKnownWMP,2026-11-01,10\nGhostWMP,2026-11-01,5\n"
    job = _start(press_officer.user, content, kind="activity", reason="")
    assert job.status == ImportJob.Status.REJECTED
    assert job.errors == [
        {"line": 3, "message": "@GhostWMP is not in the register on this platform."}
    ]
    assert not ActivityObservation.objects.exists()


def test_a_job_held_by_a_live_run_is_left_alone(press_officer, officer):
    job = ImportJobFactory(
        created_by=press_officer.user,
        content=HEADER + f"x,HeldWMP,Held,individual,{officer.staff_number},,,\n",
        status=ImportJob.Status.VALIDATING,
        started_at=timezone.now() - timedelta(minutes=5),
    )
    assert import_job_run(job_id=job.pk).status == ImportJob.Status.VALIDATING
    assert not SocialAccount.objects.filter(handle="HeldWMP").exists()


def test_a_job_whose_worker_died_is_taken_over(press_officer, officer):
    job = ImportJobFactory(
        created_by=press_officer.user,
        content=HEADER + f"x,OrphanWMP,Orphan,individual,{officer.staff_number},,,\n",
        status=ImportJob.Status.WRITING,
        started_at=timezone.now() - timedelta(hours=2),
    )
    assert import_job_run(job_id=job.pk).status == ImportJob.Status.SUCCEEDED
    assert SocialAccount.objects.filter(handle="OrphanWMP").count() == 1


def test_a_run_that_lost_its_claim_writes_nothing(press_officer, officer, monkeypatch):
    """Two deliveries of one task: the first run's claim is taken over before it commits."""
    import accounts.services as services

    job = ImportJobFactory(
        created_by=press_officer.user,
        content=HEADER + f"x,RaceWMP,Race,individual,{officer.staff_number},,,\n",
    )
    batches, write = services.IMPORTS[ImportJob.Kind.REGISTER]

    def read_then_lose_the_claim(content, checked):
        yield from batches(content, checked)
        ImportJob.objects.filter(pk=job.pk).update(started_at=timezone.now() + timedelta(1))

    monkeypatch.setitem(
        services.IMPORTS, ImportJob.Kind.REGISTER, (read_then_lose_the_claim, write)
    )
    result = import_job_run(job_id=job.pk)
    assert result.status == ImportJob.Status.VALIDATING  # the other run's to finish
    assert not SocialAccount.objects.filter(handle="RaceWMP").exists()


def test_activity_upload_through_the_page(
    login, press_officer, officer, django_capture_on_commit_callbacks
):
    account = SocialAccountFactory(owner=officer, handle="PageWMP", last_post_at=None)
    content = "handle,last_post_at,followers\nPageWMP,2026-11-02,12\n"
    client = login(press_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:import", args=["activity"]),
            {"file": SimpleUploadedFile("export.csv", content.encode(), "text/csv")},
        )
    html = client.get(response["Location"]).content.decode()
    assert "1 row imported" in html
    account.refresh_from_db()
    assert account.last_post_at.date().isoformat() == "2026-11-02"
    assert account.followers == 12


def test_unknown_import_kind_is_not_found(login, press_officer):
    assert login(press_officer).get("/register/import/people/").status_code == 404
