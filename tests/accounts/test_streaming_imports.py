"""Imports read and write a batch at a time inside one transaction: a bad row late in a file still
leaves nothing behind, each batch is one bulk insert per table, progress is visible from outside
while the transaction is open, and the audit chain stays whole. Exports stream."""

import csv
import datetime
import io

import pytest
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

import accounts.services as services
import accounts.views as accounts_views
from accounts.models import ActivityObservation, ImportJob, SocialAccount
from accounts.services import import_job_run, import_job_start
from audit.models import AuditEvent
from audit.selectors import verify_chain
from audit.services import snapshot
from core import bulk
from core.csv_safe import neutralise
from tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db

HEADER = "platform,handle,display_name,kind,owner_staff_number,unit_code,status,last_post_at\n"
BATCH = 500


@pytest.fixture(autouse=True)
def small_batches(settings):
    settings.IMPORT_BATCH_SIZE = BATCH


def _register_file(officer, rows: int, *, replace: dict | None = None) -> str:
    lines = [
        f"x,Stream{n:05d}WMP,Stream {n},individual,{officer.staff_number},,active,2026-10-01"
        for n in range(rows)
    ]
    for index, line in (replace or {}).items():
        lines[index] = line
    return HEADER + "\n".join(lines) + "\n"


def _import(actor, content, kind=ImportJob.Kind.REGISTER):
    job = import_job_start(
        actor=actor, kind=kind, filename="big.csv", content=content, reason="Streaming test"
    )
    return import_job_run(job_id=job.pk)  # a no-op when the eager task already ran it


@pytest.fixture
def inserts(monkeypatch):
    """Every bulk insert the import makes: (model name, rows)."""
    seen = []
    original = bulk.insert

    def spy(model, rows, **kwargs):
        seen.append((model.__name__, len(rows)))
        return original(model, rows, **kwargs)

    monkeypatch.setattr(bulk, "insert", spy)
    return seen


def test_a_bad_row_near_the_end_leaves_nothing_written(press_officer, officer, inserts):
    content = _register_file(
        officer, 3000, replace={2799: f"x,Bad Handle!,Bad,individual,{officer.staff_number},,,"}
    )
    events_before = AuditEvent.objects.count()
    job = _import(press_officer.user, content)
    assert job.status == ImportJob.Status.REJECTED
    assert [e["line"] for e in job.errors] == [2801]
    assert job.written_rows == 0 and job.total_rows == job.processed_rows == 3000
    # The earlier batches were written inside the transaction, then undone with it.
    assert ("SocialAccount", BATCH) in inserts
    assert not SocialAccount.objects.filter(handle__startswith="Stream").exists()
    assert not ActivityObservation.objects.filter(import_job=job).exists()
    assert not AuditEvent.objects.filter(action="socialaccount.imported").exists()
    assert AuditEvent.objects.count() == events_before + 2  # import.uploaded, import.rejected
    assert verify_chain()[1] is None


def test_each_batch_is_one_insert_per_table(press_officer, officer, inserts):
    job = _import(press_officer.user, _register_file(officer, 3000))
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors[:3]
    assert job.written_rows == 3000
    for model in ("SocialAccount", "ActivityObservation", "AuditEvent"):
        assert [n for name, n in inserts if name == model] == [BATCH] * 6, model


