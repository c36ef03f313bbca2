"""Cases waiting on a decision: reminded after the SLA in working days, escalated after twice it."""

import datetime

import pytest
import time_machine
from django.core import mail

from approvals import services as approvals
from approvals.models import Decision
from notifications.models import Notification
from reminders.models import Reminder
from reminders.services import decision_reminders
from tests.factories import BusinessCaseFactory, OfficerFactory

pytestmark = pytest.mark.django_db
LONDON = datetime.timezone(datetime.timedelta(0))


def at(day, hour=9):
    return datetime.datetime(2026, 11, day, hour, 0, tzinfo=LONDON)


@pytest.fixture
def run_on(django_capture_on_commit_callbacks):
    def run(moment):
        mail.outbox.clear()
        with (
            time_machine.travel(moment, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return decision_reminders()

    return run


@pytest.fixture
def inspector(supervisor):
    boss = OfficerFactory(rank="inspector")
    supervisor.supervisor = boss
    supervisor.save()
    return boss


def submit_at(moment, officer, policy, handle="PriyaSharmaWMP"):
    case = BusinessCaseFactory(applicant=officer, handle=handle)
    with time_machine.travel(moment, tick=False):
        return approvals.business_case_submit(
            actor=officer.user, case_id=case.pk, policy_id=policy.pk, personal_use_read=True
        )


def test_supervisor_reminded_after_three_working_days_then_escalated(
    officer, supervisor, inspector, policy, run_on
):
    case = submit_at(at(2), officer, policy)  # Monday
    assert run_on(at(5)).total == 0  # Thursday: only three days have begun
    result = run_on(at(6))  # Friday: three full working days waited
    assert result.created == {"decision_overdue": 1, "decision_escalated": 0}
    assert [m.to for m in mail.outbox] == [[supervisor.user.email]]
    assert "waiting for your decision" in mail.outbox[0].subject
    assert run_on(at(6, 15)).total == 0  # the hourly run again: nothing more
    assert run_on(at(10)).total == 0
    assert run_on(at(11)).created == {"decision_overdue": 0, "decision_escalated": 1}
    assert [m.to for m in mail.outbox] == [[inspector.user.email]]
    assert "Escalated:" in mail.outbox[0].subject
    assert run_on(at(20)).total == 0
    assert Reminder.objects.filter(subject_id=case.pk).count() == 2


def test_weekend_does_not_count(officer, supervisor, policy, run_on):
    submit_at(at(6), officer, policy)  # Friday
    assert run_on(at(11)).total == 0  # Wednesday: Mon, Tue and Wed only begun
    assert run_on(at(12)).created["decision_overdue"] == 1


def test_press_office_queue_is_reminded_too(officer, supervisor, press_officer, policy, run_on):
    case = submit_at(at(2), officer, policy)
    with time_machine.travel(at(3), tick=False):
        approvals.business_case_decide(
            actor=supervisor.user, case_id=case.pk, outcome=Decision.Outcome.APPROVED
        )
    assert run_on(at(6)).total == 0  # the press office's wait began on Tuesday
    assert run_on(at(9)).created["decision_overdue"] == 1
    recipients = {m.to[0] for m in mail.outbox}
    # The mailbox gets the e-mail; each member of the press office the message in the portal.
    assert recipients == {"press-office@localhost"}
    assert Notification.objects.filter(
        recipient=press_officer.user, kind="decision_overdue", email=""
    ).exists()
    assert supervisor.user.email not in recipients


def test_a_new_submission_starts_a_new_wait(officer, supervisor, policy, run_on):
    case = submit_at(at(2), officer, policy)
    run_on(at(6))
    with time_machine.travel(at(6, 10), tick=False):
        approvals.business_case_decide(
            actor=supervisor.user,
            case_id=case.pk,
            outcome=Decision.Outcome.RETURNED,
            comment="More detail",
        )
    with time_machine.travel(at(9), tick=False):
        approvals.business_case_submit(
            actor=officer.user, case_id=case.pk, policy_id=policy.pk, personal_use_read=True
        )
    assert run_on(at(12)).total == 0  # Thursday after a Monday resubmission
    assert run_on(at(13)).created["decision_overdue"] == 1


def test_case_decided_before_delivery_sends_nothing(
    officer, supervisor, policy, django_capture_on_commit_callbacks
):
    case = submit_at(at(2), officer, policy)
    with (
        time_machine.travel(at(6), tick=False),
        django_capture_on_commit_callbacks(execute=False) as queued,
    ):
        decision_reminders()
    approvals.business_case_decide(
        actor=supervisor.user, case_id=case.pk, outcome=Decision.Outcome.APPROVED
    )
    mail.outbox.clear()
    for callback in queued:
        callback()
    assert not any("waiting for your decision" in m.subject for m in mail.outbox)
    assert Reminder.objects.get().notified_at is not None


def test_an_escalation_for_the_press_office_names_it_and_goes_to_its_manager(
    officer, supervisor, press_officer, policy, run_on, settings
):
    settings.PRESS_OFFICE_MANAGER_EMAIL = "press-manager@test.wmp.example"
    case = submit_at(at(2), officer, policy)
    with time_machine.travel(at(3), tick=False):
        approvals.business_case_decide(
            actor=supervisor.user, case_id=case.pk, outcome=Decision.Outcome.APPROVED
        )
    assert run_on(at(13)).created == {"decision_overdue": 1, "decision_escalated": 1}
    # Both rungs reached in one run make one message, the escalation, to everyone either names.
    assert not [m for m in mail.outbox if "Escalated" not in m.subject]
    escalations = {
        m.to[0]: m
        for m in mail.outbox
        if m.subject.endswith(
            "Escalated: business case for @PriyaSharmaWMP has waited 10 days for the press office"
        )
    }
    assert set(escalations) == {"press-manager@test.wmp.example", "press-office@localhost"}
    escalation = escalations["press-manager@test.wmp.example"]
    assert escalation.body.startswith(
        "Escalation: the business case below has waited 10 days for the press office, twice"
    )
    assert f"Case {case.pk}: @PriyaSharmaWMP (" in escalation.body
    link = f"{settings.PORTAL_BASE_URL}/cases/{case.pk}/"
    assert escalation.body.endswith(f"Open it in the portal: {link}")
