"""The guidance's password rule, checked when login details are lodged or changed: a weak
password, or one made of the owner's name, staff number, handle, team or unit, is refused with a
message next to the field saying why; it is stored nowhere, logged nowhere and mailed to no one."""

import logging

import pytest
from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent
from custody.models import Credential
from custody.services import WeakPassword, credential_lodge, credential_rotate
from custody.strength import weakness, words_to_avoid
from tests.custody.test_secret_never_leaks import _all_stored_text
from tests.factories import CredentialFactory, OfficerFactory, SocialAccountFactory, UnitFactory

pytestmark = pytest.mark.django_db

STRONG = "Quarry-Velvet-Orbit-93!"


@pytest.fixture
def account(supervisor):
    lpu = UnitFactory(name="Acocks Green LPU", code="acocks-green-pw")
    team = UnitFactory(name="Yardley Wood Neighbourhood", code="yardley-wood-pw", parent=lpu)
    owner = OfficerFactory(
        first_name="Priya",
        surname="Sharma",
        staff_number="PS4471",
        unit=team,
        supervisor=supervisor,
    )
    return SocialAccountFactory(owner=owner, handle="PriyaSharmaWMP", display_name="Priya Sharma")


def test_the_words_to_avoid_are_the_owners_and_their_units(account):
    words = words_to_avoid(account)
    for word in [
        "priya",
        "sharma",
        "ps4471",
        "4471",
        "priyasharmawmp",
        "wmp",
        "acocks",
        "yardley",
        "neighbourhood",
    ]:
        assert word in words


@pytest.mark.parametrize(
    "password",
    [
        "Sharma4471!Blue-Kettle",  # the surname and the staff number
        "Kettle-Orbit-PS4471-Zephyr",  # the staff number, otherwise long and random
        "Pr1ya-Quarry-Velvet-Orbit",  # the first name with l33t
        "Acocks-Quarry-Velvet-9",  # the unit
        "password123",  # common
        "qwertyuiop",  # keyboard pattern
        "Summer2026!",  # season and year
    ],
)
def test_weak_or_personal_passwords_are_refused(account, password):
    assert weakness(password, account=account)


def test_a_long_unrelated_passphrase_is_accepted(account):
    assert weakness(STRONG, account=account) is None


def test_the_service_refuses_and_writes_nothing(account, press_officer):
    audit_before = AuditEvent.objects.count()
    with pytest.raises(WeakPassword, match="staff number"):
        credential_lodge(
            actor=press_officer.user,
            account=account,
            login="priya@police.example",
            password="Kettle-Orbit-PS4471-Zephyr",
        )
    assert not Credential.objects.filter(account=account).exists()
    assert AuditEvent.objects.count() == audit_before
    assert mail.outbox == []


def test_rotation_is_checked_too(account, press_officer):
    CredentialFactory(account=account, password=STRONG)
    with pytest.raises(WeakPassword):
        credential_rotate(
            actor=press_officer.user,
            account=account,
            login="priya@police.example",
            password="sharma-2026",
            reason="after the handover",
        )


def test_the_form_says_why_next_to_the_field_and_the_password_goes_nowhere(
    account, press_officer, login, caplog, settings
):
    secret = "Sharma-PS4471-Lantern"
    client = login(press_officer)
    url = reverse("custody:lodge", args=[account.pk])
    with caplog.at_level(logging.DEBUG):
        response = client.post(url, {"login": "priya@police.example", "password": secret})
    assert response.status_code == 200
    form = response.context["form"]
    assert "staff number" in form.errors["password"][0]
    page = response.content.decode()
    assert 'id="password-error"' in page or "govuk-error-message" in page
    assert secret not in page
    # Nowhere: no row of any table, no log line (SQL included), no mail.
    assert not [hit for hit in _all_stored_text() if secret in hit[2]]
    assert secret not in caplog.text
    assert all(secret not in m.subject + m.body for m in mail.outbox)
    assert not Credential.objects.filter(account=account).exists()


def test_a_strong_password_is_lodged_through_the_form(account, press_officer, login):
    client = login(press_officer)
    url = reverse("custody:lodge", args=[account.pk])
    response = client.post(url, {"login": "priya@police.example", "password": STRONG})
    assert response.status_code == 302
    assert Credential.objects.filter(account=account).exists()
    assert AuditEvent.objects.filter(action="credential.lodged").count() == 1
