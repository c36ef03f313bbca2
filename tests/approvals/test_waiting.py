"""The one answer to "where is this case waiting, and for whom", read by approvals, reminders,
the home page and the reports."""

import pytest

from approvals import services
from approvals.models import BusinessCase, Decision, SetupChecklist, Stage

pytestmark = pytest.mark.django_db


def _waiting(case):
    fresh = BusinessCase.objects.select_related("checklist").get(pk=case.pk)
    return (
        fresh.decision_stage,
        fresh.waiting_for,
        set(BusinessCase.objects.waiting_for_decision().values_list("pk", flat=True)),
        {
            stage: set(BusinessCase.objects.waiting(stage).values_list("pk", flat=True))
            for stage in (Stage.SUPERVISOR, Stage.PRESS_OFFICE)
        },
    )


def test_a_draft_waits_for_no_one(draft):
    assert _waiting(draft) == (
        None,
        None,
        set(),
        {Stage.SUPERVISOR: set(), Stage.PRESS_OFFICE: set()},
    )


def test_a_submitted_case_waits_for_the_supervisor(submitted):
    pk = submitted.pk
    assert _waiting(submitted) == (
        Stage.SUPERVISOR,
        Stage.SUPERVISOR,
        {pk},
        {Stage.SUPERVISOR: {pk}, Stage.PRESS_OFFICE: set()},
    )


def test_an_approved_case_waits_for_the_press_office(supervisor_approved):
    pk = supervisor_approved.pk
    assert _waiting(supervisor_approved) == (
        Stage.PRESS_OFFICE,
        Stage.PRESS_OFFICE,
        {pk},
        {Stage.SUPERVISOR: set(), Stage.PRESS_OFFICE: {pk}},
    )


def test_a_signed_off_case_waits_for_the_press_office_only_once_set_up_is_done(signed_off):
    pk = signed_off.pk
    # Signed off: the officer is setting the account up; no one else is waited for.
    assert _waiting(signed_off) == (
        None,
        None,
        set(),
        {Stage.SUPERVISOR: set(), Stage.PRESS_OFFICE: set()},
    )
    checklist = SetupChecklist.objects.get(case=signed_off)
    services.setup_checklist_update(
        actor=signed_off.applicant.user,
        case_id=pk,
        ticked=set(checklist.item_names),
        done=True,
    )
    # The set-up is complete: the press office is asked to confirm it (not a decision).
    assert _waiting(signed_off) == (
        None,
        Stage.PRESS_OFFICE,
        set(),
        {Stage.SUPERVISOR: set(), Stage.PRESS_OFFICE: {pk}},
    )


def test_a_returned_case_waits_for_its_applicant_not_a_decider(submitted, supervisor):
    services.business_case_decide(
        actor=supervisor.user,
        case_id=submitted.pk,
        outcome=Decision.Outcome.RETURNED,
        comment="Say more about the audience.",
    )
    assert _waiting(submitted)[:3] == (None, None, set())


def test_the_waiting_report_counts_a_signed_off_case_once_its_set_up_is_done(
    signed_off, press_officer
):
    from reports import selectors as reports

    def counts():
        by_whom = dict(reports.cases_waiting_by_whom(press_officer.user))
        rows = reports.cases_waiting(press_officer.user)
        assert by_whom == {
            who: sum(1 for r in rows if r["waiting_for"] == who)
            for who in {r["waiting_for"] for r in rows}
        }
        return by_whom

    assert counts() == {}  # the officer is setting the account up: no one else is waited for
    checklist = SetupChecklist.objects.get(case=signed_off)
    services.setup_checklist_update(
        actor=signed_off.applicant.user,
        case_id=signed_off.pk,
        ticked=set(checklist.item_names),
        done=True,
    )
    assert counts() == {Stage.PRESS_OFFICE.label: 1}
