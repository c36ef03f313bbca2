"""Done when: one case from draft to active account, through the web pages, as four people."""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.models import SocialAccount
from approvals.models import BusinessCase, Decision, PolicyAcknowledgement, SetupChecklist
from audit.models import AuditEvent
from notifications.models import Notification

pytestmark = pytest.mark.django_db

CASE_FORM = {
    "platform": "x",
    "kind": "individual",
    "handle": "PriyaSharmaWMP",
    "display_name": "PC Priya Sharma",
    "policing_purpose": "Raise trust and confidence in Stechford.",
    "audience": "Residents of Stechford and Yardley North.",
    "attracting_audience": "Follow residents' groups; hand out cards at ward meetings.",
    "benefits_force": "Direct line to the community; intelligence on local priorities.",
    "benefits_public": "Hear what their team does about the issues they raised.",
    "expected_outcomes": "More reports of anti-social behaviour through 101.",
    "communications_plan": "Three posts a week; PC Khan covers leave.",
    "hours_per_week": "3",
    "is_event_or_campaign": "no",
    "hashtag_alternative": "Continuing neighbourhood engagement, not a single event.",
}


def _actions(case):
    return list(
        AuditEvent.objects.filter(object_type="approvals.businesscase", object_id=str(case.pk))
        .order_by("sequence")
        .values_list("action", flat=True)
    )


def _sent_to():
    return sorted(address for message in mail.outbox for address in message.to)


