import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from accounts.models import SocialAccount
from people.models import Officer, Unit
from people.roles import Role
from portal.management.commands.seed_demo import DEMO_TOTP_SECRET_DEFAULT
from tests.mfa import sign_in, totp_code

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
        ("admin2", "Give or take away a role"),
    ],
)
def test_each_demo_login_lands_on_its_own_home(client, seeded, username, expected):
    # The press officer and the administrator also type the code of the demo's authenticator
    # key (README, "Demo logins").
    response = sign_in(client, username, "demo-portal-2026", secret=DEMO_TOTP_SECRET_DEFAULT)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    response = client.get(response["Location"])
    assert response.status_code == 200
    assert expected in response.content.decode()


@pytest.mark.real_second_factor
def test_the_demo_press_officer_and_administrator_have_the_documented_key(seeded):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import validate_totp_code

    for username in ("press", "admin"):
        totp = Authenticator.objects.get(user__username=username, type="totp")
        secret = totp.data["secret"]
        assert secret == DEMO_TOTP_SECRET_DEFAULT
        assert validate_totp_code(secret, totp_code(DEMO_TOTP_SECRET_DEFAULT))
    assert not Authenticator.objects.filter(user__username="officer").exists()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert f"oathtool --totp -b {DEMO_TOTP_SECRET_DEFAULT}" in out.getvalue()
