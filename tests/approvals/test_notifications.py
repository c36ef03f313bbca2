"""Who is told at each step, in the portal and by e-mail, and only once the change commits."""

import pytest
from django.conf import settings
from django.core import mail

from approvals import services
from approvals.models import BusinessCase
from notifications.models import Notification
from people.roles import Role
from tests.factories import DelegationFactory, OfficerFactory

pytestmark = pytest.mark.django_db


def test_submission_tells_the_supervisor_and_acting_supervisor_after_commit(
    draft, policy, supervisor, django_capture_on_commit_callbacks
):
    acting = OfficerFactory(roles=[Role.OFFICER, Role.SUPERVISOR])
    DelegationFactory(supervisor=supervisor, acting=acting)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.business_case_submit(
            actor=draft.applicant.user,
            case_id=draft.pk,
            policy_id=policy.pk,
            personal_use_read=True,
        )
    assert mail.outbox == []
    inbox = Notification.objects.filter(kind="case.submitted")
    assert {n.recipient for n in inbox} == {supervisor.user, acting.user}
    assert all(n.link == f"/cases/{draft.pk}/" for n in inbox)
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [supervisor.user.email, acting.user.email]
    )


def test_a_refused_decision_tells_nobody(submitted, press_officer, supervisor):
    from django.core.exceptions import PermissionDenied

    before = Notification.objects.count()
    with pytest.raises(PermissionDenied):
        services.business_case_decide(
            actor=press_officer.user, case_id=submitted.pk, outcome="approved"
        )
    assert Notification.objects.count() == before


def test_return_tells_the_applicant_with_the_comment(
    submitted, supervisor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.business_case_decide(
            actor=supervisor.user,
            case_id=submitted.pk,
            outcome="returned",
            comment="Say who covers your leave.",
        )
    [message] = mail.outbox
    assert message.to == [submitted.applicant.user.email]
    assert "Say who covers your leave." in message.body
    assert "submit it again" in message.body
    submitted.refresh_from_db()
    assert submitted.state == BusinessCase.State.RETURNED


def test_supervisor_approval_tells_the_press_office_mailbox_and_members(
    submitted, supervisor, press_officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.business_case_decide(
            actor=supervisor.user, case_id=submitted.pk, outcome="approved"
        )
    press = [m for m in mail.outbox if "waits for sign-off" in m.subject]
    # One e-mail to the shared mailbox; each member has the message in their portal inbox.
    assert [m.to[0] for m in press] == [settings.PRESS_OFFICE_EMAIL]
    assert Notification.objects.filter(
        recipient=press_officer.user, kind="case.supervisor_approved", email=""
    ).exists()


def test_a_press_office_return_says_who_returned_it_and_what_to_do(
    supervisor_approved, press_officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.business_case_decide(
            actor=press_officer.user,
            case_id=supervisor_approved.pk,
            outcome="returned",
            comment="Pick a shorter display name.",
        )
    [message] = mail.outbox
    assert message.subject.endswith(
        "Business case for @PriyaSharmaWMP: returned for changes by the press office"
    )
    label = f"{press_officer.full_name} ({press_officer.staff_number})"
    assert (
        f"{label} has returned for changes your business case for @PriyaSharmaWMP.\n\n"
        "Comment: Pick a shorter display name.\n\n"
        "Change the case and submit it again when you are ready.\n\n"
        f"Open it in the portal: {settings.PORTAL_BASE_URL}/cases/{supervisor_approved.pk}/"
    ) in message.body


def test_sign_off_tells_the_applicant_to_set_the_account_up_with_the_comment(
    supervisor_approved, press_officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.business_case_decide(
            actor=press_officer.user,
            case_id=supervisor_approved.pk,
            outcome="approved",
            comment="Welcome aboard.",
        )
    [message] = mail.outbox
    assert message.subject.endswith("@PriyaSharmaWMP is signed off: set the account up")
    assert "@PriyaSharmaWMP is in the register, pending set-up." in message.body
    assert "\n\nComment: Welcome aboard.\n\n" in message.body
    assert "submit it again" not in message.body
    latest = Notification.objects.latest("pk")
    assert (latest.kind, latest.subject) == (
        "case.decided",
        "@PriyaSharmaWMP is signed off: set the account up",
    )
