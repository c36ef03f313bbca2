import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Dormancy, SocialAccount
from approvals import services as approvals_services
from approvals.models import PolicyVersion
from people.models import Officer
from people.roles import Role
from reminders.models import Recertification
from reports import selectors
from tests.factories import (
    AccountTransitionFactory,
    BusinessCaseFactory,
    IncidentFactory,
    OfficerFactory,
    SocialAccountFactory,
    UnitFactory,
)
from tests.reports.conftest import LOGIN, SECRET, days_ago

REPORTS = [
    "index",
    "dormancy",
    "orphans",
    "waiting",
    "credentials",
    "recertifications",
    "incidents",
]


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(response.getvalue().decode())))


def _column(rows, name) -> list[str]:
    index = rows[0].index(name)
    return [row[index] for row in rows[1:]]


# Who may see them -------------------------------------------------------------------------


@pytest.mark.parametrize("name", REPORTS)
def test_officer_gets_403_for_every_report_and_export(login, force, officer, name):
    client = login(officer)
    assert client.get(reverse(f"reports:{name}")).status_code == 403
    assert client.get(reverse(f"reports:{name}") + "?format=csv").status_code == 403


@pytest.mark.parametrize("name", REPORTS)
def test_press_office_supervisor_and_auditor_see_every_report(
    login, client, force, press_officer, supervisor, auditor, name
):
    for person in (press_officer, supervisor, auditor):
        assert login(person).get(reverse(f"reports:{name}")).status_code == 200
        client.logout()


def test_menu_offers_reports_by_permission(login, client, press_officer, supervisor, officer):
    assert b'href="/reports/"' in login(press_officer).get("/").content
    client.logout()
    assert b'href="/reports/"' in login(supervisor).get("/").content
    client.logout()
    assert b'href="/reports/"' not in login(officer).get("/").content


# 1. Dormancy by unit ----------------------------------------------------------------------


def test_dormancy_by_unit_counts_each_level_for_the_whole_force(force, press_officer, officer):
    rows = {row["unit"]: row for row in selectors.dormancy_by_unit(press_officer.user)}
    mine = rows[officer.unit.name]
    # CurrentWMP and MoverWMP current, StaleWMP stale, HackedWMP no activity; ClosedWMP left out.
    assert (mine["current"], mine["warning"], mine["dormant"], mine["stale"]) == (2, 0, 0, 1)
    assert mine["unknown"] == 1
    assert mine["total"] == 4
    assert mine["needs_action"] == 1
    theirs = rows[force["theirs"]["dormant"].unit.name]
    assert (theirs["dormant"], theirs["stale"], theirs["current"]) == (1, 0, 1)


def test_supervisor_sees_only_their_teams_unit(force, supervisor, officer):
    rows = selectors.dormancy_by_unit(supervisor.user)
    assert [row["unit"] for row in rows] == [officer.unit.name]
    handles = {a.handle for a in selectors.dormancy_accounts(supervisor.user)}
    assert handles == {"StaleWMP"}


def test_dormancy_page_drills_down_by_unit_and_level(login, force, press_officer):
    client = login(press_officer)
    dormant = force["theirs"]["dormant"]
    page = client.get(reverse("reports:dormancy")).content.decode()
    assert "@StaleWMP" in page and "@DormantWMP" in page
    assert "@CurrentWMP" not in page and "@ClosedWMP" not in page
    assert "<svg" in page and '<title id="dormancy-chart-title">' in page
    assert 'style="' not in page
    page = client.get(
        reverse("reports:dormancy"), {"unit": dormant.unit_id, "level": "dormant"}
    ).content.decode()
    assert "@DormantWMP" in page and "@StaleWMP" not in page
    page = client.get(reverse("reports:dormancy"), {"level": "current"}).content.decode()
    assert "@CurrentWMP" in page and "@StaleWMP" not in page


def test_dormancy_csv_keeps_the_pages_filters(login, force, press_officer):
    client = login(press_officer)
    rows = _csv(client.get(reverse("reports:dormancy"), {"format": "csv"}))
    assert rows[0] == [
        "Handle",
        "Platform",
        "Owner",
        "Unit",
        "Status",
        "Dormancy",
        "Last post",
        "Editors",
    ]
    assert sorted(_column(rows, "Handle")) == ["DormantWMP", "StaleWMP"]
    assert dict(zip(_column(rows, "Handle"), _column(rows, "Dormancy"), strict=True)) == {
        "DormantWMP": Dormancy.DORMANT.label,
        "StaleWMP": Dormancy.STALE.label,
    }
    rows = _csv(client.get(reverse("reports:dormancy"), {"format": "csv", "level": "unknown"}))
    assert sorted(_column(rows, "Handle")) == [
        "HackedTooWMP",
        "HackedWMP",
        "RecoveredWMP",
        "UnknownWMP",
    ]
    page = client.get(reverse("reports:dormancy"), {"level": "unknown"}).content.decode()
    assert 'href="?level=unknown&amp;format=csv"' in page


