"""A supervisor names an acting supervisor for their team: recorded, audited, and in force only
for its dates."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from approvals.models import BusinessCase
from audit.models import AuditEvent
from notifications.models import Notification
from people import services as people_services
from people.models import Delegation
from people.roles import Role
from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def acting(db):
    return OfficerFactory(rank="sergeant", roles=[Role.OFFICER, Role.SUPERVISOR])


def test_supervisor_names_an_acting_supervisor_who_then_decides(
    login, client, supervisor, acting, submitted, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    login(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("approvals:delegations"),
            {
                "acting": acting.pk,
                "starts_on": today.isoformat(),
                "ends_on": (today + datetime.timedelta(days=7)).isoformat(),
                "reason": "Annual leave",
            },
        )
    assert response.status_code == 302
    delegation = Delegation.objects.get()
    assert (delegation.supervisor, delegation.acting, delegation.created_by) == (
        supervisor,
        acting,
        supervisor.user,
    )
    assert AuditEvent.objects.filter(
        action="delegation.created", object_id=str(delegation.pk), actor=supervisor.user
    ).exists()
    assert [m.to for m in mail.outbox] == [[acting.user.email]]

    client.logout()
    login(acting)
    assert submitted.handle in client.get(reverse("approvals:supervisor_queue")).content.decode()
    client.post(
        reverse("approvals:decide", args=[submitted.pk]),
        {"outcome": "approved", "comment": "", "version": "1-submitted"},
    )
    submitted.refresh_from_db()
    assert submitted.state == BusinessCase.State.SUPERVISOR_APPROVED
    assert submitted.decisions.get().acting_for == supervisor


def test_revoked_delegation_gives_nothing(login, client, supervisor, acting, submitted):
    today = timezone.localdate()
    delegation = Delegation.objects.create(
        supervisor=supervisor,
        acting=acting,
        starts_on=today,
        ends_on=today,
        reason="Leave",
        created_by=supervisor.user,
    )
    login(supervisor).post(reverse("approvals:delegation_revoke", args=[delegation.pk]))
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None
    assert AuditEvent.objects.filter(action="delegation.revoked").exists()
    client.logout()
    response = login(acting).get(reverse("approvals:detail", args=[submitted.pk]))
    assert response.status_code == 404


def test_only_the_giver_can_end_a_delegation(login, supervisor, acting, other_supervisor):
    today = timezone.localdate()
    delegation = Delegation.objects.create(
        supervisor=supervisor,
        acting=acting,
        starts_on=today,
        ends_on=today,
        reason="Leave",
        created_by=supervisor.user,
    )
    response = login(other_supervisor).post(
        reverse("approvals:delegation_revoke", args=[delegation.pk])
    )
    assert response.status_code == 404
    delegation.refresh_from_db()
    assert delegation.revoked_at is None


def test_delegation_form_refuses_bad_dates_and_self(login, supervisor, acting):
    today = timezone.localdate()
    html = (
        login(supervisor)
        .post(
            reverse("approvals:delegations"),
            {
                "acting": supervisor.pk,
                "starts_on": today.isoformat(),
                "ends_on": (today - datetime.timedelta(days=1)).isoformat(),
                "reason": "",
            },
        )
        .content.decode()
    )
    assert "govuk-error-summary" in html
    assert "Select a valid choice" in html or "Choose who" in html
    assert "The last day must be on or after the first day" in html
    assert "Say why someone needs to act for you" in html
    assert not Delegation.objects.exists()


def test_an_officer_cannot_delegate(login, officer):
    assert login(officer).get(reverse("approvals:delegations")).status_code == 403


def test_the_acting_supervisor_is_told_by_the_delegation_template(
    supervisor, acting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        people_services.delegation_create(
            actor=supervisor.user,
            acting=acting,
            starts_on=datetime.date(2026, 12, 1),
            ends_on=datetime.date(2026, 12, 14),
            reason="Annual leave",
            link="/cases/supervisor/",
        )
    [message] = mail.outbox
    assert message.subject.endswith(f"You are acting supervisor for {supervisor.full_name}")
    assert (
        f"{supervisor.full_name} has named you acting supervisor for their team from 1 December"
        " 2026 to 14 December 2026. You can decide their officers' business cases in that time."
    ) in message.body
    assert message.body.endswith(
        "Open it in the portal: " + settings.PORTAL_BASE_URL + "/cases/supervisor/"
    )
    assert Notification.objects.get().kind == "delegation.created"
