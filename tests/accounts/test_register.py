"""The register list, its filters and export, the detail page, and registering an account."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Dormancy, SocialAccount
from accounts.selectors import filter_register, social_accounts_visible_to
from accounts.services import RegisterError, social_account_register
from audit.models import AuditEvent
from core.csv_safe import neutralise
from notifications.models import Notification
from tests.factories import OfficerFactory, SocialAccountFactory, UnitFactory

pytestmark = pytest.mark.django_db


def _csv(response):
    return list(csv.reader(io.StringIO(response.getvalue().decode())))


# Who sees what ------------------------------------------------------------------------------


def test_officer_lists_only_their_own_accounts(login, officer, other_officer):
    mine = SocialAccountFactory(owner=officer, handle="MineWMP")
    SocialAccountFactory(owner=other_officer, handle="TheirsWMP")
    html = login(officer).get(reverse("accounts:list")).content.decode()
    assert f"@{mine.handle}" in html
    assert "TheirsWMP" not in html


def test_officer_cannot_open_another_teams_account(login, officer, other_officer):
    theirs = SocialAccountFactory(owner=other_officer)
    client = login(officer)
    assert client.get(reverse("accounts:detail", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("accounts:check_in", args=[theirs.pk]), {}).status_code == 404


def test_officer_cannot_export_another_teams_account(login, officer, other_officer):
    SocialAccountFactory(owner=officer, handle="MineWMP")
    SocialAccountFactory(owner=other_officer, handle="TheirsWMP")
    rows = _csv(login(officer).get(reverse("accounts:export")))
    assert [r[1] for r in rows[1:]] == ["MineWMP"]


def test_supervisor_sees_their_teams_accounts_not_another_teams(
    login, supervisor, officer, other_officer
):
    theirs = SocialAccountFactory(owner=officer)
    other = SocialAccountFactory(owner=other_officer)
    client = login(supervisor)
    assert client.get(reverse("accounts:detail", args=[theirs.pk])).status_code == 200
    assert client.get(reverse("accounts:detail", args=[other.pk])).status_code == 404


@pytest.mark.parametrize("person", ["press_officer", "auditor"])
def test_press_office_and_auditors_see_every_account(
    request, login, person, officer, other_officer
):
    accounts = [SocialAccountFactory(owner=officer), SocialAccountFactory(owner=other_officer)]
    client = login(request.getfixturevalue(person))
    html = client.get(reverse("accounts:list")).content.decode()
    for account in accounts:
        assert f"@{account.handle}" in html
        assert client.get(reverse("accounts:detail", args=[account.pk])).status_code == 200


def test_detail_shows_the_accounts_history(login, press_officer, officer):
    account = social_account_register(
        actor=press_officer.user,
        platform="x",
        handle="HistoryWMP",
        display_name="History",
        kind="team",
        owner=officer,
        reason="Found in the 2026 audit",
    )
    html = login(officer).get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert 'id="history"' in html
    assert "socialaccount.registered" in html
    assert "Found in the 2026 audit" in html


def test_menu_shows_the_register_to_officers_and_credentials_to_the_press_office(
    login, client, officer, press_officer
):
    html = login(officer).get(reverse("home")).content.decode()
    assert reverse("accounts:list") in html
    assert reverse("custody:needed") not in html
    client.logout()
    html = login(press_officer).get(reverse("home")).content.decode()
    assert reverse("custody:needed") in html


# Filters, search, sort, pagination -------------------------------------------------------------


@pytest.fixture
def mixed(officer, other_officer):
    now = timezone.now()
    unit = UnitFactory(name="Bilston Neighbourhood Team")
    return {
        "current": SocialAccountFactory(
            owner=officer, handle="AlphaWMP", last_post_at=now - timedelta(days=2)
        ),
        "warning": SocialAccountFactory(
            owner=officer,
            handle="BravoWMP",
            platform="instagram",
            last_post_at=now - timedelta(days=20),
        ),
        "dormant": SocialAccountFactory(
            owner=other_officer,
            handle="CharlieWMP",
            kind="team",
            unit=unit,
            last_post_at=now - timedelta(days=40),
        ),
        "stale": SocialAccountFactory(
            owner=other_officer,
            handle="DeltaWMP",
            status="closed",
            last_post_at=now - timedelta(days=90),
        ),
        "unknown": SocialAccountFactory(owner=other_officer, handle="EchoWMP", last_post_at=None),
    }


def _handles(qs):
    return [a.handle for a in qs]


def test_filters_by_each_field(mixed, press_officer):
    everything = social_accounts_visible_to(press_officer.user)
    assert _handles(filter_register(everything, status="closed")) == ["DeltaWMP"]
    assert _handles(filter_register(everything, platform="instagram")) == ["BravoWMP"]
    assert _handles(filter_register(everything, kind="team")) == ["CharlieWMP"]
    assert _handles(filter_register(everything, unit=mixed["dormant"].unit)) == ["CharlieWMP"]
    for level in Dormancy:
        assert _handles(filter_register(everything, dormancy=level)) == [mixed[level].handle]
        assert Dormancy.of(mixed[level].last_post_at) == level


def test_search_by_handle_or_owner(mixed, press_officer, other_officer):
    everything = social_accounts_visible_to(press_officer.user)
    assert _handles(filter_register(everything, q="@charlie")) == ["CharlieWMP"]
    by_owner = filter_register(everything, q=other_officer.surname)
    assert set(_handles(by_owner)) >= {"CharlieWMP", "DeltaWMP", "EchoWMP"}
    assert _handles(filter_register(everything, q=other_officer.staff_number)) == [
        "CharlieWMP",
        "DeltaWMP",
        "EchoWMP",
    ]


def test_sorting(mixed, press_officer):
    everything = social_accounts_visible_to(press_officer.user)
    assert _handles(filter_register(everything, sort="-handle"))[0] == "EchoWMP"
    assert _handles(filter_register(everything, sort="last_post")) == [
        "EchoWMP",
        "DeltaWMP",
        "CharlieWMP",
        "BravoWMP",
        "AlphaWMP",
    ]
    assert _handles(filter_register(everything, sort="-last_post"))[:2] == ["AlphaWMP", "BravoWMP"]


def test_list_page_applies_filters_and_ignores_bad_values(login, mixed, press_officer):
    client = login(press_officer)
    html = client.get(reverse("accounts:list"), {"status": "closed"}).content.decode()
    assert "@DeltaWMP" in html and "@AlphaWMP" not in html
    html = client.get(reverse("accounts:list"), {"status": "nonsense"}).content.decode()
    assert "@DeltaWMP" in html and "@AlphaWMP" in html


def test_list_is_paginated_and_keeps_filters_in_page_links(login, press_officer, officer):
    for n in range(55):
        SocialAccountFactory(owner=officer, handle=f"Page{n:02d}WMP", platform="tiktok")
    client = login(press_officer)
    first = client.get(reverse("accounts:list"), {"platform": "tiktok"}).content.decode()
    assert "Page 1 of 2" in first
    assert "platform=tiktok&amp;page=2" in first
    second = client.get(reverse("accounts:list"), {"platform": "tiktok", "page": 2})
    assert "@Page54WMP" in second.content.decode()


def test_list_runs_a_constant_number_of_queries(
    login, press_officer, officer, django_assert_max_num_queries
):
    for _ in range(30):
        SocialAccountFactory(owner=officer)
    client = login(press_officer)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("accounts:list")).status_code == 200


# Export -------------------------------------------------------------------------------------


def test_export_is_the_filtered_list(login, mixed, press_officer):
    response = login(press_officer).get(reverse("accounts:export"), {"platform": "instagram"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0][:3] == ["Platform", "Handle", "Display name"]
    assert [r[1] for r in rows[1:]] == ["BravoWMP"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+44 121", "'+44 121"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Safe name", "Safe name"),
        (None, ""),
        (42, "42"),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_export_neutralises_formulas(login, press_officer, officer):
    SocialAccountFactory(owner=officer, handle="FormulaWMP", display_name='=cmd|" /C calc"!A0')
    rows = _csv(login(press_officer).get(reverse("accounts:export")))
    row = next(r for r in rows if r[1] == "FormulaWMP")
    assert row[2] == '\'=cmd|" /C calc"!A0'


# Registering an existing account ----------------------------------------------------------------


def _form(officer, **overrides):
    data = {
        "platform": "x",
        "handle": "ExistingWMP",
        "display_name": "Existing account",
        "kind": "team",
        "owner_staff_number": officer.staff_number,
        "unit": "",
        "status": "active",
        "activated_on_0": "",
        "activated_on_1": "",
        "activated_on_2": "",
        "reason": "Day-one load of the accounts the force already runs",
    }
    return {**data, **overrides}


def test_press_office_registers_an_existing_account(login, press_officer, officer):
    response = login(press_officer).post(
        reverse("accounts:register"),
        _form(officer, activated_on_0="3", activated_on_1="2", activated_on_2="2024"),
    )
    account = SocialAccount.objects.get(handle="ExistingWMP")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:detail", args=[account.pk])
    assert account.owner == officer and account.unit == officer.unit
    assert account.status == "active" and account.activated_on.isoformat() == "2024-02-03"
    event = AuditEvent.objects.get(action="socialaccount.registered", object_id=account.pk)
    assert event.actor == press_officer.user
    assert event.reason == "Day-one load of the accounts the force already runs"
    assert Notification.objects.get(kind="account_registered").recipient == officer.user


@pytest.mark.parametrize("person", ["officer", "supervisor", "auditor"])
def test_only_the_press_office_registers(request, login, person, officer):
    client = login(request.getfixturevalue(person))
    assert client.get(reverse("accounts:register")).status_code == 403
    assert client.post(reverse("accounts:register"), _form(officer)).status_code == 403
    assert not SocialAccount.objects.exists()
    with pytest.raises(RegisterError):
        social_account_register(
            actor=request.getfixturevalue(person).user,
            platform="x",
            handle="NopeWMP",
            display_name="x",
            kind="team",
            owner=officer,
            reason="x",
        )


def test_register_form_explains_each_problem(login, press_officer, officer):
    SocialAccountFactory(owner=officer, handle="TakenWMP")
    leaver = OfficerFactory(status="left", status_changed_on=timezone.localdate())
    response = login(press_officer).post(
        reverse("accounts:register"),
        _form(leaver, handle="takenwmp", reason="", display_name=""),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "@takenwmp is already in the register" in html
    assert "That officer has left the force" in html
    assert "Enter the reason for registering this account" in html
    assert "Enter the account&#x27;s display name" in html
    assert SocialAccount.objects.count() == 1


def test_register_form_rejects_an_invalid_handle(login, press_officer, officer):
    response = login(press_officer).post(
        reverse("accounts:register"), _form(officer, handle="ThisHandleIsFarTooLongWMP")
    )
    assert "15 characters or fewer" in response.content.decode()
    assert not SocialAccount.objects.exists()


def test_export_link_carries_the_current_filters(login, mixed, press_officer):
    html = (
        login(press_officer)
        .get(reverse("accounts:list"), {"platform": "instagram", "q": "bravo"})
        .content.decode()
    )
    assert f'href="{reverse("accounts:export")}?q=bravo&amp;platform=instagram"' in html


def test_owner_sees_credential_state_and_may_lodge_but_not_reveal(
    login, officer, press_officer, client
):
    account = SocialAccountFactory(owner=officer)
    html = login(officer).get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert "Not lodged" in html
    assert reverse("custody:lodge", args=[account.pk]) in html
    assert reverse("custody:reveal", args=[account.pk]) not in html


def test_column_headings_sort_and_keep_the_filters(login, mixed, press_officer):
    client = login(press_officer)
    html = client.get(reverse("accounts:list"), {"platform": "x"}).content.decode()
    assert 'aria-sort="ascending"><a class="govuk-link" href="?platform=x&amp;sort=-handle"' in html
    assert 'href="?platform=x&amp;sort=last_post"' in html
    html = client.get(
        reverse("accounts:list"), {"platform": "x", "sort": "-last_post"}
    ).content.decode()
    heading = 'aria-sort="descending"><a class="govuk-link" href="?platform=x&amp;sort=last_post"'
    assert heading in html
    assert html.index("@AlphaWMP") < html.index("@CharlieWMP") < html.index("@EchoWMP")


def test_service_refuses_an_owner_who_has_left(press_officer):
    leaver = OfficerFactory(status="left", status_changed_on=timezone.localdate())
    with pytest.raises(RegisterError, match="left the force"):
        social_account_register(
            actor=press_officer.user,
            platform="x",
            handle="LeaverWMP",
            display_name="Leaver",
            kind="individual",
            owner=leaver,
            reason="found in the audit",
        )
    assert not SocialAccount.objects.exists()


def test_the_register_notes_a_shared_accounts_editors_under_its_owner(press_officer, login):
    from accounts.models import AccountEditor

    shared = SocialAccountFactory(handle="SharedWMP")
    SocialAccountFactory(handle="SoloWMP")
    for _ in range(2):
        AccountEditor.objects.create(
            account=shared,
            officer=OfficerFactory(),
            requested_by=shared.owner.user,
            state=AccountEditor.State.ACTIVE,
            decided_at=timezone.now(),
            policy_acknowledged_at=timezone.now(),
        )
    html = login(press_officer).get(reverse("accounts:list")).content.decode()
    row = html.split("@SharedWMP")[1].split("</tr>")[0]
    assert '<br><span class="govuk-body-s govuk-!-margin-bottom-0">and 2 editors</span>' in row
    assert "editor" not in html.split("@SoloWMP")[1].split("</tr>")[0]