# 2. Orphans -------------------------------------------------------------------------------


def test_orphans_show_days_since_the_owner_moved_or_left(force, press_officer, supervisor):
    accounts = selectors.orphans(press_officer.user)
    assert [(a.handle, a.days_since_change) for a in accounts] == [
        ("LeaverWMP", 40),
        ("MoverWMP", 10),
    ]
    assert [a.handle for a in selectors.orphans(supervisor.user)] == ["MoverWMP"]


def test_orphans_csv(login, force, supervisor):
    rows = _csv(login(supervisor).get(reverse("reports:orphans"), {"format": "csv"}))
    assert _column(rows, "Handle") == ["MoverWMP"]
    assert _column(rows, "Owner status") == [force["mine"]["orphan"].owner.get_status_display()]
    assert _column(rows, "Days") == ["10"]


# 3. Cases waiting -------------------------------------------------------------------------


def test_cases_waiting_for_press_office_and_supervisor(force, press_officer, supervisor):
    rows = selectors.cases_waiting(press_officer.user)
    assert [(r["kind"], r["subject"], r["waiting_for"]) for r in rows] == [
        ("Hand over to a successor", "@UnknownWMP", "Supervisor"),
        ("Business case", "@NewCaseWMP", "Supervisor"),
    ]
    assert rows[0]["days"] == 8
    assert 4 <= rows[0]["working_days"] <= 6
    assert rows[1]["days"] == 0 and rows[1]["working_days"] == 0
    mine = selectors.cases_waiting(supervisor.user)
    assert [r["subject"] for r in mine] == ["@NewCaseWMP"]


def test_cases_waiting_csv_and_page(login, force, press_officer):
    client = login(press_officer)
    rows = _csv(client.get(reverse("reports:waiting"), {"format": "csv"}))
    assert _column(rows, "Account") == ["'@UnknownWMP", "'@NewCaseWMP"]
    assert _column(rows, "Days") == ["8", "0"]
    page = client.get(reverse("reports:waiting")).content.decode()
    assert reverse("handovers:detail", args=[force["transition"].pk]) in page
    assert reverse("approvals:detail", args=[force["case"].pk]) in page


# 4. Credentials ---------------------------------------------------------------------------


def test_credentials_missing_or_out_of_date(force, press_officer, supervisor):
    reasons = {
        a.handle: a.credential_reason for a in selectors.credentials_needed(press_officer.user)
    }
    assert reasons["DormantWMP"] == "Out of date"
    assert reasons["HackedWMP"] == "Not lodged"
    assert "CurrentWMP" not in reasons and "StaleWMP" not in reasons
    assert "ClosedWMP" not in reasons
    mine = {a.handle for a in selectors.credentials_needed(supervisor.user)}
    assert mine == {"HackedWMP"}


@pytest.mark.parametrize("name", REPORTS[1:])
def test_no_report_or_export_shows_a_secret(login, force, press_officer, name):
    client = login(press_officer)
    for response in (
        client.get(reverse(f"reports:{name}")),
        client.get(reverse(f"reports:{name}"), {"format": "csv"}),
        client.get(reverse(f"reports:{name}"), {"format": "csv", "table": "months"}),
    ):
        body = response.getvalue().decode()
        assert SECRET not in body and LOGIN not in body
        assert "ciphertext" not in body.lower()
        assert 'style="' not in body  # the CSP allows no inline style attribute


# 5. Re-certifications ---------------------------------------------------------------------


def test_overdue_recertifications(login, force, press_officer, supervisor):
    recerts = selectors.recertifications_overdue(press_officer.user)
    assert [(r.account.handle, r.days_overdue, r.waiting_for) for r in recerts] == [
        ("DormantWMP", 12, "Owner"),
        ("StaleWMP", 5, "Owner"),
    ]
    rows = _csv(login(supervisor).get(reverse("reports:recertifications"), {"format": "csv"}))
    assert _column(rows, "Handle") == ["StaleWMP"]
    assert _column(rows, "Days overdue") == ["5"]


# 6. Incidents -----------------------------------------------------------------------------


def test_open_incidents_with_age_and_times_by_month(login, force, press_officer, supervisor):
    incidents = selectors.incidents_open(press_officer.user)
    assert [(i.account.handle, i.age_days) for i in incidents] == [
        ("HackedTooWMP", 6),
        ("HackedWMP", 3),
    ]
    assert [i.account.handle for i in selectors.incidents_open(supervisor.user)] == ["HackedWMP"]
    months = selectors.incident_times(press_officer.user)
    assert sum(m["count"] for m in months) == 3
    contained = [m for m in months if m["contain_median"] is not None]
    assert [(m["contain_median"], m["resolve_median"]) for m in contained] == [(4.0, 10.0)]
    client = login(press_officer)
    rows = _csv(client.get(reverse("reports:incidents"), {"format": "csv", "table": "months"}))
    assert rows[0][:2] == ["Month", "Incidents"]
    rows = _csv(client.get(reverse("reports:incidents"), {"format": "csv"}))
    assert _column(rows, "Account") == ["HackedTooWMP", "HackedWMP"]
    assert _column(rows, "Age in days") == ["6", "3"]


