import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from approvals.models import BusinessCase, Decision, PolicyVersion
from portal.management.commands.seed_demo import DEMO_TOTP_SECRET_DEFAULT
from tests.mfa import sign_in

pytestmark = pytest.mark.django_db


def _counts():
    return (
        PolicyVersion.objects.count(),
        list(BusinessCase.objects.order_by("pk").values_list("state", flat=True)),
        Decision.objects.count(),
    )


def test_demo_has_cases_in_different_states_and_running_twice_changes_nothing(client):
    call_command("seed_demo", stdout=io.StringIO())
    policies, states, decisions = _counts()
    assert policies == 1
    assert sorted(states) == ["draft", "submitted", "supervisor_approved"]
    assert decisions == 1
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == (policies, states, decisions)

    client.post(reverse("login"), {"login": "supervisor", "password": "demo-portal-2026"})
    assert "PriyaSharmaWMP" in client.get(reverse("approvals:supervisor_queue")).content.decode()
    client.logout()
    # The press office signs in with a code as well (the demo's authenticator key).
    sign_in(client, "press", "demo-portal-2026", secret=DEMO_TOTP_SECRET_DEFAULT)
    html = client.get(reverse("approvals:press_office_queue")).content.decode()
    assert "WMP" in html and "PriyaSharmaWMP" not in html
