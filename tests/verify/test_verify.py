"""The public verification page and JSON: no sign-in, live official accounts, public facts only."""

import pytest
from django.urls import reverse

from tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(officer):
    return {
        "active": SocialAccountFactory(
            owner=officer, handle="StechfordWMP", display_name="Stechford Police"
        ),
        "handover": SocialAccountFactory(
            owner=officer, handle="HandingWMP", status="handover_pending"
        ),
        "pending": SocialAccountFactory(owner=officer, handle="PendingWMP", status="pending_setup"),
        "compromised": SocialAccountFactory(
            owner=officer, handle="HackedWMP", status="compromised"
        ),
        "closed": SocialAccountFactory(owner=officer, handle="ClosedWMP", status="closed"),
    }


def test_json_lists_live_accounts_with_public_fields_only(client, accounts, officer):
    response = client.get(reverse("verify:accounts_json"))
    assert response.status_code == 200
    body = response.json()
    handles = [a["handle"] for a in body["accounts"]]
    assert sorted(handles) == ["HandingWMP", "StechfordWMP"]
    for row in body["accounts"]:
        assert set(row) == {"platform", "platform_name", "handle", "display_name", "unit"}
    stechford = next(a for a in body["accounts"] if a["handle"] == "StechfordWMP")
    assert stechford == {
        "platform": "x",
        "platform_name": "X (Twitter)",
        "handle": "StechfordWMP",
        "display_name": "Stechford Police",
        "unit": officer.unit.name,
    }
    text = response.content.decode()
    assert officer.surname not in text and officer.staff_number not in text


@pytest.mark.parametrize(
    ("handle", "official"),
    [
        ("@stechfordwmp", True),
        ("StechfordWMP", True),
        ("StechfordWMP_", False),
        ("HackedWMP", False),
    ],
)
def test_json_lookup(client, accounts, handle, official):
    body = client.get(reverse("verify:accounts_json"), {"handle": handle}).json()
    assert body["official"] is official
    assert len(body["accounts"]) == int(official)


def test_page_needs_no_sign_in_and_answers_the_lookup(client, accounts, officer):
    officer.surname = "Quarrington-Vale"  # a name no page text contains by chance
    officer.save()
    response = client.get(reverse("verify:page"), {"handle": "@StechfordWMP"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Yes: @StechfordWMP is an official" in html
    assert "ClosedWMP" not in html and "PendingWMP" not in html and "HackedWMP" not in html
    assert officer.surname not in html and officer.staff_number not in html
    assert "Sign out" not in html


def test_page_says_plainly_when_a_handle_is_not_ours(client, accounts):
    html = client.get(reverse("verify:page"), {"handle": "StechfordWMPolice"}).content.decode()
    assert "@StechfordWMPolice is not an official" in html


def test_lookup_on_another_platform_is_not_a_match(client, accounts):
    html = client.get(
        reverse("verify:page"), {"handle": "StechfordWMP", "platform": "tiktok"}
    ).content.decode()
    assert "is not an official" in html


def test_lookup_escapes_what_it_echoes(client, accounts):
    html = client.get(reverse("verify:page"), {"handle": "<script>x</script>"}).content.decode()
    assert "<script>x</script>" not in html
