"""Role grants are governed (issue 11): a role is given or taken away only through
people.services, never to or from oneself, each change an event in the hash chain; Press office
and Administrator need a second administrator, who neither asked nor is the person."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.urls import reverse

from audit.models import AuditEvent
from audit.selectors import verify_chain
from core.errors import DomainError, WorkflowError
from people import services
from people.models import RoleGrantDecision, RoleGrantRequest
from people.roles import Role
from people.selectors import roles_of
from tests.factories import OfficerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_a(db):
    return OfficerFactory(
        rank="staff", first_name="Ruth", surname="Ellis", roles=[Role.ADMINISTRATOR]
    )


@pytest.fixture
def admin_b(db):
    return OfficerFactory(
        rank="staff", first_name="Sam", surname="Okafor", roles=[Role.ADMINISTRATOR]
    )


@pytest.fixture
def newcomer(team):
    return OfficerFactory(unit=team, first_name="Lee", surname="Ward")


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """run(service, **kwargs): call a service with the mails it sends on commit."""

    def _run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return _run


def _events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("sequence"))


# Given at once ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.AUDITOR, Role.OFFICER])
def test_an_administrator_gives_an_ordinary_role_at_once_and_it_is_audited(
    admin_a, team, run, role
):
    person = OfficerFactory(unit=team, roles=[])
    made = run(
        services.role_grant,
        actor=admin_a.user,
        user_id=person.user.pk,
        role=role,
        reason="Promoted to sergeant, HR-2231",
    )
    assert made is None
    assert roles_of(person.user) == [role.value]
    [event] = _events("role.granted")
    assert event.actor == admin_a.user
    assert event.object_type == "auth.user" and event.object_id == str(person.user.pk)
    assert event.changes["granted"] == [None, role.value]
    assert event.changes["person"] == [None, f"{person.full_name} ({person.staff_number})"]
    assert event.changes["roles"] == ["none", role.value]
    assert event.reason == "Promoted to sergeant, HR-2231"
    assert verify_chain()[1] is None
    [message] = mail.outbox
    assert message.to == [person.user.email]
    assert f"You now hold the {role.label} role" in message.subject
    assert not RoleGrantRequest.objects.exists()


def test_an_administrator_takes_a_role_away_at_once(admin_a, supervisor, run):
    run(
        services.role_revoke,
        actor=admin_a.user,
        user_id=supervisor.user.pk,
        role=Role.SUPERVISOR,
        reason="Back to constable",
    )
    assert roles_of(supervisor.user) == [Role.OFFICER.value]
    assert not supervisor.user.has_perm("people.create_delegation")
    [event] = _events("role.revoked")
    assert event.actor == admin_a.user
    assert event.changes["revoked"] == [None, "Supervisor"]
    assert event.changes["roles"] == ["Officer, Supervisor", "Officer"]
    assert event.reason == "Back to constable"
    assert "You no longer hold the Supervisor role" in mail.outbox[0].subject
    assert verify_chain()[1] is None


def test_a_press_officer_can_be_taken_off_at_once(admin_a, press_officer, run):
    run(
        services.role_revoke,
        actor=admin_a.user,
        user_id=press_officer.user.pk,
        role=Role.PRESS_OFFICE,
        reason="Left the press office",
    )
    assert roles_of(press_officer.user) == [Role.OFFICER.value]
    assert not press_officer.user.has_perm("custody.reveal_credential")


# Never oneself; only an administrator ------------------------------------------------------------


@pytest.mark.parametrize("service", [services.role_grant, services.role_revoke])
@pytest.mark.parametrize("role", list(Role))
def test_nobody_gives_or_takes_a_role_to_or_from_themself(admin_a, service, role):
    with pytest.raises(PermissionDenied):
        service(actor=admin_a.user, user_id=admin_a.user.pk, role=role, reason="Why not")
    assert roles_of(admin_a.user) == [Role.ADMINISTRATOR.value]
    assert not AuditEvent.objects.exists() and not RoleGrantRequest.objects.exists()


def test_a_superuser_cannot_give_themself_a_role_either(run):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    with pytest.raises(PermissionDenied):
        services.role_grant(actor=root, user_id=root.pk, role=Role.PRESS_OFFICE, reason="x")
    assert roles_of(root) == []


@pytest.mark.parametrize("who", ["officer", "supervisor", "press_officer", "auditor"])
def test_only_an_administrator_changes_roles(request, who, newcomer):
    actor = request.getfixturevalue(who).user
    for service in (services.role_grant, services.role_revoke):
        with pytest.raises(PermissionDenied):
            service(actor=actor, user_id=newcomer.user.pk, role=Role.OFFICER, reason="x")
    assert roles_of(newcomer.user) == [Role.OFFICER.value]
    assert not AuditEvent.objects.exists()


def test_a_reason_is_required_and_the_role_must_make_sense(admin_a, newcomer):
    with pytest.raises(DomainError, match="Say why"):
        services.role_grant(
            actor=admin_a.user, user_id=newcomer.user.pk, role=Role.SUPERVISOR, reason="  "
        )
    with pytest.raises(DomainError, match="already holds the Officer role"):
        services.role_grant(
            actor=admin_a.user, user_id=newcomer.user.pk, role=Role.OFFICER, reason="x"
        )
    with pytest.raises(DomainError, match="does not hold the Auditor role"):
        services.role_revoke(
            actor=admin_a.user, user_id=newcomer.user.pk, role=Role.AUDITOR, reason="x"
        )
    assert not AuditEvent.objects.exists()


def test_a_leaver_is_given_no_role(admin_a, newcomer):
    newcomer.status = newcomer.Status.LEFT
    newcomer.status_changed_on = "2026-11-01"
    newcomer.save()
    for role in (Role.SUPERVISOR, Role.PRESS_OFFICE):
        with pytest.raises(DomainError, match="can no longer sign in"):
            services.role_grant(actor=admin_a.user, user_id=newcomer.user.pk, role=role, reason="x")
    assert not AuditEvent.objects.exists() and not RoleGrantRequest.objects.exists()


# Press office and Administrator: a second administrator -----------------------------------------


@pytest.mark.parametrize("role", [Role.PRESS_OFFICE, Role.ADMINISTRATOR])
def test_press_office_and_administrator_wait_for_a_second_administrator(
    admin_a, admin_b, newcomer, run, role
):
    request = run(
        services.role_grant,
        actor=admin_a.user,
        user_id=newcomer.user.pk,
        role=role,
        reason="Joins the press office on Monday",
    )
    assert request.state == RoleGrantRequest.State.REQUESTED
    assert request.requested_by == admin_a.user and request.user == newcomer.user
    assert roles_of(newcomer.user) == [Role.OFFICER.value]  # nothing changed yet
    [event] = AuditEvent.objects.all()
    assert event.action == "role_grant.requested"
    assert event.object_type == "people.rolegrantrequest"
    assert event.changes["role"] == [None, role.value]
    assert event.changes["state"] == [None, "requested"]
    assert event.reason == "Joins the press office on Monday"
    # The other administrator is told; the requester and the person are not.
    assert [m.to for m in mail.outbox] == [[admin_b.user.email]]
    assert f"the {role.label} role for Lee Ward" in mail.outbox[0].subject

    mail.outbox.clear()
    run(services.role_grant_approve, actor=admin_b.user, request_id=request.pk, comment="Agreed")
    request.refresh_from_db()
    assert request.state == RoleGrantRequest.State.APPROVED
    assert roles_of(newcomer.user) == [Role.OFFICER.value, role.value]
    decision = RoleGrantDecision.objects.get(request=request)
    assert (decision.outcome, decision.decided_by, decision.comment) == (
        "approved",
        admin_b.user,
        "Agreed",
    )
    approved, granted = AuditEvent.objects.order_by("sequence")[1:]
    assert approved.action == "role_grant.approved" and approved.actor == admin_b.user
    assert approved.changes["state"] == ["requested", "approved"]
    assert approved.changes["requested_by"] == [None, f"Ruth Ellis ({admin_a.staff_number})"]
    assert granted.action == "role.granted" and granted.actor == admin_b.user
    assert granted.object_id == str(newcomer.user.pk)
    assert granted.changes["granted"] == [None, role.value]
    assert granted.changes["approved_by"] == [None, f"Sam Okafor ({admin_b.staff_number})"]
    assert granted.changes["request"] == [None, request.pk]
    assert granted.reason == "Joins the press office on Monday"
    assert verify_chain() == (3, None, "")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([admin_a.user.email, newcomer.user.email])


def test_the_requester_can_never_approve_their_own_request(admin_a, newcomer):
    request = services.role_grant(
        actor=admin_a.user, user_id=newcomer.user.pk, role=Role.PRESS_OFFICE, reason="x"
    )
    with pytest.raises(PermissionDenied):
        services.role_grant_approve(actor=admin_a.user, request_id=request.pk)
    with pytest.raises(PermissionDenied):
        services.role_grant_refuse(actor=admin_a.user, request_id=request.pk, comment="No")
    request.refresh_from_db()
    assert request.state == "requested"
    assert roles_of(newcomer.user) == [Role.OFFICER.value]
    assert not RoleGrantDecision.objects.exists()
    assert AuditEvent.objects.count() == 1


def test_the_person_the_role_is_for_cannot_approve_it(admin_a, admin_b):
    """Two administrators cannot make each other anything without a third."""
    request = services.role_grant(
        actor=admin_a.user, user_id=admin_b.user.pk, role=Role.PRESS_OFFICE, reason="x"
    )
    with pytest.raises(PermissionDenied):
        services.role_grant_approve(actor=admin_b.user, request_id=request.pk)
    assert roles_of(admin_b.user) == [Role.ADMINISTRATOR.value]
    third = OfficerFactory(roles=[Role.ADMINISTRATOR])
    services.role_grant_approve(actor=third.user, request_id=request.pk)
    assert roles_of(admin_b.user) == [Role.PRESS_OFFICE.value, Role.ADMINISTRATOR.value]


@pytest.mark.parametrize("who", ["officer", "supervisor", "press_officer", "auditor"])
def test_only_an_administrator_decides_a_request(request, who, admin_a, newcomer):
    grant = services.role_grant(
        actor=admin_a.user, user_id=newcomer.user.pk, role=Role.PRESS_OFFICE, reason="x"
    )
    with pytest.raises(PermissionDenied):
        services.role_grant_approve(actor=request.getfixturevalue(who).user, request_id=grant.pk)
    assert roles_of(newcomer.user) == [Role.OFFICER.value]


def test_a_refusal_says_why_and_changes_no_role(admin_a, admin_b, newcomer, run):
    request = services.role_grant(
        actor=admin_a.user, user_id=newcomer.user.pk, role=Role.ADMINISTRATOR, reason="x"
    )
    with pytest.raises(DomainError, match="Say why"):
        services.role_grant_refuse(actor=admin_b.user, request_id=request.pk, comment=" ")
    run(
        services.role_grant_refuse,
        actor=admin_b.user,
        request_id=request.pk,
        comment="Not in IT: no need for it",
    )
    request.refresh_from_db()
    assert request.state == "refused"
    assert roles_of(newcomer.user) == [Role.OFFICER.value]
    [event] = _events("role_grant.refused")
    assert event.actor == admin_b.user
    assert event.reason == "Not in IT: no need for it"
    assert not _events("role.granted")
    assert [m.to for m in mail.outbox] == [[admin_a.user.email]]
    assert "refused" in mail.outbox[0].subject
    # Decided once: neither approve nor refuse is open any more, and nothing more is written.
    for decide in (services.role_grant_approve, services.role_grant_refuse):
        with pytest.raises(WorkflowError, match="already refused"):
            decide(actor=admin_b.user, request_id=request.pk, comment="Changed my mind")
    assert RoleGrantDecision.objects.count() == 1
    assert verify_chain()[1] is None


def test_decisions_are_never_edited_or_deleted(admin_a, admin_b, newcomer):
    request = services.role_grant(
        actor=admin_a.user, user_id=newcomer.user.pk, role=Role.PRESS_OFFICE, reason="x"
    )
    services.role_grant_approve(actor=admin_b.user, request_id=request.pk)
    decision = RoleGrantDecision.objects.get()
    decision.comment = "edited"
    with pytest.raises(PermissionError):
        decision.save()
    with pytest.raises(PermissionError):
        decision.delete()
    with pytest.raises(PermissionError):
        RoleGrantDecision.objects.update(comment="edited")


def test_one_open_request_per_person_and_role(admin_a, admin_b, newcomer):
    services.role_grant(
        actor=admin_a.user, user_id=newcomer.user.pk, role=Role.PRESS_OFFICE, reason="x"
    )
    with pytest.raises(DomainError, match="already waiting"):
        services.role_grant(
            actor=admin_b.user, user_id=newcomer.user.pk, role=Role.PRESS_OFFICE, reason="y"
        )
    assert RoleGrantRequest.objects.count() == 1


def test_the_database_refuses_a_request_for_oneself(admin_a):
    with pytest.raises(IntegrityError):
        RoleGrantRequest.objects.create(
            user=admin_a.user, role=Role.PRESS_OFFICE, reason="x", requested_by=admin_a.user
        )


def test_an_approval_fails_cleanly_when_the_person_has_since_left(admin_a, admin_b, newcomer):
    request = services.role_grant(
        actor=admin_a.user, user_id=newcomer.user.pk, role=Role.PRESS_OFFICE, reason="x"
    )
    newcomer.user.is_active = False
    newcomer.user.save()
    with pytest.raises(DomainError, match="can no longer sign in"):
        services.role_grant_approve(actor=admin_b.user, request_id=request.pk)
    request.refresh_from_db()
    assert request.state == "requested"
    assert not RoleGrantDecision.objects.exists()
    assert AuditEvent.objects.count() == 1


# The pages ----------------------------------------------------------------------------------------


def test_the_roles_pages_are_for_administrators_only(client, login, officer, auditor, supervisor):
    for person in (officer, auditor, supervisor):
        login(person)
        for url in (
            reverse("people:roles"),
            reverse("people:role_requests"),
            reverse("people:person_roles", args=[officer.pk]),
        ):
            assert client.get(url).status_code == 403
        response = client.post(
            reverse("people:person_roles", args=[officer.pk]),
            {"action": "grant", "role": "Supervisor", "reason": "x"},
        )
        assert response.status_code == 403
        nav = [item["label"] for item in client.get(reverse("home")).context["nav_items"]]
        assert "Roles" not in nav
    assert not AuditEvent.objects.exists()


def test_an_administrator_lists_people_with_their_roles(
    client, login, admin_a, supervisor, officer
):
    login(admin_a)
    nav = [item["label"] for item in client.get(reverse("home")).context["nav_items"]]
    assert "Roles" in nav
    page = client.get(reverse("people:roles"))
    assert page.status_code == 200
    html = page.content.decode()
    assert supervisor.full_name in html and officer.full_name in html
    assert reverse("people:person_roles", args=[supervisor.pk]) in html
    filtered = client.get(reverse("people:roles"), {"role": "Supervisor"}).content.decode()
    assert supervisor.full_name in filtered and officer.full_name not in filtered
    found = client.get(reverse("people:roles"), {"q": officer.staff_number}).content.decode()
    assert officer.full_name in found and supervisor.full_name not in found


def test_an_administrator_gives_a_role_from_the_page(
    client, login, admin_a, newcomer, django_capture_on_commit_callbacks
):
    login(admin_a)
    url = reverse("people:person_roles", args=[newcomer.pk])
    page = client.get(url)
    assert page.status_code == 200 and page.context["form"] is not None
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"action": "grant", "role": "Supervisor", "reason": "Acting sergeant"}
        )
    assert response.status_code == 302
    assert roles_of(newcomer.user) == ["Officer", "Supervisor"]
    assert _events("role.granted")[0].reason == "Acting sergeant"
    history = client.get(url).content.decode()
    assert "role.granted" in history and "Acting sergeant" in history
    # A mistake is an error on the form, not a crash.
    again = client.post(url, {"action": "grant", "role": "Supervisor", "reason": "again"})
    assert again.status_code == 400
    assert "already holds the Supervisor role" in again.content.decode()
    missing = client.post(url, {"action": "revoke", "role": "Auditor", "reason": ""})
    assert missing.status_code == 400 and "Say why the role changes" in missing.content.decode()


def test_an_administrator_is_offered_no_form_for_their_own_roles(client, login, admin_a):
    login(admin_a)
    url = reverse("people:person_roles", args=[admin_a.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"] is None
    assert "Nobody changes their own roles" in page.content.decode()
    response = client.post(url, {"action": "grant", "role": "Press office", "reason": "x"})
    assert response.status_code == 403
    assert roles_of(admin_a.user) == ["Administrator"]
    assert not RoleGrantRequest.objects.exists()


def test_a_press_office_request_is_approved_on_the_requests_page(
    client, login, admin_a, admin_b, newcomer, django_capture_on_commit_callbacks
):
    login(admin_a)
    client.post(
        reverse("people:person_roles", args=[newcomer.pk]),
        {"action": "grant", "role": "Press office", "reason": "Joins the press office"},
    )
    request = RoleGrantRequest.objects.get()
    assert roles_of(newcomer.user) == ["Officer"]
    decide = reverse("people:role_request_decide", args=[request.pk])
    page = client.get(reverse("people:role_requests")).content.decode()
    assert decide not in page and "You asked for this" in page
    assert client.post(decide, {"outcome": "approve"}).status_code == 403

    client.logout()
    login(admin_b)
    home = client.get(reverse("home"))
    [todo] = [
        t for t in home.context["home"].todos if t.text.startswith("Role request for your approval")
    ]
    assert todo.url == reverse("people:role_requests")
    page = client.get(reverse("people:role_requests")).content.decode()
    assert decide in page and "Joins the press office" in page
    refused_without_reason = client.post(decide, {"outcome": "refuse", "comment": ""})
    assert refused_without_reason.status_code == 400
    assert "Say why you refuse the request" in refused_without_reason.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decide, {"outcome": "approve", "comment": ""})
    assert response.status_code == 302
    assert roles_of(newcomer.user) == ["Officer", "Press office"]
    request.refresh_from_db()
    assert request.state == "approved"
    again = client.post(decide, {"outcome": "approve", "comment": ""}, follow=True)
    assert "already approved" in again.content.decode()
    assert RoleGrantDecision.objects.count() == 1
    assert verify_chain()[1] is None


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    for url in (reverse("people:roles"), reverse("people:role_requests")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_administrators_deciding_at_once_give_exactly_one_decision():
    """Real commits and a thread each: the request row's lock lets one decision through."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL row locks")
    asker, *deciders = (OfficerFactory(roles=[Role.ADMINISTRATOR]) for _ in range(3))
    person = OfficerFactory()
    request = services.role_grant(
        actor=asker.user, user_id=person.user.pk, role=Role.PRESS_OFFICE, reason="x"
    )
    barrier = threading.Barrier(2)
    results = [None, None]
    calls = [
        lambda: services.role_grant_approve(actor=deciders[0].user, request_id=request.pk),
        lambda: services.role_grant_refuse(
            actor=deciders[1].user, request_id=request.pk, comment="No"
        ),
    ]

    def decide(i):
        try:
            barrier.wait(timeout=10)
            results[i] = calls[i]()
        except WorkflowError as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(type(r).__name__ for r in results) == ["RoleGrantRequest", "WorkflowError"]
    request.refresh_from_db()
    assert RoleGrantDecision.objects.filter(request=request).count() == 1
    assert (Role.PRESS_OFFICE.value in roles_of(person.user)) == (request.state == "approved")
    assert verify_chain()[1] is None
