"""Schemathesis against the served OpenAPI document (/api/v1/openapi.json), through the portal's
WSGI application in this process: every operation, with a bounded number of generated requests
each, as a client holding every scope (its owner sees everything and may write every feed), and
as one holding none. No response may be a server error, every status must be a documented one,
and every body must match the document's schema for it."""

import pytest
from hypothesis import HealthCheck, Phase, given, settings

pytestmark = pytest.mark.django_db

EXAMPLES = 12  # per operation and principal: ~10 operations, the whole test stays under 60 s


@pytest.fixture
def served_schema(client, officer):
    """The document as the portal serves it (to anyone signed in), loaded by schemathesis."""
    import schemathesis
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from portal.wsgi import application
    from tests.factories import PASSWORD

    assert client.login(username=officer.user.username, password=PASSWORD)
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200
    schema = schemathesis.openapi.from_dict(served.json())
    schema.app = application  # requests go through the WSGI application, as from_wsgi sets
    # As Django's test client does: the request signals must not close the connection that
    # holds this test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schema
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def full_token(make_client, press_officer, monkeypatch):
    from api.v1 import THROTTLE
    from people.roles import Role, ensure_role_groups

    groups = ensure_role_groups()
    press_officer.user.groups.add(groups[Role.ADMINISTRATOR])  # the HR feed's owner too
    monkeypatch.setattr(THROTTLE, "num_requests", 100_000)  # the fuzzing is not the throttle test
    return make_client(press_officer)[1]


@pytest.fixture
def known(officer, press_officer):
    """One object of each kind, so that generated requests also reach the 200 of the detail
    operations (a generated id alone almost never names a row)."""
    from django.utils import timezone

    from incidents.services import incident_report
    from tests.factories import BusinessCaseFactory, SocialAccountFactory

    account = SocialAccountFactory(owner=officer)
    incident_report(
        actor=officer.user,
        account_id=account.pk,
        what_happened="Odd posts",
        noticed_at=timezone.now(),
        link_clicked="no",
    )
    return {
        "/api/v1/accounts/{pk}": account.pk,
        "/api/v1/cases/{pk}": BusinessCaseFactory(applicant=officer).pk,
        "/api/v1/incidents/{pk}": account.incidents.get().pk,
    }


def _examples(strategy, label, token, checks, seen):
    """A bounded, repeatable Hypothesis run of one operation."""

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        case.validate_response(response, checks=checks)
        seen.add((label, response.status_code))

    return run


def _fuzz(schema, token, known=None):
    from hypothesis import strategies as st
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    seen = set()
    for operation in operations:
        strategy = operation.as_strategy()
        if known and operation.path in known:
            pk = known[operation.path]
            strategy = st.one_of(
                strategy, strategy.map(lambda c, pk=pk: c.path_parameters.update(pk=pk) or c)
            )

        _examples(strategy, operation.label, token, checks, seen)()
    return seen


def test_every_operation_of_the_served_document_holds_to_it(served_schema, full_token, known):
    seen = _fuzz(served_schema, full_token, known)
    assert {status for _, status in seen} >= {200, 404, 422}
    assert {label for label, status in seen if status == 200} >= {
        "GET /api/v1/accounts/{pk}",
        "GET /api/v1/cases/{pk}",
        "GET /api/v1/incidents/{pk}",
        "GET /api/v1/audit/stream",
        "GET /api/v1/reports/figures",
    }


def test_every_operation_refuses_a_client_without_its_scope(served_schema, make_client, auditor):
    from api.models import Scope

    _, token = make_client(auditor, [Scope.READ_CASES])
    seen = _fuzz(served_schema, token)
    assert {status for label, status in seen if "/cases" not in label} <= {403, 422}
