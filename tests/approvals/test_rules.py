"""Who may see and decide a case: each rule over its cases, at the service and through the web."""

import pytest
import rules
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from approvals import services
from approvals.models import BusinessCase, Decision
from core.errors import WorkflowError
from people.roles import Role, ensure_role_groups
from tests.factories import BusinessCaseFactory, DelegationFactory, OfficerFactory

pytestmark = pytest.mark.django_db


def _decide(user, case, outcome=Decision.Outcome.APPROVED, comment=""):
    return services.business_case_decide(
        actor=user, case_id=case.pk, outcome=outcome, comment=comment
    )


@pytest.mark.parametrize(
    ("person", "allowed"),
    [
        ("officer", True),
        ("supervisor", True),
        ("press_officer", True),
        ("auditor", True),
        ("other_officer", False),
        ("other_supervisor", False),
    ],
)
def test_who_may_view_a_case(request, draft, person, allowed):
    user = request.getfixturevalue(person).user
    assert rules.has_perm("approvals.view_businesscase", user, draft) is allowed


@pytest.mark.parametrize(
    ("person", "allowed"),
    [
        ("officer", False),
        ("supervisor", True),
        ("press_officer", False),
        ("other_supervisor", False),
    ],
)
def test_who_may_decide_as_supervisor(request, draft, person, allowed):
    user = request.getfixturevalue(person).user
    assert rules.has_perm("approvals.decide_as_supervisor", user, draft) is allowed


def test_self_approval_is_refused_even_with_a_delegation_naming_the_applicant(
    submitted, officer, supervisor
):
    DelegationFactory(supervisor=supervisor, acting=officer)
    with pytest.raises(PermissionDenied):
        _decide(officer.user, submitted)
    submitted.refresh_from_db()
    assert submitted.state == BusinessCase.State.SUBMITTED
    assert not Decision.objects.exists()


def test_self_approval_through_the_web_is_refused(login, submitted, officer):
    response = login(officer).post(
        reverse("approvals:decide", args=[submitted.pk]),
        {"outcome": "approved", "comment": "", "version": "1-submitted"},
    )
    assert response.status_code == 403
    assert not Decision.objects.exists()


def test_press_officer_cannot_sign_off_their_own_case(policy, supervisor):
    applicant = OfficerFactory(supervisor=supervisor, roles=[Role.OFFICER, Role.PRESS_OFFICE])
    case = BusinessCaseFactory(applicant=applicant)
    services.business_case_submit(
        actor=applicant.user, case_id=case.pk, policy_id=policy.pk, personal_use_read=True
    )
    _decide(supervisor.user, case)
    with pytest.raises(PermissionDenied):
        _decide(applicant.user, case)
    case.refresh_from_db()
    assert case.state == BusinessCase.State.SUPERVISOR_APPROVED
    assert case.decisions.count() == 1


def test_another_teams_supervisor_is_refused(login, submitted, other_supervisor):
    with pytest.raises(PermissionDenied):
        _decide(other_supervisor.user, submitted)
    response = login(other_supervisor).post(
        reverse("approvals:decide", args=[submitted.pk]),
        {"outcome": "approved", "comment": "", "version": "1-submitted"},
    )
    assert response.status_code == 404
    submitted.refresh_from_db()
    assert submitted.state == BusinessCase.State.SUBMITTED
    assert not Decision.objects.exists()


def test_acting_supervisor_decides_and_is_recorded_as_acting(submitted, supervisor):
    acting = OfficerFactory(rank="sergeant", roles=[Role.OFFICER, Role.SUPERVISOR])
    DelegationFactory(supervisor=supervisor, acting=acting)
    decision = _decide(acting.user, submitted)
    assert decision.decided_by == acting.user
    assert decision.acting_for == supervisor


@pytest.mark.parametrize("url_name", ["detail", "edit", "submit"])
def test_officer_opening_another_officers_case_gets_404_and_none_of_it(
    login, draft, other_officer, url_name
):
    response = login(other_officer).get(reverse(f"approvals:{url_name}", args=[draft.pk]))
    assert response.status_code == 404
    html = response.content.decode()
    assert draft.handle not in html
    assert draft.policing_purpose not in html


def test_another_officer_cannot_post_to_a_case(login, submitted, other_officer):
    client = login(other_officer)
    for name in ["withdraw", "decide", "setup", "setup_confirm"]:
        assert client.post(reverse(f"approvals:{name}", args=[submitted.pk])).status_code == 404
    submitted.refresh_from_db()
    assert submitted.state == BusinessCase.State.SUBMITTED


def test_another_officers_case_is_not_in_my_list(login, draft, other_officer):
    html = login(other_officer).get(reverse("approvals:mine")).content.decode()
    assert draft.handle not in html