def test_supervisor_times_by_month_count_only_their_team(force, supervisor):
    assert sum(m["count"] for m in selectors.incident_times(supervisor.user)) == 1


# CSV safety -------------------------------------------------------------------------------


def test_csv_cells_that_could_run_as_formulas_are_neutralised(login, press_officer):
    unit = UnitFactory(name='=HYPERLINK("http://evil.example")')
    owner = OfficerFactory(unit=unit, first_name="+Cmd", surname="Evil")
    SocialAccountFactory(owner=owner, unit=unit, handle="-FormulaWMP", last_post_at=days_ago(90))
    rows = _csv(login(press_officer).get(reverse("reports:dormancy"), {"format": "csv"}))
    assert _column(rows, "Unit") == ['\'=HYPERLINK("http://evil.example")']
    assert _column(rows, "Handle") == ["'-FormulaWMP"]
    assert _column(rows, "Owner") == ["'+Cmd Evil"]


# Query counts -----------------------------------------------------------------------------


def _grow(force, n):
    """n more of everything each report lists, half in the supervisor's team, half elsewhere."""
    supervisor = force["case"].applicant.supervisor
    policy = PolicyVersion.current()
    today = timezone.localdate()
    for i in range(n):
        unit = UnitFactory()
        boss = (
            supervisor
            if i % 2
            else OfficerFactory(unit=unit, roles=[Role.OFFICER, Role.SUPERVISOR])
        )
        owner = OfficerFactory(unit=unit, supervisor=boss)
        account = SocialAccountFactory(owner=owner, last_post_at=days_ago(10 * i))
        moved = OfficerFactory(
            unit=unit, supervisor=boss, status=Officer.Status.LEFT, status_changed_on=today
        )
        SocialAccountFactory(owner=moved, last_post_at=days_ago(i))
        Recertification.objects.create(
            account=account, due_on=today - datetime.timedelta(days=i + 1)
        )
        AccountTransitionFactory(account=account, state="awaiting_press_office")
        draft = BusinessCaseFactory(applicant=owner)
        approvals_services.business_case_submit(
            actor=owner.user, case_id=draft.pk, policy_id=policy.pk, personal_use_read=True
        )
        IncidentFactory(
            account=SocialAccountFactory(owner=owner, status=SocialAccount.Status.COMPROMISED),
            reported_at=days_ago(i),
        )


# The report's own queries; on top of them, fetching the user, their role groups and (for a
# supervisor) their officer record: three.
BUDGETS = {
    "dormancy_by_unit": 1,
    "dormancy_accounts": 1,
    "orphans": 1,
    "cases_waiting": 2,  # business cases; handovers and closures
    "credentials_needed": 1,
    "recertifications_overdue": 1,
    "incidents_open": 2,  # incidents; their steps (prefetched by incidents.selectors)
    "incident_times": 1,
}
OVERHEAD = 3


def _read(name, person):
    user = type(person.user).objects.get(pk=person.user.pk)
    result = getattr(selectors, name)(user)
    return list(result)


@pytest.mark.parametrize("name", BUDGETS)
def test_each_report_runs_a_constant_number_of_queries(
    force, press_officer, supervisor, django_assert_max_num_queries, name
):
    for _ in range(2):
        for person in (press_officer, supervisor):
            with django_assert_max_num_queries(BUDGETS[name] + OVERHEAD):
                _read(name, person)
        _grow(force, 15)
    assert len(_read(name, press_officer)) >= 1


@pytest.mark.parametrize("name", REPORTS)
def test_report_pages_do_not_grow_with_the_force(
    login, force, press_officer, django_assert_max_num_queries, name
):
    client = login(press_officer)
    client.get(reverse(f"reports:{name}"))
    with django_assert_max_num_queries(10):
        assert client.get(reverse(f"reports:{name}")).status_code == 200
    _grow(force, 20)
    with django_assert_max_num_queries(10):
        assert client.get(reverse(f"reports:{name}")).status_code == 200


# Home tiles -------------------------------------------------------------------------------


def _tiles(sections, title):
    section = next((s for s in sections if s.title == title), None)
    return {t.label: (t.count, t.url) for t in section.tiles} if section else None