def test_a_file_of_one_batch_more_costs_a_constant_number_of_queries_more(press_officer, officer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(rows, prefix):
        content = _register_file(officer, rows).replace("Stream", prefix)
        with CaptureQueriesContext(connection) as captured:
            assert _import(press_officer.user, content).status == ImportJob.Status.SUCCEEDED
        return len(captured)

    two, four = queries(2 * BATCH, "Two"), queries(4 * BATCH, "Four")
    per_batch = (four - two) / 2
    assert per_batch <= 6  # look-ups, ids, audit chain head, latest activity: not per row
    assert four < 60


def test_a_handle_repeated_in_a_later_batch_names_the_first_line(press_officer, officer):
    repeated = f"x,stream00010wmp,Again,individual,{officer.staff_number},,,"
    job = _import(press_officer.user, _register_file(officer, 1200, replace={1100: repeated}))
    assert job.status == ImportJob.Status.REJECTED
    assert job.errors == [
        {"line": 1102, "message": "@stream00010wmp also appears on line 12 of this file."}
    ]
    assert not SocialAccount.objects.filter(handle__startswith="Stream").exists()


def test_a_batched_import_audits_every_account_as_before_and_keeps_the_chain(
    press_officer, officer
):
    job = _import(press_officer.user, _register_file(officer, 1100))
    assert job.status == ImportJob.Status.SUCCEEDED
    imported = AuditEvent.objects.filter(action="socialaccount.imported")
    assert imported.count() == 1100
    assert verify_chain()[1] is None
    account = SocialAccount.objects.get(handle="Stream01050WMP")
    event = imported.get(object_id=str(account.pk))
    assert event.object_type == "accounts.socialaccount"
    assert event.object_repr == str(account)
    assert event.actor == press_officer.user
    assert event.reason == f"Streaming test (import {job.pk}, big.csv)"
    # What `snapshot` says of the saved account, field for field (times as the same moment).
    expected = {k: v for k, v in snapshot(account).items() if v not in (None, "")}
    assert set(event.changes) == set(expected)
    for field, (before, after) in event.changes.items():
        assert before is None
        if field in ("created_at", "last_post_at"):
            assert datetime.datetime.fromisoformat(after) == account.__dict__[field]
        else:
            assert after == expected[field], field
    assert account.observations.get().import_job == job


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_outside_the_import_while_it_runs(press_officer, officer, monkeypatch):
    outside = connections.create_connection(DEFAULT_DB_ALIAS)
    seen = []
    original = services._Progress.__call__

    def spy(self, checked):
        original(self, checked)
        with outside.cursor() as cursor:  # another connection: sees only what is committed
            cursor.execute(
                "SELECT processed_rows, total_rows, status FROM accounts_importjob WHERE id = %s",
                [self.job_id],
            )
            seen.append(cursor.fetchone())
        with outside.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM accounts_socialaccount")
            seen.append(("accounts seen outside", cursor.fetchone()[0]))

    monkeypatch.setattr(services._Progress, "__call__", spy)
    try:
        job = _import(press_officer.user, _register_file(officer, 1800))
    finally:
        outside.close()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert seen[::2] == [
        (500, 1800, "validating"),
        (1000, 1800, "validating"),
        (1500, 1800, "validating"),
        (1800, 1800, "validating"),
    ]
    assert set(seen[1::2]) == {("accounts seen outside", 0)}  # nothing committed until the end
    assert SocialAccount.objects.filter(handle__startswith="Stream").count() == 1800


def test_activity_import_streams_in_batches(press_officer, officer, inserts):
    accounts = SocialAccountFactory.create_batch(1200, owner=officer, last_post_at=None)
    content = "handle,last_post_at,followers\n" + "".join(
        f"{a.handle},2026-11-0{1 + n % 5},{n}\n" for n, a in enumerate(accounts)
    )
    job = _import(press_officer.user, content, kind=ImportJob.Kind.ACTIVITY)
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors[:3]
    assert [n for name, n in inserts if name == "ActivityObservation"] == [500, 500, 200]
    assert ActivityObservation.objects.filter(import_job=job).count() == 1200
    last = accounts[-1]
    last.refresh_from_db()
    assert last.followers == 1199
    assert timezone.localtime(last.last_post_at).date() == datetime.date(2026, 11, 5)


def test_activity_import_with_a_late_bad_row_writes_nothing(press_officer, officer):
    accounts = SocialAccountFactory.create_batch(1100, owner=officer, last_post_at=None)
    rows = [f"{a.handle},2026-11-01,5\n" for a in accounts]
    rows[1050] = f"{accounts[3].handle},2026-11-01,5\n"  # listed twice
    job = _import(
        press_officer.user,
        "handle,last_post_at,followers\n" + "".join(rows),
        kind=ImportJob.Kind.ACTIVITY,
    )
    assert job.status == ImportJob.Status.REJECTED
    assert job.errors == [
        {
            "line": 1052,
            "message": f"@{accounts[3].handle} also appears on line 5 of this file.",
        }
    ]
    assert not ActivityObservation.objects.exists()
    assert not SocialAccount.objects.filter(last_post_at__isnull=False).exists()


def test_a_file_longer_than_the_most_is_refused_before_any_row_is_read(
    press_officer, officer, monkeypatch, inserts
):
    monkeypatch.setattr(services.imports, "MAX_ROWS", 1000)
    job = _import(press_officer.user, _register_file(officer, 1001))
    assert job.status == ImportJob.Status.REJECTED
    assert job.errors == [{"line": None, "message": "The file has 1001 rows; the most is 1000."}]
    assert inserts == []
    assert not SocialAccount.objects.filter(handle__startswith="Stream").exists()


# Bulk inserts -------------------------------------------------------------------------------


def test_bulk_insert_keeps_nulls_empty_text_json_and_gives_ids(press_officer):
    account = SocialAccountFactory()
    now = timezone.now()
    rows = [
        {
            "account_id": account.pk,
            "source": "import",
            "observed_at": now,
            "last_post_at": None,
            "followers": 7,
            "recorded_by_id": press_officer.user.pk,
            "import_job_id": None,
        }
    ]
    ids = bulk.insert(ActivityObservation, rows, with_ids=True)
    saved = ActivityObservation.objects.get(pk=ids[0])
    assert rows[0]["id"] == saved.pk
    assert saved.observed_at == now and saved.last_post_at is None and saved.followers == 7


def test_bulk_insert_raises_django_integrity_error(officer):
    taken = SocialAccountFactory(owner=officer, handle="TakenWMP")
    row = {
        "platform": "x",
        "handle": "takenwmp",
        "display_name": "Again",
        "kind": "individual",
        "owner_id": officer.pk,
        "unit_id": taken.unit_id,
        "status": "active",
        "created_at": timezone.now(),
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert(SocialAccount, [row], with_ids=True)


def test_a_clash_while_writing_fails_the_import_with_its_reason(
    press_officer, officer, monkeypatch
):
    """Someone registers a handle of the file after its batch was checked, before it is written."""
    batches, write = services.IMPORTS[ImportJob.Kind.REGISTER]

    def then_someone_registers(job, rows):
        SocialAccountFactory(owner=officer, handle=rows[-1]["handle"].lower())
        return write(job, rows)

    monkeypatch.setitem(
        services.IMPORTS, ImportJob.Kind.REGISTER, (batches, then_someone_registers)
    )
    job = _import(press_officer.user, _register_file(officer, 20))
    assert job.status == ImportJob.Status.FAILED
    assert "clashed with this file" in job.errors[0]["message"]
    assert not SocialAccount.objects.filter(handle__startswith="Stream").exists()


# Exports ------------------------------------------------------------------------------------


def _old_csv_response(filename, header, rows):
    """The export as it was built before it streamed: one buffer, every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(c) for c in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def test_register_export_streams_the_same_file_as_before(
    login, press_officer, officer, monkeypatch
):
    SocialAccountFactory.create_batch(1200, owner=officer)
    SocialAccountFactory(owner=officer, handle="FormulaWMP", display_name="=HYPERLINK(1)")
    client = login(press_officer)
    response = client.get(reverse("accounts:export"))
    assert response.streaming
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    chunks = list(response.streaming_content)
    assert len(chunks) > 2  # the header alone first, then rows a chunk at a time
    body = b"".join(chunks)
    rows = list(csv.reader(io.StringIO(body.decode())))
    assert len(rows) == 1 + 1201
    assert rows[0][:3] == ["Platform", "Handle", "Display name"]
    assert next(r for r in rows if r[1] == "FormulaWMP")[2] == "'=HYPERLINK(1)"

    monkeypatch.setattr(accounts_views, "csv_response", _old_csv_response)
    before = client.get(reverse("accounts:export"))
    assert not before.streaming
    assert body == before.content
    assert response["Content-Disposition"] == before["Content-Disposition"]
    assert response["Content-Type"] == before["Content-Type"]
