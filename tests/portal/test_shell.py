"""The shell a person sees: sign in, home by role, navigation, admin, health."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from people.roles import Role
from tests.factories import PASSWORD, OfficerFactory, SocialAccountFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sign_in_page_is_accessible_markup(client):
    html = client.get(reverse("login")).content.decode()
    assert '<label class="govuk-label" for="id_login">' in html
    assert 'href="#main-content"' in html
    assert '<html lang="en-GB"' in html


def test_wrong_password_says_so_next_to_the_form(client, officer):
    response = client.post(reverse("login"), {"login": officer.user.username, "password": "no"})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()


def test_sign_in_lands_on_home(client, officer):
    response = client.post(
        reverse("login"), {"login": officer.user.username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert officer.full_name in response.content.decode()


def test_officer_home_shows_own_accounts_and_no_audit(login, officer):
    SocialAccountFactory(owner=officer)
    html = login(officer).get(reverse("home")).content.decode()
    assert "Your accounts" in html
    assert "Your team" not in html
    assert reverse("audit:trail") not in html


def test_supervisor_home_shows_team(login, supervisor, officer):
    SocialAccountFactory(owner=officer)
    html = login(supervisor).get(reverse("home")).content.decode()
    assert "Your team" in html


def test_press_office_home_shows_register_and_audit(login, press_officer, officer):
    SocialAccountFactory(owner=officer)
    html = login(press_officer).get(reverse("home")).content.decode()
    assert "The force&#x27;s register" in html
    assert reverse("audit:trail") in html


def test_auditor_reads_trail_officer_cannot(login, auditor, officer, client):
    assert login(officer).get(reverse("audit:trail")).status_code == 403
    client.logout()
    assert login(auditor).get(reverse("audit:trail")).status_code == 200


def test_admin_only_for_staff(login, officer, client):
    assert login(officer).get("/admin/").status_code == 302
    client.logout()
    admin = OfficerFactory(roles=[Role.ADMINISTRATOR])
    admin.user.is_staff = admin.user.is_superuser = True
    admin.user.save()
    html = login(admin).get(reverse("home")).content.decode()
    assert 'href="/admin/"' in html
    assert client.get("/admin/").status_code == 200


def test_admin_changes_are_audited(client):
    from audit.models import AuditEvent
    from tests.factories import UnitFactory

    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.login(username="root", password=PASSWORD)
    unit = UnitFactory(name="Old name")
    response = client.post(
        f"/admin/people/unit/{unit.pk}/change/",
        {"name": "New name", "code": unit.code, "kind": unit.kind, "parent": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(object_type="people.unit", object_id=str(unit.pk))
    assert event.changes == {"name": ["Old name", "New name"]}
    assert event.actor == admin


def test_leaver_cannot_sign_in_and_their_session_ends(client, officer):
    client.login(username=officer.user.username, password=PASSWORD)
    officer.user.is_active = False
    officer.user.save()
    assert client.get(reverse("home")).status_code == 302
    assert not client.login(username=officer.user.username, password=PASSWORD)


def test_pages_send_a_content_security_policy(client):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp


@pytest.fixture
def worker_and_beat_alive(monkeypatch, transactional_db):
    """A worker answers the ping (the broker's answer, stood in for here; tests/portal/
    test_health_with_a_real_worker.py asks a real one) and beat's heartbeat is recent. The checks
    run in threads of their own, so the heartbeat is committed (transactional_db)."""
    from core.models import Heartbeat
    from portal.celery import app

    monkeypatch.setattr(app.control, "ping", lambda timeout: [{"celery@test": {"ok": "pong"}}])
    Heartbeat.objects.create(name="scheduler", last_at=timezone.now())


def test_health_endpoint_checks_database_cache_broker_worker_and_scheduler(
    client, worker_and_beat_alive
):
    response = client.get("/health/?format=json")
    assert response.status_code == 200, response.content
    assert set(response.json()) == {
        "Database(alias='default')",
        "Cache(alias='default')",
        "Broker()",
        "Worker()",
        "Scheduler()",
    }


def test_health_of_the_web_process_alone_leaves_out_the_workers(client):
    response = client.get("/health/web/?format=json")
    assert response.status_code == 200, response.content
    assert set(response.json()) == {"Database(alias='default')", "Cache(alias='default')"}


@pytest.mark.parametrize(
    "age, expected", [(None, "No scheduler heartbeat yet"), (181, "181 s ago")]
)
def test_a_missing_or_old_heartbeat_turns_the_health_page_red(
    client, worker_and_beat_alive, age, expected, settings
):
    from core.models import Heartbeat

    settings.HEARTBEAT_SECONDS = 60
    if age is None:
        Heartbeat.objects.all().delete()
    else:
        Heartbeat.objects.update(last_at=timezone.now() - datetime.timedelta(seconds=age))
    response = client.get("/health/?format=json")
    assert response.status_code == 503
    assert expected in response.json()["Scheduler()"]


def test_health_page_for_a_browser_or_uptime_checker(client, worker_and_beat_alive):
    # What a browser sends: a page, not a server error (it used to be TemplateDoesNotExist).
    response = client.get("/health/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    html = response.content.decode()
    assert "System status" in html and "Every check answered." in html
    assert "Broker" in html


def test_health_answers_503_naming_the_broker_when_it_is_down(
    client, monkeypatch, worker_and_beat_alive
):
    from health_check.exceptions import ServiceUnavailable

    from portal.health import Broker

    def unreachable(self):
        raise ServiceUnavailable("Broker unreachable (OperationalError)")

    monkeypatch.setattr(Broker, "run", unreachable)
    response = client.get("/health/?format=json")
    assert response.status_code == 503
    body = response.json()
    assert body["Broker()"].endswith("Broker unreachable (OperationalError)")
    assert body["Database(alias='default')"] == "OK"
    page = client.get("/health/", HTTP_ACCEPT="text/html")
    assert page.status_code == 503
    assert "Broker unreachable" in page.content.decode()
