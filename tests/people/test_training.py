"""The force's social media training: recorded by an administrator or imported, checked before a
supervisor approves a case, shown to the applicant and the supervisor when missing, and its
expiry told once."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from approvals import services as approvals
from approvals.models import BusinessCase, CaseState, Decision
from audit.models import AuditEvent
from core.errors import DomainError, WorkflowError
from notifications.models import Notification
from people import services
from people.models import Officer, Training
from people.selectors import training_gap
from tests.factories import BusinessCaseFactory, OfficerFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)


@pytest.fixture
def untrained(team, supervisor):
    return OfficerFactory(
        unit=team, supervisor=supervisor, trained=False, first_name="Priya", surname="Sharma"
    )


@pytest.fixture
def waiting(untrained, policy):
    case = BusinessCaseFactory(applicant=untrained, handle="PriyaSharmaWMP")
    return approvals.business_case_submit(
        actor=untrained.user, case_id=case.pk, policy_id=policy.pk, personal_use_read=True
    )


def _train(officer, admin, completed, expires=None):
    return services.training_record(
        actor=admin.user, officer_id=officer.pk, completed_on=completed, expires_on=expires
    )


def test_a_supervisor_cannot_approve_an_untrained_applicant_and_nothing_is_recorded(
    waiting, supervisor
):
    events = AuditEvent.objects.count()
    with pytest.raises(WorkflowError, match="Priya Sharma has no record of completing"):
        approvals.business_case_decide(
            actor=supervisor.user, case_id=waiting.pk, outcome=Decision.Outcome.APPROVED
        )
    waiting.refresh_from_db()
    assert waiting.state == CaseState.SUBMITTED
    assert not Decision.objects.filter(case=waiting).exists()
    assert AuditEvent.objects.count() == events


def test_expired_training_is_named_with_its_date(waiting, supervisor, administrator):
    today = timezone.localdate()
    _train(
        waiting.applicant,
        administrator,
        today - datetime.timedelta(days=800),
        today - datetime.timedelta(days=70),
    )
    gap = training_gap(waiting.applicant)
    assert "expired on" in gap
    with pytest.raises(WorkflowError, match="expired on"):
        approvals.business_case_decide(
            actor=supervisor.user, case_id=waiting.pk, outcome=Decision.Outcome.APPROVED
        )


def test_once_recorded_the_supervisor_approves(waiting, supervisor, administrator):
    _train(waiting.applicant, administrator, timezone.localdate() - datetime.timedelta(days=3))
    approvals.business_case_decide(
        actor=supervisor.user, case_id=waiting.pk, outcome=Decision.Outcome.APPROVED
    )
    waiting.refresh_from_db()
    assert waiting.state == CaseState.SUPERVISOR_APPROVED


def test_returning_the_case_needs_no_training(waiting, supervisor):
    approvals.business_case_decide(
        actor=supervisor.user,
        case_id=waiting.pk,
        outcome=Decision.Outcome.RETURNED,
        comment="Do the training first, then resubmit.",
    )
    waiting.refresh_from_db()
    assert waiting.state == CaseState.RETURNED


def test_applicant_and_supervisor_see_what_is_missing(waiting, supervisor, login, client):
    url = reverse("approvals:detail", args=[waiting.pk])
    for person in (waiting.applicant, supervisor):
        page = login(person).get(url).content.decode()
        assert 'id="training-gap"' in page
        assert "Priya Sharma has no record of completing the social media training" in page
        client.logout()


def test_no_warning_for_a_trained_applicant(submitted, supervisor, login):
    page = login(supervisor).get(reverse("approvals:detail", args=[submitted.pk])).content
    assert b'id="training-gap"' not in page


def test_recording_is_for_administrators_audited_and_checked(untrained, administrator, supervisor):
    with pytest.raises(PermissionDenied):
        _train(untrained, supervisor, TODAY)
    with pytest.raises(DomainError, match="future"):
        _train(untrained, administrator, timezone.localdate() + datetime.timedelta(days=1))
    record = _train(untrained, administrator, TODAY)
    assert record.expires_on == TODAY + datetime.timedelta(days=730)
    assert record.source == Training.Source.RECORDED
    event = AuditEvent.objects.get(action="training.recorded")
    assert (event.object_type, event.object_id) == ("people.officer", str(untrained.pk))
    assert event.actor_id == administrator.user_id
    with pytest.raises(DomainError, match="already recorded"):
        _train(untrained, administrator, TODAY)
    assert Training.objects.filter(officer=untrained).count() == 1


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("training.csv", text.encode(), content_type="text/csv")


def test_the_page_imports_a_file_whole(untrained, officer, administrator, login):
    client = login(administrator)
    body = (
        "staff_number,completed_on,expires_on\n"
        f"{untrained.staff_number},2026-10-01,\n"
        f"{officer.staff_number},2026-09-01,2027-09-01\n"
    )
    response = client.post(reverse("people:training"), {"import": "1", "file": _csv(body)})
    assert response.status_code == 200
    assert Training.objects.get(officer=untrained).source == Training.Source.IMPORTED
    assert officer.training.filter(expires_on=datetime.date(2027, 9, 1)).exists()
    assert AuditEvent.objects.filter(action="training.recorded").count() == 2


def test_a_bad_file_imports_nothing_and_lists_every_bad_line(untrained, administrator, login):
    client = login(administrator)
    body = (
        "staff_number,completed_on\n"
        f"{untrained.staff_number},2026-10-01\n"
        "NOBODY-1,2026-10-01\n"
        f"{untrained.staff_number},01/10/2026\n"
        f"{untrained.staff_number},2026-10-01\n"
    )
    before = Training.objects.count()
    response = client.post(reverse("people:training"), {"import": "1", "file": _csv(body)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Line 3: no officer has staff number" in page
    assert "Line 4: completed_on must look like 2026-11-24" in page
    assert "Line 5: the same completion appears twice (also on line 2)" in page
    assert Training.objects.count() == before
    assert not AuditEvent.objects.filter(action="training.recorded").exists()


def test_a_file_without_the_columns_says_so(administrator, login):
    response = login(administrator).post(
        reverse("people:training"), {"import": "1", "file": _csv("name,date\nx,y\n")}
    )
    assert response.status_code == 400
    assert "Missing column(s): staff_number, completed_on" in response.content.decode()


def test_the_record_form_says_what_is_wrong_next_to_the_field(administrator, login):
    response = login(administrator).post(
        reverse("people:training"),
        {"record": "1", "staff_number": "NOBODY-1", "completed_on": "yesterday"},
    )
    assert response.status_code == 400
    form = response.context["record_form"]
    assert form.errors["staff_number"] == ["No officer has staff number NOBODY-1"]
    assert form.errors["completed_on"] == ["Enter a date like 2026-11-24"]


def test_the_page_is_for_administrators_only(supervisor, press_officer, login, client):
    for person in (supervisor, press_officer):
        assert login(person).get(reverse("people:training")).status_code == 403
        client.logout()


def test_expiring_training_is_told_once_even_when_the_job_runs_twice(
    untrained, officer, administrator
):
    today = timezone.localdate()
    soon = _train(
        untrained,
        administrator,
        today - datetime.timedelta(days=700),
        today + datetime.timedelta(days=10),
    )
    # Renewed already: the old record expiring soon is not worth a message.
    Training.objects.filter(officer=officer).delete()
    _train(
        officer,
        administrator,
        today - datetime.timedelta(days=700),
        today + datetime.timedelta(days=10),
    )
    _train(officer, administrator, today - datetime.timedelta(days=1))
    # Left the force: not told.
    leaver = OfficerFactory(trained=False, status=Officer.Status.LEFT, status_changed_on=today)
    _train(
        leaver,
        administrator,
        today - datetime.timedelta(days=700),
        today + datetime.timedelta(days=5),
    )
    mail.outbox.clear()
    assert services.training_expiry_remind() == 1
    assert services.training_expiry_remind() == 0
    soon.refresh_from_db()
    assert soon.expiry_reminded_at is not None
    told = Notification.objects.filter(kind="training.expiring")
    assert [n.recipient_id for n in told] == [untrained.user_id]
    assert "expires on" in told[0].subject


def test_a_case_already_past_the_supervisor_is_not_held_back(supervisor_approved, press_officer):
    Training.objects.filter(officer=supervisor_approved.applicant).delete()
    approvals.business_case_decide(
        actor=press_officer.user,
        case_id=supervisor_approved.pk,
        outcome=Decision.Outcome.APPROVED,
    )
    assert BusinessCase.objects.get(pk=supervisor_approved.pk).state == CaseState.SIGNED_OFF
