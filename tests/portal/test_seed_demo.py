import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from accounts.models import SocialAccount
from people.models import Officer, Unit
from people.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=io.StringIO())


def _counts():
    return (
        get_user_model().objects.count(),
        Officer.objects.count(),
        Unit.objects.count(),
        SocialAccount.objects.count(),
        list(Officer.objects.order_by("pk").values_list("supervisor_id", flat=True)),
    )


def test_builds_a_realistic_force(seeded):
    assert Unit.objects.filter(kind=Unit.Kind.LPU).count() == 3
    assert Unit.objects.filter(kind=Unit.Kind.TEAM).count() >= 9
    assert 180 <= Officer.objects.count() <= 230
    constables = Officer.objects.filter(rank__in=["pc", "pcso"])
    assert not constables.filter(supervisor__isnull=True).exists()
    assert get_user_model().objects.filter(groups__name=Role.PRESS_OFFICE).exists()
    assert get_user_model().objects.filter(groups__name=Role.AUDITOR).exists()


def test_running_twice_changes_nothing(seeded):
    before = _counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == before


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("officer", "Your accounts"),
        ("supervisor", "Your team"),
        ("press", "The force&#x27;s register"),
        ("auditor", "Audit trail"),
        ("admin", "Admin"),
        ("admin2", "Role requests for your approval"),
    ],
)
def test_each_demo_login_lands_on_its_own_home(client, seeded, username, expected):
    response = client.post(
        reverse("login"), {"login": username, "password": "demo-portal-2026"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert expected in response.content.decode()