def test_home_tiles_count_what_the_reports_list(force, press_officer, supervisor, officer):
    from portal.home import home_for

    def home_sections(user):
        return home_for(user).sections

    press = _tiles(home_sections(press_officer.user), "Reports")
    assert press == {
        "Dormant or stale accounts": (2, reverse("reports:dormancy")),
        "Orphaned accounts": (2, reverse("reports:orphans")),
        "Re-certifications overdue": (2, reverse("reports:recertifications")),
    }
    team = _tiles(home_sections(supervisor.user), "Reports")
    assert team == {
        "Dormant or stale accounts": (1, reverse("reports:dormancy")),
        "Orphaned accounts": (1, reverse("reports:orphans")),
        "Re-certifications overdue": (1, reverse("reports:recertifications")),
    }
    assert _tiles(home_sections(officer.user), "Reports") is None


# Charts -----------------------------------------------------------------------------------


def test_bar_chart_scales_stacked_segments_to_the_longest_row():
    from reports.charts import BAR_AREA, LABEL_WIDTH, bar_chart

    chart = bar_chart(
        [
            ("Unit A", [("current", "Current", 3), ("stale", "Stale", 1)]),
            ("Unit B", [("current", "Current", 0), ("stale", "Stale", 2)]),
        ]
    )
    a, b = chart.rows
    assert [(s.key, s.x, s.width) for s in a.segments] == [
        ("current", LABEL_WIDTH, BAR_AREA * 3 / 4),
        ("stale", LABEL_WIDTH + BAR_AREA * 3 / 4, BAR_AREA / 4),
    ]
    assert [(s.key, s.x, s.width) for s in b.segments] == [("stale", LABEL_WIDTH, BAR_AREA / 2)]
    assert (a.total, b.total) == (4, 2)


def test_charts_have_a_title_a_description_and_the_figures_beside_them(login, force, press_officer):
    client = login(press_officer)
    for name, chart_id in (
        ("dormancy", "dormancy-chart"),
        ("waiting", "waiting-chart"),
        ("incidents", "contain-chart"),
    ):
        page = client.get(reverse(f"reports:{name}")).content.decode()
        assert f'aria-labelledby="{chart_id}-title {chart_id}-desc"' in page
        assert f'<desc id="{chart_id}-desc">' in page
        assert '<table class="govuk-table">' in page[page.index("<svg") :]
    page = client.get(reverse("reports:incidents")).content.decode()
    assert "<title>" in page and "Median hours to contain 4.0" in page


def test_an_acting_supervisor_sees_the_team_they_act_for(login, force, supervisor, other_officer):
    from tests.factories import DelegationFactory

    DelegationFactory(supervisor=supervisor, acting=other_officer)
    client = login(other_officer)
    rows = _csv(client.get(reverse("reports:orphans"), {"format": "csv"}))
    assert _column(rows, "Handle") == ["MoverWMP"]
    assert b'href="/reports/"' in client.get("/").content


# Pagination: every list report shows a page at a time ----------------------------------------


def test_waiting_report_pages_follow_the_full_list_oldest_first(login, force, press_officer):
    _grow(force, 30)
    everything = [r["url"] for r in selectors.cases_waiting(press_officer.user)]
    assert len(everything) > 50
    client = login(press_officer)
    first = client.get(reverse("reports:waiting")).content.decode()
    second = client.get(reverse("reports:waiting"), {"page": 2}).content.decode()
    shown = [
        link
        for html in (first, second)
        for link in re.findall(r'<a class="govuk-link" href="(/(?:cases|handovers)/\d+/)">', html)
    ]
    assert shown == everything
    assert f"Page 1 of {-(-len(everything) // 50)}" in first
    # Past the end or not a number: the last page, or the first (each kind's keys are read only
    # to the end of the page shown).
    past_the_end = client.get(reverse("reports:waiting"), {"page": 99}).content.decode()
    assert f"Page {-(-len(everything) // 50)} of" in past_the_end
    assert everything[-1] in past_the_end
    assert everything[0] in client.get(reverse("reports:waiting"), {"page": "x"}).content.decode()
    by_whom = dict(selectors.cases_waiting_by_whom(press_officer.user))
    assert sum(by_whom.values()) == len(everything)
    rows = selectors.cases_waiting(press_officer.user)
    for who in by_whom:
        assert by_whom[who] == sum(1 for r in rows if r["waiting_for"] == who)


def test_credentials_report_pages_follow_the_full_list(login, force, press_officer):
    _grow(force, 30)
    everything = [a.pk for a in selectors.credentials_needed(press_officer.user)]
    assert len(everything) > 50
    client = login(press_officer)
    shown = []
    for number in (1, 2):
        html = client.get(reverse("reports:credentials"), {"page": number}).content.decode()
        assert f"{len(everything)} accounts needing login details" in html
        shown += [int(pk) for pk in re.findall(r'href="/register/(\d+)/"', html)]
    assert shown == everything
