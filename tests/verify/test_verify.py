"""The public verification page and JSON: no sign-in, live official accounts, public facts only."""

import datetime
import re

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
    assert sorted(handles) == ["HackedWMP", "HandingWMP", "StechfordWMP"]
    for row in body["accounts"]:
        assert set(row) == {
            "platform",
            "platform_name",
            "handle",
            "display_name",
            "unit",
            "kind",
            "run_by",
            "compromised",
            "paused",
        }
    assert [a["handle"] for a in body["accounts"] if a["compromised"]] == ["HackedWMP"]
    stechford = next(a for a in body["accounts"] if a["handle"] == "StechfordWMP")
    assert stechford == {
        "platform": "x",
        "platform_name": "X (Twitter)",
        "handle": "StechfordWMP",
        "display_name": "Stechford Police",
        "unit": officer.unit.name,
        "kind": "individual",
        "run_by": "",
        "compromised": False,
        "paused": False,
    }
    text = response.content.decode()
    assert officer.surname not in text and officer.staff_number not in text


@pytest.mark.parametrize(
    ("handle", "status", "official"),
    [
        ("@stechfordwmp", "official", True),
        ("StechfordWMP", "official", True),
        ("StechfordWMP_", "unknown", False),
        ("HackedWMP", "compromised", True),
        ("ClosedWMP", "formerly_official", False),
        ("PendingWMP", "unknown", False),  # not live yet: nothing to vouch for
    ],
)
def test_json_lookup(client, accounts, handle, status, official):
    body = client.get(reverse("verify:accounts_json"), {"handle": handle}).json()
    assert body["status"] == status
    assert body["official"] is official
    assert body["compromised"] is (status == "compromised")
    assert len(body["accounts"]) == int(official)