def test_press_office_cannot_sign_off_before_the_supervisor_approves(
    login, submitted, press_officer
):
    with pytest.raises(PermissionDenied):
        _decide(press_officer.user, submitted)
    response = login(press_officer).post(
        reverse("approvals:decide", args=[submitted.pk]),
        {"outcome": "approved", "comment": "", "version": "1-submitted"},
    )
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.state == BusinessCase.State.SUBMITTED
    assert submitted.account is None
    assert not Decision.objects.exists()


def test_press_office_cannot_decide_a_draft(draft, press_officer):
    with pytest.raises(WorkflowError):
        _decide(press_officer.user, draft)


def test_supervisor_cannot_decide_twice_or_at_the_press_office_stage(
    supervisor_approved, supervisor
):
    with pytest.raises(PermissionDenied):
        _decide(supervisor.user, supervisor_approved)
    assert supervisor_approved.decisions.count() == 1


def test_posted_state_owner_and_decided_by_are_ignored(
    login, client, officer, other_officer, supervisor, policy
):
    from tests.approvals.test_walkthrough import CASE_FORM

    login(officer)
    client.post(
        reverse("approvals:create"),
        {
            **CASE_FORM,
            "state": "registered",
            "applicant": other_officer.pk,
            "owner": other_officer.pk,
            "account": "1",
            "submission_count": "7",
        },
    )
    case = BusinessCase.objects.get()
    assert case.state == BusinessCase.State.DRAFT
    assert case.applicant == officer
    assert case.submission_count == 0 and case.account is None

    client.post(
        reverse("approvals:edit", args=[case.pk]),
        {**CASE_FORM, "display_name": "PC P Sharma", "state": "supervisor_approved"},
    )
    case.refresh_from_db()
    assert case.state == BusinessCase.State.DRAFT and case.display_name == "PC P Sharma"

    client.post(
        reverse("approvals:submit", args=[case.pk]),
        {"policy": policy.pk, "read_policy": "on", "read_personal_use": "on", "state": "x"},
    )
    client.logout()
    login(supervisor)
    client.post(
        reverse("approvals:decide", args=[case.pk]),
        {
            "outcome": "approved",
            "comment": "",
            "version": "1-submitted",
            "decided_by": other_officer.user.pk,
            "stage": "press_office",
            "state": "registered",
        },
    )
    decision = Decision.objects.get()
    assert decision.decided_by == supervisor.user
    assert decision.stage == Decision.Stage.SUPERVISOR
    case.refresh_from_db()
    assert case.state == BusinessCase.State.SUPERVISOR_APPROVED


def test_state_cannot_be_set_directly(draft):
    with pytest.raises(AttributeError):
        draft.state = BusinessCase.State.REGISTERED


def test_decisions_are_never_edited_or_deleted(supervisor_approved):
    decision = supervisor_approved.decisions.get()
    decision.comment = "changed"
    with pytest.raises(PermissionError):
        decision.save()
    with pytest.raises(PermissionError):
        decision.delete()
    with pytest.raises(PermissionError):
        Decision.objects.update(comment="x")
    with pytest.raises(PermissionError):
        Decision.objects.all().delete()


def test_applicant_withdraws_before_a_decision(login, submitted, officer, supervisor):
    response = login(officer).post(reverse("approvals:withdraw", args=[submitted.pk]))
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == BusinessCase.State.WITHDRAWN
    with pytest.raises(WorkflowError):
        _decide(supervisor.user, submitted)


def test_applicant_cannot_withdraw_after_the_supervisor_approved(supervisor_approved, officer):
    with pytest.raises(WorkflowError):
        services.business_case_withdraw(actor=officer.user, case_id=supervisor_approved.pk)


def test_supervisor_cannot_withdraw_the_officers_case(submitted, supervisor):
    with pytest.raises(PermissionDenied):
        services.business_case_withdraw(actor=supervisor.user, case_id=submitted.pk)


def test_return_then_resubmit_needs_both_decisions_again(
    submitted, officer, supervisor, press_officer, policy
):
    _decide(supervisor.user, submitted, Decision.Outcome.APPROVED)
    _decide(press_officer.user, submitted, Decision.Outcome.RETURNED, "Shorter display name")
    submitted.refresh_from_db()
    assert submitted.state == BusinessCase.State.RETURNED
    services.business_case_update(
        actor=officer.user, case_id=submitted.pk, data={"display_name": "PC Sharma"}
    )
    services.business_case_submit(
        actor=officer.user, case_id=submitted.pk, policy_id=policy.pk, personal_use_read=True
    )
    submitted.refresh_from_db()
    assert (submitted.state, submitted.submission_count) == (BusinessCase.State.SUBMITTED, 2)
    with pytest.raises(PermissionDenied):
        _decide(press_officer.user, submitted)
    _decide(supervisor.user, submitted)
    _decide(press_officer.user, submitted)
    submitted.refresh_from_db()
    assert submitted.state == BusinessCase.State.SIGNED_OFF
    assert list(submitted.decisions.values_list("submission", "stage", "outcome")) == [
        (1, "supervisor", "approved"),
        (1, "press_office", "returned"),
        (2, "supervisor", "approved"),
        (2, "press_office", "approved"),
    ]


