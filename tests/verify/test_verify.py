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


def test_page_looks_up_one_handle_with_one_query(client, accounts, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(reverse("verify:page"), {"handle": "StechfordWMP"})
    html = response.content.decode()
    assert "Yes: @StechfordWMP is an official" in html
    assert "HandingWMP" not in html  # the register is on its own page now
    assert reverse("verify:accounts") in html


def test_accounts_page_lists_live_accounts_a_page_at_a_time(client, accounts, officer):
    SocialAccountFactory.create_batch(55, owner=officer)
    response = client.get(reverse("verify:accounts"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    assert html.count('<tr class="govuk-table__row">') == 1 + 50
    assert "Page 1 of 2" in html
    second = client.get(reverse("verify:accounts"), {"page": 2}).content.decode()
    assert second.count('<tr class="govuk-table__row">') == 1 + 7
    both = html + second
    assert "@HandingWMP" in both and "@StechfordWMP" in both
    assert "ClosedWMP" not in both and "PendingWMP" not in both and "HackedWMP" not in both
    assert officer.surname not in both and officer.staff_number not in both


def test_accounts_page_runs_a_constant_number_of_queries(
    client, accounts, officer, django_assert_num_queries
):
    with django_assert_num_queries(2):  # the count, the page
        client.get(reverse("verify:accounts"))
    SocialAccountFactory.create_batch(60, owner=officer)
    with django_assert_num_queries(2):
        client.get(reverse("verify:accounts"))