def test_page_needs_no_sign_in_and_answers_the_lookup(client, accounts, officer):
    officer.surname = "Quarrington-Vale"  # a name no page text contains by chance
    officer.save()
    response = client.get(reverse("verify:page"), {"handle": "@StechfordWMP"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Yes: @StechfordWMP is an official" in html
    assert "ClosedWMP" not in html and "PendingWMP" not in html
    assert "HackedWMP" not in html  # the lookup answers for one handle; the list is its own page
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
    assert second.count('<tr class="govuk-table__row">') == 1 + 8
    both = html + second
    assert "@HandingWMP" in both and "@StechfordWMP" in both
    assert "ClosedWMP" not in both and "PendingWMP" not in both
    # a compromised account is still the force's: listed, with the warning
    assert "@HackedWMP <strong" in both and "Compromised: do not trust recent posts" in both
    # never the owner (as whole words: a sequence-made handle such as @Officer10229WMP may hold
    # a staff number's digits)
    assert not re.search(rf"\b{officer.surname}\b", both)
    assert not re.search(rf"\b{officer.staff_number}\b", both)


def test_accounts_page_runs_a_constant_number_of_queries(
    client, accounts, officer, django_assert_num_queries
):
    with django_assert_num_queries(2):  # the count, the page
        client.get(reverse("verify:accounts"))
    SocialAccountFactory.create_batch(60, owner=officer)
    with django_assert_num_queries(2):
        client.get(reverse("verify:accounts"))


def test_a_compromised_account_is_official_but_not_to_be_trusted(client, accounts):
    from audit.services import audit_record

    audit_record(
        actor=None, action="socialaccount.compromised", obj=accounts["compromised"], changes={}
    )
    html = client.get(reverse("verify:page"), {"handle": "HackedWMP"}).content.decode()
    assert 'data-verdict="compromised"' in html
    assert "is an official" in html and "Do not trust its recent posts" in html
    assert "is not an official" not in html
    body = client.get(reverse("verify:accounts_json"), {"handle": "HackedWMP"}).json()
    assert body["since"]


def test_a_closed_account_is_formerly_official_since_its_closing(client, accounts):
    import datetime

    closed = accounts["closed"]
    closed.closed_on = datetime.date(2026, 3, 3)
    closed.save(update_fields=["closed_on"])
    html = client.get(reverse("verify:page"), {"handle": "closedwmp"}).content.decode()
    assert 'data-verdict="formerly_official"' in html
    assert "no longer an official" in html and "We closed it on 3 March 2026" in html
    body = client.get(reverse("verify:accounts_json"), {"handle": "ClosedWMP"}).json()
    assert body == {
        "generated_at": body["generated_at"],
        "handle": "ClosedWMP",
        "status": "formerly_official",
        "official": False,
        "compromised": False,
        "paused": False,
        "accounts": [],
        "since": "2026-03-03",
        "reason": "closed",
    }


def test_a_renamed_handle_is_formerly_official_and_names_the_new_one(client, accounts, officer):
    from accounts.services import social_account_complete_handover
    from tests.factories import OfficerFactory

    account = accounts["handover"]
    successor = OfficerFactory(unit=officer.unit)
    social_account_complete_handover(
        actor=None,
        account=account,
        owner=successor,
        handle="TomKhanWMP",
        display_name="PC Tom Khan",
        reason="test",
    )
    html = client.get(reverse("verify:page"), {"handle": "HandingWMP"}).content.decode()
    assert 'data-verdict="formerly_official"' in html
    assert "Our account was renamed on" in html and "it is now @TomKhanWMP" in html
    body = client.get(reverse("verify:accounts_json"), {"handle": "HandingWMP"}).json()
    assert body["status"] == "formerly_official" and body["reason"] == "renamed"
    assert body["now"] == {"platform": "x", "handle": "TomKhanWMP"}
    # An impostor who never was ours is told apart from both.
    body = client.get(reverse("verify:accounts_json"), {"handle": "NeverOursWMP"}).json()
    assert body["status"] == "unknown"


def test_json_list_comes_a_page_at_a_time(client, officer, monkeypatch):
    """Without a handle the JSON never holds the whole register: a client follows `next`."""
    from verify import views

    monkeypatch.setattr(views, "JSON_PAGE_SIZE", 2)
    for n in range(5):
        SocialAccountFactory(owner=officer, handle=f"PagedWMP{n}")
    SocialAccountFactory(owner=officer, handle="GoneWMP", status="closed")
    url, seen, pages = reverse("verify:accounts_json"), [], []
    while url:
        body = client.get(url).json()
        assert len(body["accounts"]) <= 2
        assert body["count"] == 5 and body["pages"] == 3
        pages.append(body["page"])
        seen += [a["handle"] for a in body["accounts"]]
        url = body["next"]
    assert pages == [1, 2, 3]
    assert seen == [f"PagedWMP{n}" for n in range(5)]  # each once, in the page's order
    past_the_end = client.get(reverse("verify:accounts_json"), {"page": 99}).json()
    assert past_the_end["page"] == 3 and past_the_end["next"] is None


def test_a_folded_account_says_which_account_now_posts_following_later_folds(client, officer):
    """Issue 16 part 3: a closed account folded into a unit's account points its followers
    there; if that one was itself folded in later, to the one that took its followers."""
    central = SocialAccountFactory(owner=officer, handle="WMPolice", kind="central")
    lpu = SocialAccountFactory(
        owner=officer,
        handle="WMPEast",
        kind="unit",
        status="closed",
        closed_on=datetime.date(2026, 9, 1),
        consolidated_into=central,
    )
    SocialAccountFactory(
        owner=officer,
        handle="QuietWMP",
        status="closed",
        closed_on=datetime.date(2026, 3, 1),
        consolidated_into=lpu,
    )
    SocialAccountFactory(owner=officer, handle="PlainClosedWMP", status="closed")
    body = client.get(reverse("verify:accounts_json"), {"handle": "QuietWMP"}).json()
    assert body["status"] == "formerly_official" and body["reason"] == "closed"
    assert body["since"] == "2026-03-01"
    assert body["now"] == {"platform": "x", "handle": "WMPolice"}
    page = client.get(reverse("verify:page"), {"handle": "@WMPEast"}).content.decode()
    assert "now posts as @WMPolice on X (Twitter)" in page
    body = client.get(reverse("verify:accounts_json"), {"handle": "PlainClosedWMP"}).json()
    assert body["reason"] == "closed" and "now" not in body