def test_draft_to_active_account_as_four_people(
    client, login, officer, supervisor, press_officer, policy, django_capture_on_commit_callbacks
):
    officer.first_name, officer.surname = "Priya", "Sharma"
    officer.save()

    # 1. The officer writes a draft, then submits it.
    login(officer)
    assert client.get(reverse("approvals:create")).status_code == 200
    response = client.post(reverse("approvals:create"), CASE_FORM)
    assert response.status_code == 302, response.content.decode()[:3000]
    case = BusinessCase.objects.get()
    assert case.state == BusinessCase.State.DRAFT
    assert case.applicant == officer
    assert _actions(case) == ["business_case.created"]

    page = client.get(reverse("approvals:submit", args=[case.pk])).content.decode()
    assert policy.title in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("approvals:submit", args=[case.pk]),
            {"policy": policy.pk, "read_policy": "on", "read_personal_use": "on"},
        )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == BusinessCase.State.SUBMITTED
    assert case.policy_acknowledged == policy and case.personal_use_acknowledged
    assert PolicyAcknowledgement.objects.filter(officer=officer, policy=policy).exists()
    assert _actions(case)[-1] == "business_case.submitted"
    assert _sent_to() == [supervisor.user.email]
    assert "@PriyaSharmaWMP" in mail.outbox[0].subject
    in_portal = Notification.objects.get(recipient=supervisor.user, kind="case.submitted")
    assert in_portal.link == reverse("approvals:detail", args=[case.pk])
    mail.outbox.clear()

    # 2. The supervisor finds it in their queue, with its age, and approves it.
    client.logout()
    login(supervisor)
    queue = client.get(reverse("approvals:supervisor_queue")).content.decode()
    assert "@PriyaSharmaWMP" in queue and 'data-age-days="0"' in queue
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("approvals:decide", args=[case.pk]),
            {"outcome": "approved", "comment": "Good plan.", "version": "1-submitted"},
        )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == BusinessCase.State.SUPERVISOR_APPROVED
    first = case.decisions.get()
    assert (first.stage, first.outcome, first.decided_by, first.comment) == (
        Decision.Stage.SUPERVISOR,
        Decision.Outcome.APPROVED,
        supervisor.user,
        "Good plan.",
    )
    event = AuditEvent.objects.filter(object_id=str(case.pk)).order_by("sequence").last()
    assert event.action == "business_case.supervisor_approved"
    assert event.actor == supervisor.user
    assert event.changes["state"] == ["submitted", "supervisor_approved"]
    assert _sent_to() == sorted([officer.user.email, settings.PRESS_OFFICE_EMAIL])
    mail.outbox.clear()

    # 3. The press office signs it off: the account enters the register, pending set-up.
    client.logout()
    login(press_officer)
    assert "@PriyaSharmaWMP" in client.get(reverse("approvals:press_office_queue")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("approvals:decide", args=[case.pk]),
            {"outcome": "approved", "comment": "", "version": "1-supervisor_approved"},
        )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == BusinessCase.State.SIGNED_OFF
    second = case.decisions.order_by("pk").last()
    assert (second.stage, second.outcome, second.decided_by) == (
        Decision.Stage.PRESS_OFFICE,
        Decision.Outcome.APPROVED,
        press_officer.user,
    )
    account = case.account
    assert (account.handle, account.status, account.owner) == (
        "PriyaSharmaWMP",
        SocialAccount.Status.PENDING_SETUP,
        officer,
    )
    assert AuditEvent.objects.filter(
        object_type="accounts.socialaccount",
        object_id=str(account.pk),
        action="socialaccount.registered_from_case",
        actor=press_officer.user,
    ).exists()
    assert _actions(case)[-1] == "business_case.press_office_approved"
    assert _sent_to() == [officer.user.email]
    assert "signed off" in mail.outbox[0].subject
    mail.outbox.clear()

    # 4. The officer again: works through the set-up checklist and sends it to the press office.
    client.logout()
    login(officer)
    page = client.get(reverse("approvals:detail", args=[case.pk])).content.decode()
    assert "Set-up checklist" in page
    # The guidance: lodge the login details with the press office (encrypted in custody).
    lodged = client.post(
        reverse("custody:lodge", args=[account.pk]),
        {"login": "priya.sharma@police.example", "password": "Tr0ub4dor&3-horse"},
    )
    assert lodged.status_code == 302
    items = {name: "on" for name, _ in SetupChecklist.ITEMS}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("approvals:setup", args=[case.pk]), {**items, "done": "1"})
    assert response.status_code == 302
    checklist = SetupChecklist.objects.get(case=case)
    assert checklist.all_done and checklist.completed_at is not None
    assert checklist.login_lodged_by == officer.user and checklist.login_lodged_at
    ticked = AuditEvent.objects.get(
        object_id=str(account.pk), action="socialaccount.setup_checklist_updated"
    )
    assert ticked.changes["login_lodged"] == [False, True]
    assert ticked.actor == officer.user
    assert _sent_to() == [settings.PRESS_OFFICE_EMAIL]  # its members read it there
    mail.outbox.clear()

    # The press office confirms the checklist: the account is active, the case registered.
    client.logout()
    login(press_officer)
    assert "@PriyaSharmaWMP" in client.get(reverse("approvals:press_office_queue")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("approvals:setup_confirm", args=[case.pk]))
    assert response.status_code == 302
    case.refresh_from_db()
    account.refresh_from_db()
    assert case.state == BusinessCase.State.REGISTERED
    assert account.status == SocialAccount.Status.ACTIVE and account.activated_on
    activated = AuditEvent.objects.get(object_id=str(account.pk), action="socialaccount.activated")
    assert activated.changes["status"] == ["pending_setup", "active"]
    assert activated.actor == press_officer.user
    assert _actions(case) == [
        "business_case.created",
        "business_case.submitted",
        "business_case.supervisor_approved",
        "business_case.press_office_approved",
        "business_case.registered",
    ]
    assert _sent_to() == [officer.user.email]
    assert "is active" in mail.outbox[0].subject
    assert list(
        Notification.objects.filter(recipient=officer.user)
        .order_by("pk")
        .values_list("kind", flat=True)
    ) == ["case.decided", "case.decided", "case.registered"]
    assert case.decisions.count() == 2

    page = client.get(reverse("approvals:detail", args=[case.pk])).content.decode()
    assert "Account registered" in page and "Active" in page
