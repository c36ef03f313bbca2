import pytest

from approvals import services
from approvals.models import Decision
from tests.factories import BusinessCaseFactory, PolicyVersionFactory


@pytest.fixture
def policy(db):
    return PolicyVersionFactory(version="3.0")


@pytest.fixture
def draft(officer):
    return BusinessCaseFactory(applicant=officer, handle="PriyaSharmaWMP")


@pytest.fixture
def submitted(draft, policy):
    return services.business_case_submit(
        actor=draft.applicant.user, case_id=draft.pk, policy_id=policy.pk, personal_use_read=True
    )


@pytest.fixture
def supervisor_approved(submitted, supervisor):
    services.business_case_decide(
        actor=supervisor.user, case_id=submitted.pk, outcome=Decision.Outcome.APPROVED
    )
    submitted.refresh_from_db()
    return submitted


@pytest.fixture
def signed_off(supervisor_approved, press_officer):
    services.business_case_decide(
        actor=press_officer.user, case_id=supervisor_approved.pk, outcome=Decision.Outcome.APPROVED
    )
    supervisor_approved.refresh_from_db()
    return supervisor_approved