def test_returning_needs_a_comment(submitted, supervisor):
    with pytest.raises(WorkflowError):
        _decide(supervisor.user, submitted, Decision.Outcome.RETURNED, "  ")
    assert not Decision.objects.exists()


def test_case_cannot_be_changed_while_with_the_supervisor(submitted, officer):
    with pytest.raises(WorkflowError):
        services.business_case_update(
            actor=officer.user, case_id=submitted.pk, data={"display_name": "Other"}
        )


def test_supervisor_cannot_change_the_officers_case(login, draft, supervisor):
    with pytest.raises(PermissionDenied):
        services.business_case_update(
            actor=supervisor.user, case_id=draft.pk, data={"display_name": "Mine now"}
        )
    assert login(supervisor).get(reverse("approvals:edit", args=[draft.pk])).status_code == 403


def test_applicant_opening_edit_while_submitted_is_sent_back_with_a_message(
    login, submitted, officer
):
    response = login(officer).get(reverse("approvals:edit", args=[submitted.pk]), follow=True)
    assert "can be changed only as a draft" in response.content.decode()


def test_set_up_cannot_be_confirmed_until_login_details_are_lodged(
    signed_off, officer, press_officer
):
    from approvals.models import SetupChecklist
    from custody.services import credential_lodge

    services.setup_checklist_update(
        actor=officer.user,
        case_id=signed_off.pk,
        ticked={name for name, _ in SetupChecklist.ITEMS},
        done=True,
    )
    with pytest.raises(WorkflowError, match="No login details are lodged"):
        services.setup_confirm(actor=press_officer.user, case_id=signed_off.pk)
    signed_off.refresh_from_db()
    assert signed_off.account.status == "pending_setup"
    credential_lodge(
        actor=officer.user,
        account=signed_off.account,
        login="pc@police.example",
        password="a-Long-unique-pass-9",
    )
    account = services.setup_confirm(actor=press_officer.user, case_id=signed_off.pk)
    assert account.status == "active"


def test_one_person_cannot_make_both_decisions(officer, supervisor, submitted):
    """A supervisor who is also in the press office cannot sign off a case they approved."""
    supervisor.user.groups.add(
        *[g for r, g in ensure_role_groups().items() if r == Role.PRESS_OFFICE]
    )
    services.business_case_decide(
        actor=supervisor.user, case_id=submitted.pk, outcome=Decision.Outcome.APPROVED
    )
    with pytest.raises(PermissionDenied, match="two different people"):
        services.business_case_decide(
            actor=supervisor.user, case_id=submitted.pk, outcome=Decision.Outcome.APPROVED
        )
    submitted.refresh_from_db()
    assert submitted.state == BusinessCase.State.SUPERVISOR_APPROVED


def test_a_set_up_the_account_no_longer_allows_is_a_message_not_an_error_page(
    login, signed_off, officer, press_officer
):
    """The register's own `WorkflowError` (core's family) reaches the press office as a message."""
    from accounts.models import SocialAccount
    from approvals.models import SetupChecklist
    from tests.factories import CredentialFactory

    services.setup_checklist_update(
        actor=officer.user,
        case_id=signed_off.pk,
        ticked={name for name, _ in SetupChecklist.ITEMS},
        done=True,
    )
    CredentialFactory(account=signed_off.account)
    SocialAccount.objects.filter(pk=signed_off.account_id).update(
        status=SocialAccount.Status.COMPROMISED
    )
    response = login(press_officer).post(
        reverse("approvals:setup_confirm", args=[signed_off.pk]), follow=True
    )
    assert response.status_code == 200
    assert "compromised; that step is not open" in response.content.decode()
    signed_off.refresh_from_db()
    assert signed_off.state == BusinessCase.State.SIGNED_OFF


def test_confirming_a_set_up_that_has_no_checklist_yet_is_a_message_or_a_403(
    login, client, submitted, officer, press_officer
):
    """Issue 12: an officer posting "confirm set-up" on their own case with no checklist (it is
    made at sign-off) got a 500 (SetupChecklist.DoesNotExist). The officer may not confirm at
    all: 403. The press office is told what is missing. Nothing changes either way."""
    from approvals.models import SetupChecklist

    assert not SetupChecklist.objects.filter(case=submitted).exists()
    url = reverse("approvals:setup_confirm", args=[submitted.pk])
    assert login(officer).post(url).status_code == 403
    client.logout()
    response = login(press_officer).post(url, follow=True)
    assert response.status_code == 200
    assert "has not completed the set-up checklist yet" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == BusinessCase.State.SUBMITTED
    assert not SetupChecklist.objects.filter(case=submitted).exists()
