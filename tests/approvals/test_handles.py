"""Handle rules on a case: valid, unique without regard to case across the register and open
cases, suggestions when too long or taken; checked at submission and again at sign-off."""

import pytest
from django.urls import reverse

from approvals import services
from approvals.forms import BusinessCaseForm
from approvals.models import BusinessCase, Decision
from core.errors import WorkflowError
from tests.approvals.test_walkthrough import CASE_FORM
from tests.factories import BusinessCaseFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db


def _form(officer, **changes):
    return BusinessCaseForm(data={**CASE_FORM, **changes}, applicant=officer)


@pytest.fixture
def priya(officer):
    officer.first_name, officer.surname = "Priya", "Sharma"
    officer.save()
    return officer


def test_conventional_free_handle_is_accepted(priya):
    form = _form(priya, handle="PriyaSharmaWMP")
    assert form.is_valid(), form.errors


def test_handle_in_the_register_is_refused_whatever_its_case_with_suggestions(priya):
    SocialAccountFactory(handle="PriyaSharmaWMP")
    form = _form(priya, handle="priyasharmawmp")
    assert not form.is_valid()
    [error] = form.errors["handle"]
    assert "already in the register" in error
    assert form.handle_suggestions[0] == "PSharmaWMP"
    assert "priyasharmawmp" not in {h.lower() for h in form.handle_suggestions}


def test_handle_of_another_open_case_is_refused(priya, other_officer, policy):
    other = BusinessCaseFactory(applicant=other_officer, handle="PriyaSharmaWMP")
    services.business_case_submit(
        actor=other_officer.user, case_id=other.pk, policy_id=policy.pk, personal_use_read=True
    )
    assert not _form(priya, handle="PRIYASHARMAWMP").is_valid()


def test_a_draft_or_withdrawn_case_does_not_hold_its_handle(priya, other_officer):
    BusinessCaseFactory(applicant=other_officer, handle="PriyaSharmaWMP")
    assert _form(priya, handle="PriyaSharmaWMP").is_valid()


def test_too_long_handle_gets_valid_suggestions(officer):
    officer.first_name, officer.surname = "Siân", "O'Brien-Smith"
    officer.save()
    form = _form(officer, handle="SianOBrienSmithWMP")
    assert not form.is_valid()
    assert "15 characters or fewer" in form.errors["handle"][0]
    assert form.handle_suggestions
    for handle in form.handle_suggestions:
        assert len(handle) <= 15 and handle.isascii() and handle.endswith("WMP")
    assert "SOBrienSmithWMP" in form.handle_suggestions


def test_suggestions_are_shown_next_to_the_field(login, priya):
    SocialAccountFactory(handle="PriyaSharmaWMP")
    html = login(priya).post(reverse("approvals:create"), CASE_FORM).content.decode()
    assert "govuk-error-summary" in html
    assert "already in the register" in html
    assert "PSharmaWMP" in html
    assert not BusinessCase.objects.exists()


def test_invalid_characters_and_at_sign(priya):
    assert not _form(priya, handle="Priya Sharma").is_valid()
    form = _form(priya, handle="@PriyaSharmaWMP")
    assert form.is_valid()
    assert form.cleaned_data["handle"] == "PriyaSharmaWMP"


def test_handle_taken_after_the_draft_is_refused_at_submission(draft, policy):
    SocialAccountFactory(handle=draft.handle.upper())
    with pytest.raises(WorkflowError, match="already in the register"):
        services.business_case_submit(
            actor=draft.applicant.user,
            case_id=draft.pk,
            policy_id=policy.pk,
            personal_use_read=True,
        )
    draft.refresh_from_db()
    assert draft.state == BusinessCase.State.DRAFT


def test_handle_taken_before_sign_off_is_refused_at_sign_off(supervisor_approved, press_officer):
    SocialAccountFactory(handle=supervisor_approved.handle.lower())
    with pytest.raises(WorkflowError, match="checked again at sign-off"):
        services.business_case_decide(
            actor=press_officer.user, case_id=supervisor_approved.pk, outcome="approved"
        )
    supervisor_approved.refresh_from_db()
    assert supervisor_approved.state == BusinessCase.State.SUPERVISOR_APPROVED
    assert supervisor_approved.account is None
    assert supervisor_approved.decisions.filter(stage=Decision.Stage.PRESS_OFFICE).count() == 0
