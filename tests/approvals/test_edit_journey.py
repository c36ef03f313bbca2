"""The officer's path back from a return: the comment on the edit form, a button that says what
it does, no policy boxes ticked again; the handle hint, the hashtag question and the hours as a
person reads them."""

import re

import pytest
from django.urls import reverse

from accounts.handles import conventional_handle, suggest_handles
from approvals import services
from approvals.models import CaseState, Decision
from tests.factories import OfficerFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db

FORM = {
    "platform": "x",
    "kind": "individual",
    "handle": "PriyaSharmaWMP",
    "display_name": "PC Priya Sharma",
    "policing_purpose": "p",
    "audience": "a",
    "attracting_audience": "a",
    "benefits_force": "b",
    "benefits_public": "b",
    "expected_outcomes": "e",
    "communications_plan": "c",
    "hours_per_week": "3",
    "is_event_or_campaign": "no",
    "hashtag_alternative": "",
}


@pytest.fixture
def returned(submitted, supervisor):
    services.business_case_decide(
        actor=supervisor.user,
        case_id=submitted.pk,
        outcome=Decision.Outcome.RETURNED,
        comment="Say who covers your leave.",
    )
    submitted.refresh_from_db()
    return submitted


def test_the_edit_form_of_a_returned_case_shows_the_comment_and_says_save(returned, login):
    client = login(returned.applicant)
    page = client.get(reverse("approvals:edit", args=[returned.pk])).content.decode()
    assert "Returned for changes" in page
    assert "Say who covers your leave." in page
    assert "Save your changes" in page and "Save as draft" not in page


def test_resubmitting_does_not_ask_for_the_policy_boxes_again(returned, policy, login):
    client = login(returned.applicant)
    page = client.get(reverse("approvals:submit", args=[returned.pk])).content.decode()
    assert "read_policy" not in page and "read_personal_use" not in page
    assert "nothing to confirm again" in page
    assert "Resubmit the case to your supervisor" in page
    response = client.post(reverse("approvals:submit", args=[returned.pk]), {"policy": policy.pk})
    assert response.status_code == 302
    returned.refresh_from_db()
    assert returned.state == CaseState.SUBMITTED
    assert returned.submission_count == 2


def test_a_first_submission_still_asks_for_both_boxes(draft, policy, login):
    client = login(draft.applicant)
    page = client.get(reverse("approvals:submit", args=[draft.pk])).content.decode()
    assert 'name="read_policy"' in page and 'name="read_personal_use"' in page
    response = client.post(reverse("approvals:submit", args=[draft.pk]), {"policy": policy.pk})
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.state == CaseState.DRAFT


def test_a_long_name_is_offered_short_forms_from_the_start(login, supervisor):
    officer = OfficerFactory(
        first_name="Christabel", surname="Montgomery-Wellington", supervisor=supervisor
    )
    client = login(officer)
    page = client.get(reverse("approvals:create")).content.decode()
    long_one = conventional_handle("Christabel", "Montgomery-Wellington")
    assert len(long_one) > 15
    assert f"for you, {long_one}" not in page
    assert "more than X allows" in page
    short = suggest_handles("Christabel", "Montgomery-Wellington", "x")
    assert short and all(len(h) <= 15 for h in short)
    assert short[0] in page


def test_a_cyrillic_letter_in_a_name_is_transliterated_not_dropped():
    assert conventional_handle("Jаne", "Doe") == "JaneDoeWMP"  # the а is Cyrillic
    assert suggest_handles("Jаne", "Doe", "x")[0] == "JaneDoeWMP"


def test_handle_errors_end_in_one_full_stop(login, officer):
    SocialAccountFactory(handle="PriyaSharmaWMP")
    client = login(officer)
    page = client.post(reverse("approvals:create"), FORM).content.decode()
    assert "already in the register or proposed in another case" in page
    assert ".." not in re.sub(r"<[^>]+>", "", page.split("govuk-error-summary")[1])
    page = client.post(
        reverse("approvals:create"), {**FORM, "handle": "Bad handle!"}
    ).content.decode()
    assert "letters, numbers and underscores (_). Free handles" in page


def test_the_hashtag_question_is_asked_only_for_an_event(login, officer):
    client = login(officer)
    response = client.post(reverse("approvals:create"), FORM)
    assert response.status_code == 302  # not an event: no hashtag reason needed
    page = client.get(response.url).content.decode()
    assert "Why a hashtag would not do" not in page
    response = client.post(
        reverse("approvals:create"),
        {**FORM, "handle": "PSharmaWMP", "is_event_or_campaign": "yes"},
    )
    assert response.status_code == 200
    assert "Say why a hashtag on an existing account would not do" in response.content.decode()


def test_the_reveal_is_a_govuk_conditional_radio(login, officer):
    page = login(officer).get(reverse("approvals:create")).content.decode()
    assert 'data-app-module="conditional-radios"' in page
    assert "govuk-radios__conditional" in page


def test_hours_read_as_typed(draft, login):
    client = login(draft.applicant)
    detail = client.get(reverse("approvals:detail", args=[draft.pk])).content.decode()
    # As a cell's whole text: a bare "3.0" also turns up in a timestamp (…:43.04… seconds).
    cells = detail.replace(" ", "")
    assert ">3<" in cells and ">3.0<" not in cells
    edit = client.get(reverse("approvals:edit", args=[draft.pk])).content.decode()
    assert 'value="3"' in edit


def test_the_press_office_goes_from_a_case_to_its_account_and_back_after_lodging(
    signed_off, press_officer, login
):
    client = login(press_officer)
    here = reverse("approvals:detail", args=[signed_off.pk])
    page = client.get(here).content.decode()
    assert reverse("accounts:detail", args=[signed_off.account_id]) in page
    lodge = f"{reverse('custody:lodge', args=[signed_off.account_id])}?next={here}"
    assert lodge in page
    response = client.post(lodge, {"login": "x@police.example", "password": "Str0ng-pass-42!"})
    assert response.url == here
