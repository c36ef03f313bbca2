"""Each people predicate and account rule over its cases."""

import datetime

import pytest
import rules
from django.contrib.auth.models import AnonymousUser

from accounts.predicates import is_account_owner, is_supervisor_of_account_owner
from people.predicates import (
    has_officer_record,
    is_auditor,
    is_officer,
    is_press_office,
    is_supervisor,
    is_supervisor_of,
    supervises,
)
from people.roles import Role
from tests.factories import DelegationFactory, OfficerFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db


def test_roles_come_from_groups(officer, supervisor, press_officer, auditor):
    assert is_officer(officer.user)
    assert not is_supervisor(officer.user)
    assert is_supervisor(supervisor.user)
    assert is_press_office(press_officer.user) and not is_press_office(officer.user)
    assert is_auditor(auditor.user) and not is_auditor(press_officer.user)


def test_an_officer_is_a_serving_record_holder_with_the_officer_role(officer, auditor):
    """The auditor has an officer record but not the Officer role: not an officer, so none of the
    officer's writes (issue 11)."""
    assert has_officer_record(auditor.user) and not is_officer(auditor.user)
    no_role = OfficerFactory(roles=[])
    assert has_officer_record(no_role.user) and not is_officer(no_role.user)
    assert is_officer(officer.user)
    officer.user.groups.clear()
    officer.user.__dict__.pop("_portal_roles", None)
    assert not is_officer(officer.user)


def test_anonymous_holds_no_role():
    anon = AnonymousUser()
    assert not is_officer(anon)
    assert not is_press_office(anon)
    assert not is_supervisor(anon)


def test_inactive_user_holds_no_role(press_officer):
    press_officer.user.is_active = False
    press_officer.user.save()
    assert not is_press_office(press_officer.user)


def test_leaver_is_not_an_officer(officer):
    officer.status = officer.Status.LEFT
    officer.status_changed_on = datetime.date(2026, 11, 1)
    officer.save()
    assert not is_officer(officer.user)


def test_line_supervisor_supervises_their_officer_only(officer, supervisor, other_officer):
    assert is_supervisor_of(supervisor.user, officer)
    assert not is_supervisor_of(supervisor.user, other_officer)
    assert not is_supervisor_of(officer.user, supervisor)


def test_nobody_supervises_themself(supervisor):
    supervisor.supervisor = None
    supervisor.save()
    assert not supervises(supervisor.user, supervisor)


def test_delegation_in_force_lets_the_acting_supervisor_decide(officer, supervisor):
    acting = OfficerFactory(roles=[Role.OFFICER, Role.SUPERVISOR])
    assert not is_supervisor_of(acting.user, officer)
    DelegationFactory(supervisor=supervisor, acting=acting)
    assert is_supervisor_of(acting.user, officer)


def test_delegation_outside_its_dates_or_revoked_gives_nothing(officer, supervisor):
    from django.utils import timezone

    acting = OfficerFactory(roles=[Role.OFFICER, Role.SUPERVISOR])
    today = timezone.localdate()
    DelegationFactory(
        supervisor=supervisor,
        acting=acting,
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today - datetime.timedelta(days=1),
    )
    assert not is_supervisor_of(acting.user, officer)
    DelegationFactory(supervisor=supervisor, acting=acting, revoked_at=timezone.now())
    assert not is_supervisor_of(acting.user, officer)


def test_acting_supervisor_never_supervises_themself(officer, supervisor):
    DelegationFactory(supervisor=supervisor, acting=officer)
    assert not is_supervisor_of(officer.user, officer)


def test_account_owner_and_their_supervisor(officer, supervisor, other_officer):
    account = SocialAccountFactory(owner=officer)
    assert is_account_owner(officer.user, account)
    assert not is_account_owner(other_officer.user, account)
    assert is_supervisor_of_account_owner(supervisor.user, account)
    assert not is_supervisor_of_account_owner(other_officer.user, account)


@pytest.mark.parametrize(
    ("person", "allowed"),
    [
        ("officer", True),
        ("supervisor", True),
        ("press_officer", True),
        ("auditor", True),
        ("other_officer", False),
        ("other_supervisor", False),
    ],
)
def test_who_may_view_an_account(request, officer, person, allowed):
    account = SocialAccountFactory(owner=officer)
    user = request.getfixturevalue(person).user
    assert rules.has_perm("accounts.view_socialaccount", user, account) is allowed


@pytest.mark.parametrize(
    ("person", "allowed"),
    [("officer", False), ("supervisor", False), ("press_officer", True), ("auditor", False)],
)
def test_only_press_office_registers_accounts(request, person, allowed):
    user = request.getfixturevalue(person).user
    assert rules.has_perm("accounts.register_socialaccount", user) is allowed


@pytest.mark.parametrize(
    ("person", "allowed"),
    [("officer", False), ("supervisor", False), ("press_officer", True), ("auditor", True)],
)
def test_audit_trail_readers(request, person, allowed):
    user = request.getfixturevalue(person).user
    assert rules.has_perm("accounts.view_audit_trail", user) is allowed
