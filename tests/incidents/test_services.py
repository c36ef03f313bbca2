"""The incident services against a real database: states, audit rows, mails, the guards."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.models import SocialAccount
from accounts.services import social_account_close
from audit.models import AuditEvent
from core.errors import WorkflowError
from custody.selectors import accounts_needing_credentials
from custody.services import credential_lodge
from incidents import services
from incidents.models import Incident, Report, Step, TimelineEntry
from incidents.selectors import times_by_month
from notifications.models import Notification
from tests.incidents.conftest import NEW_PASSWORD, OLD_PASSWORD

pytestmark = pytest.mark.django_db

NON_PRESS_STEPS = [s for s in Step.values if s != Step.PRESS_OFFICE_TOLD]


def _actions(obj):
    return list(
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("sequence")
        .values_list("action", flat=True)
    )


def _lodge(press_officer, account, password=NEW_PASSWORD):
    credential_lodge(
        actor=press_officer.user, account=account, login="priya@police.example", password=password
    )


def _step(actor, incident, step, note=""):
    return services.incident_record_step(
        actor=getattr(actor, "user", actor), incident_id=incident.pk, step=step, note=note
    )


def test_officer_reports_account_compromised_press_office_mailed_and_cannot_close_early(
    officer, supervisor, press_officer, account, report
):
    """Done when: reported as an officer → the account is compromised, the press office mailed,
    and the incident cannot be contained (let alone closed) before the password change and new
    login details are recorded."""
    rep, opened = report(officer, account)
    incident = rep.incident
    assert opened
    account.refresh_from_db()
    assert account.status == SocialAccount.Status.COMPROMISED
    assert incident.state == Incident.State.REPORTED
    assert incident.reported_by == officer.user
    # The press office: one e-mail to its shared mailbox, the message in each member's inbox;
    # the reporter, who knows, gets nothing.
    urgent = [m for m in mail.outbox if "may have been hacked" in m.subject]
    to = [address for m in urgent for address in m.to]
    assert sorted(to) == sorted([settings.PRESS_OFFICE_EMAIL, supervisor.user.email])
    assert Notification.objects.filter(
        recipient=press_officer.user, kind="incident.reported", email=""
    ).exists()
    assert not Notification.objects.filter(recipient=officer.user).exists()
    # Credential custody knows fresh login details are needed.
    assert account.credentials_required_since is not None
    assert account in accounts_needing_credentials()
    # Audit: the account's status change with before/after, and the incident's report.
    status_event = AuditEvent.objects.get(action="socialaccount.compromised")
    assert status_event.changes == {"status": ["active", "compromised"]}
    assert "incident.reported" in _actions(incident)

    # The press office cannot contain it: no password change, no new login details.
    with pytest.raises(WorkflowError, match="password has been changed"):
        services.incident_contain(actor=press_officer.user, incident_id=incident.pk)
    # Nor resolve it straight from reported.
    with pytest.raises(WorkflowError):
        services.incident_resolve(actor=press_officer.user, incident_id=incident.pk)
    _step(officer, incident, Step.PASSWORD_CHANGED)
    with pytest.raises(WorkflowError, match="new login details have not been lodged"):
        services.incident_contain(actor=press_officer.user, incident_id=incident.pk)
    incident.refresh_from_db()
    assert incident.state == Incident.State.REPORTED

    _lodge(press_officer, account)
    services.incident_contain(actor=press_officer.user, incident_id=incident.pk)
    incident.refresh_from_db()
    assert incident.state == Incident.State.CONTAINED
    assert "incident.contained" in _actions(incident)


def test_old_login_details_do_not_contain_the_incident(officer, press_officer, account, report):
    incident = report(officer, account)[0].incident
    _step(officer, incident, Step.PASSWORD_CHANGED)
    # The credential lodged a month ago is still there: it does not count.
    with pytest.raises(WorkflowError, match="not been lodged"):
        services.incident_contain(actor=press_officer.user, incident_id=incident.pk)
    with pytest.raises(WorkflowError, match="Lodge the new login details first"):
        _step(press_officer, incident, Step.PRESS_OFFICE_TOLD)


def test_resolve_needs_every_step_and_lessons_and_returns_the_account_to_active(
    officer, press_officer, account, report
):
    incident = report(officer, account)[0].incident
    _step(officer, incident, Step.PASSWORD_CHANGED)
    _lodge(press_officer, account)
    services.incident_contain(actor=press_officer.user, incident_id=incident.pk)
    with pytest.raises(WorkflowError, match="Steps still to do"):
        services.incident_resolve(actor=press_officer.user, incident_id=incident.pk)
    for step in NON_PRESS_STEPS[1:]:
        _step(officer, incident, step)
    _step(press_officer, incident, Step.PRESS_OFFICE_TOLD)
    with pytest.raises(WorkflowError, match="lessons learned"):
        services.incident_resolve(actor=press_officer.user, incident_id=incident.pk)
    services.incident_record_lessons(
        actor=press_officer.user, incident_id=incident.pk, lessons="Phishing DM; training booked."
    )
    services.incident_resolve(actor=press_officer.user, incident_id=incident.pk)
    incident.refresh_from_db()
    account.refresh_from_db()
    assert incident.state == Incident.State.RESOLVED
    assert account.status == SocialAccount.Status.ACTIVE
    recovered = AuditEvent.objects.get(action="socialaccount.recovered")
    assert recovered.changes == {"status": ["compromised", "active"]}
    assert _actions(incident)[-1] == "incident.resolved"
    assert _actions(incident).count("incident.step_recorded") == len(Step.values)
    # Nothing more can be recorded on a resolved incident.
    with pytest.raises(PermissionDenied):
        services.incident_add_note(actor=officer.user, incident_id=incident.pk, text="Late note")


def test_times_to_contain_and_resolve_come_from_the_recorded_steps(
    officer, press_officer, account, report
):
    """Done when: the times are computed from the recorded steps (and shown: see the views)."""
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        incident = report(officer, account)[0].incident
    with time_machine.travel(start + datetime.timedelta(minutes=40), tick=False):
        _step(officer, incident, Step.PASSWORD_CHANGED)
    with time_machine.travel(start + datetime.timedelta(hours=2), tick=False):
        _lodge(press_officer, account)
    with time_machine.travel(start + datetime.timedelta(hours=5), tick=False):
        # Marked contained later: the time counts to the last containing step, not the click.
        services.incident_contain(actor=press_officer.user, incident_id=incident.pk)
    with time_machine.travel(start + datetime.timedelta(days=1), tick=False):
        for step in NON_PRESS_STEPS[1:]:
            _step(officer, incident, step)
        _step(press_officer, incident, Step.PRESS_OFFICE_TOLD)
    with time_machine.travel(start + datetime.timedelta(days=2, hours=3), tick=False):
        services.incident_record_lessons(
            actor=press_officer.user, incident_id=incident.pk, lessons="Phishing awareness."
        )
    with time_machine.travel(start + datetime.timedelta(days=3), tick=False):
        services.incident_resolve(actor=press_officer.user, incident_id=incident.pk)
    incident.refresh_from_db()
    assert incident.time_to_contain == datetime.timedelta(hours=2)
    assert incident.time_to_resolve == datetime.timedelta(days=2, hours=3)
    assert times_by_month() == [
        {
            "month": "2026-03",
            "count": 1,
            "contain_median": 2.0,
            "contain_mean": 2.0,
            "resolve_median": 51.0,
            "resolve_mean": 51.0,
        }
    ]


def test_a_second_report_joins_the_open_incident(
    officer, other_officer, press_officer, account, report
):
    first, opened = report(officer, account)
    mail.outbox.clear()
    second, opened_again = report(other_officer, account, what_happened="Odd posts seen.")
    assert opened and not opened_again
    assert Incident.objects.count() == 1
    assert second.incident == first.incident
    assert Report.objects.filter(incident=first.incident).count() == 2
    assert list(first.incident.timeline.values_list("kind", flat=True)) == ["report", "report"]
    assert _actions(first.incident) == ["incident.reported", "incident.reported_again"]
    # One status change only, and the press office is told of the further report too.
    assert AuditEvent.objects.filter(action="socialaccount.compromised").count() == 1
    assert any(settings.PRESS_OFFICE_EMAIL in m.to for m in mail.outbox)
    assert Notification.objects.filter(
        recipient=press_officer.user, kind="incident.reported_again"
    ).exists()


def test_a_new_report_after_resolution_opens_a_new_incident(
    officer, press_officer, account, report
):
    incident = report(officer, account)[0].incident
    for step in NON_PRESS_STEPS:
        _step(officer, incident, step)
    _lodge(press_officer, account)
    _step(press_officer, incident, Step.PRESS_OFFICE_TOLD)
    services.incident_contain(actor=press_officer.user, incident_id=incident.pk)
    services.incident_record_lessons(actor=press_officer.user, incident_id=incident.pk, lessons="x")
    services.incident_resolve(actor=press_officer.user, incident_id=incident.pk)
    _, opened = report(officer, account)
    assert opened
    assert Incident.objects.count() == 2


def test_a_closed_account_cannot_be_reported(officer, press_officer, account, report):
    social_account_close(
        actor=press_officer.user, account=account, closed_on=timezone.localdate(), reason="Closed"
    )
    with pytest.raises(WorkflowError, match="closed"):
        report(officer, account)
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    "password", [OLD_PASSWORD, NEW_PASSWORD], ids=["before lodging", "after lodging"]
)
def test_the_lodged_password_is_cut_out_of_every_text_and_the_press_office_told(
    officer, press_officer, account, report, password, django_capture_on_commit_callbacks
):
    incident = report(officer, account)[0].incident
    if password == NEW_PASSWORD:
        _lodge(press_officer, account)
    with django_capture_on_commit_callbacks(execute=True):
        entry = services.incident_add_note(
            actor=officer.user, incident_id=incident.pk, text=f"I changed it to {password} now"
        )
        step = _step(officer, incident, Step.PASSWORD_CHANGED, note=f"new one: {password}")
        services.incident_record_lessons(
            actor=press_officer.user, incident_id=incident.pk, lessons=f"{password} leaked"
        )
    assert entry.text == "I changed it to [password removed] now"
    assert step.note == "new one: [password removed]"
    incident.refresh_from_db()
    assert incident.lessons == "[password removed] leaked"
    assert AuditEvent.objects.filter(action="credential.exposed_in_incident_text").count() == 3
    assert (
        Notification.objects.filter(
            kind="incident.password_exposed", recipient=press_officer.user
        ).count()
        == 2  # not for the lessons they wrote themselves
    )
    # Nothing of the password reached the incident, the trail or the notifications.
    assert not TimelineEntry.objects.filter(text__contains=password).exists()
    assert not AuditEvent.objects.filter(changes__icontains=password).exists()
    assert not AuditEvent.objects.filter(reason__contains=password).exists()
    assert not Notification.objects.filter(body__contains=password).exists()


def test_a_report_containing_the_password_opens_the_incident_without_it(officer, account, report):
    created, opened = report(
        officer, account, what_happened=f"My password {OLD_PASSWORD} stopped working"
    )
    assert opened
    assert created.what_happened == "My password [password removed] stopped working"
    account.refresh_from_db()
    assert account.status == SocialAccount.Status.COMPROMISED


def test_the_incident_models_hold_no_secret_fields():
    from incidents import models

    for model in (models.Incident, models.Report, models.IncidentStep, models.TimelineEntry):
        names = {f.name for f in model._meta.get_fields()}
        assert not {n for n in names if "password" in n or "secret" in n or "cipher" in n}


def test_the_timeline_is_append_only(officer, account, report):
    incident = report(officer, account)[0].incident
    entry = incident.timeline.get()
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        TimelineEntry.objects.update(text="changed")


def test_a_stale_form_records_nothing(officer, press_officer, account, report):
    incident = report(officer, account)[0].incident
    version = incident.version
    _step(officer, incident, Step.PASSWORD_CHANGED)
    _lodge(press_officer, account)
    services.incident_contain(actor=press_officer.user, incident_id=incident.pk)
    with pytest.raises(WorkflowError, match="changed since the page was opened"):
        services.incident_record_step(
            actor=officer.user,
            incident_id=incident.pk,
            step=Step.APPS_REVIEWED,
            expected_version=version,
        )


def test_reporting_the_same_step_twice_is_refused(officer, account, report):
    incident = report(officer, account)[0].incident
    _step(officer, incident, Step.PASSWORD_CHANGED)
    with pytest.raises(WorkflowError, match="already recorded"):
        _step(officer, incident, Step.PASSWORD_CHANGED)
    assert timezone.now() >= incident.steps.get().done_at


def test_a_handover_cannot_complete_while_the_account_is_compromised(
    officer, press_officer, account, report
):
    from handovers import services as handovers
    from tests.factories import AccountTransitionFactory

    transition = AccountTransitionFactory(
        account=account, kind="closure", successor=None, state="awaiting_press_office"
    )
    report(officer, account)
    with pytest.raises(WorkflowError, match="compromised: resolve its incident first"):
        handovers.closure_complete(
            actor=press_officer.user,
            transition_id=transition.pk,
            ticked=set(),
            deactivated_on=timezone.localdate(),
        )
    account.refresh_from_db()
    assert account.status == SocialAccount.Status.COMPROMISED


def _resolve(officer, press_officer, account, incident):
    for step in NON_PRESS_STEPS:
        _step(officer, incident, step)
    _lodge(press_officer, account)
    _step(press_officer, incident, Step.PRESS_OFFICE_TOLD)
    services.incident_contain(actor=press_officer.user, incident_id=incident.pk)
    services.incident_record_lessons(actor=press_officer.user, incident_id=incident.pk, lessons="x")
    services.incident_resolve(actor=press_officer.user, incident_id=incident.pk)
    account.refresh_from_db()
    return incident


@pytest.mark.parametrize(
    ("before", "activated", "under_way", "after"),
    [
        ("active", True, None, "active"),
        # Found by the incident state machine: an account registered as active without the
        # date it started (the register form and import allow it) went back to "pending set-up"
        # and had no way to become active again.
        ("active", False, None, "active"),
        ("pending_setup", False, None, "pending_setup"),
        ("active", True, "closure", "handover_pending"),
        ("active", True, "handover", "handover_pending"),
        # Found by the machine too: a repurposing leaves the account active, but resolving an
        # incident while one was open set it to "handover pending", and completing the
        # repurposing never made it active again.
        ("active", True, "repurpose", "active"),
    ],
)
def test_resolution_returns_the_account_to_what_it_was(
    officer, press_officer, supervisor, report, before, activated, under_way, after
):
    from handovers import services as handovers
    from tests.factories import OfficerFactory, SocialAccountFactory

    account = SocialAccountFactory(owner=officer, status=before)
    if not activated:
        SocialAccount.objects.filter(pk=account.pk).update(activated_on=None)
    if under_way:
        handovers.transition_start(
            actor=officer.user,
            account_id=account.pk,
            kind=under_way,
            reason="New post.",
            successor=OfficerFactory(unit=officer.unit, supervisor=supervisor),
            new_purpose="Posts about the new role.",
        )
        account.refresh_from_db()
    was = account.status
    incident = report(officer, account)[0].incident
    _resolve(officer, press_officer, account, incident)
    assert incident.account_status_before == was
    assert account.status == after
    recovered = AuditEvent.objects.filter(
        action="socialaccount.recovered", object_id=str(account.pk)
    ).get()
    assert recovered.changes["status"] == ["compromised", after]


def test_an_incident_opened_before_the_status_was_kept_reads_the_start_date(
    officer, press_officer, report
):
    """Incidents opened before `account_status_before` existed have it blank: an account
    without a start date is taken to have been pending set-up, as before."""
    from tests.factories import SocialAccountFactory

    account = SocialAccountFactory(owner=officer, status="pending_setup")
    incident = report(officer, account)[0].incident
    Incident.objects.filter(pk=incident.pk).update(account_status_before="")
    _resolve(officer, press_officer, account, incident)
    assert account.status == "pending_setup"
