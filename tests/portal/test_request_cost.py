"""What every signed-in page pays before its own work: the session, and one query for the user
with what the permission checks ask of the person (their roles, officer record and unit, whether
they have a team; people/backends.py), kept on that request's user object and asked again by the
next request. (Speed is
measured by `make bench`, not here.)"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from people.predicates import load_principal
from people.roles import Role
from people.selectors import supervised_officer_ids
from people.services import delegation_create, delegation_revoke, role_grant, role_revoke
from tests.factories import OfficerFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db

# Session, and the user with the principal (roles, officer and unit, team) in one query.
SIGNED_IN = 2


@pytest.fixture
def administrator(db):
    return OfficerFactory(rank="staff", roles=[Role.ADMINISTRATOR])


@pytest.mark.parametrize(
    "who", ["officer", "supervisor", "press_officer", "auditor", "administrator"]
)
def test_a_simple_signed_in_page_pays_a_constant_few_queries_whatever_the_role(
    request, client, django_assert_num_queries, who
):
    person = request.getfixturevalue(who)
    client.force_login(person.user)
    client.get(reverse("me"))  # the session's first request also records it (once a minute)

    # Your account: the menu, the person's name and unit, their roles, what they may start.
    with django_assert_num_queries(SIGNED_IN):
        response = client.get(reverse("me"))
    assert response.status_code == 200
    assert person.unit.name in response.text

    # Notifications: the menu plus the page's own count (none yet: no list query).
    with django_assert_num_queries(SIGNED_IN + 1):
        response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 200


def test_a_role_given_or_taken_mid_session_is_seen_on_the_next_request(
    client, officer, administrator
):
    client.force_login(officer.user)
    audit = reverse("audit:trail")
    assert client.get(audit).status_code == 403
    assert "Audit trail" not in client.get(reverse("me")).text

    role_grant(actor=administrator.user, user_id=officer.user.pk, role=Role.AUDITOR, reason="Audit")
    assert client.get(audit).status_code == 200
    me = client.get(reverse("me")).text
    assert "Audit trail" in me
    assert "Your roles: Officer, Auditor." in me

    role_revoke(actor=administrator.user, user_id=officer.user.pk, role=Role.AUDITOR, reason="Done")
    assert client.get(audit).status_code == 403
    me = client.get(reverse("me")).text
    assert "Audit trail" not in me
    assert "Your roles: Officer." in me


def test_a_delegation_given_or_ended_mid_session_is_seen_on_the_next_request(
    client, supervisor, officer, other_supervisor
):
    """The team is read once per request and kept on that request's user object only."""
    SocialAccountFactory(owner=officer, handle="TeamAccountWMP")
    client.force_login(other_supervisor.user)
    register = reverse("accounts:list")
    assert "TeamAccountWMP" not in client.get(register).text

    today = timezone.localdate()
    delegation = delegation_create(
        actor=supervisor.user, acting=other_supervisor, starts_on=today, ends_on=today, reason="Off"
    )
    assert "TeamAccountWMP" in client.get(register).text

    delegation_revoke(actor=supervisor.user, delegation_id=delegation.pk)
    assert "TeamAccountWMP" not in client.get(register).text


def _fresh(user):
    """The user as AuthenticationMiddleware loads it for a request, with its principal."""
    fresh = get_user_model().objects.get(pk=user.pk)
    load_principal(fresh)
    return fresh


def test_the_team_is_one_query_a_request_and_none_for_someone_without_one(
    supervisor, officer, django_assert_num_queries
):
    sergeant, constable = _fresh(supervisor.user), _fresh(officer.user)
    with django_assert_num_queries(1):
        assert supervised_officer_ids(sergeant) == [officer.pk]
        assert supervised_officer_ids(sergeant) == [officer.pk]  # kept for the request
    with django_assert_num_queries(0):
        assert supervised_officer_ids(constable) == []
