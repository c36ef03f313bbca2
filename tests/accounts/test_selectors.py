import pytest

from accounts.selectors import social_accounts_visible_to
from people.selectors import officers_visible_to
from tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db


def test_officer_sees_only_own_accounts(officer, other_officer):
    mine = SocialAccountFactory(owner=officer)
    SocialAccountFactory(owner=other_officer)
    assert list(social_accounts_visible_to(officer.user)) == [mine]


def test_supervisor_sees_team_accounts_not_other_teams(officer, supervisor, other_officer):
    theirs = SocialAccountFactory(owner=officer)
    SocialAccountFactory(owner=other_officer)
    assert list(social_accounts_visible_to(supervisor.user)) == [theirs]


def test_press_office_and_auditor_see_every_account(officer, other_officer, press_officer, auditor):
    SocialAccountFactory(owner=officer)
    SocialAccountFactory(owner=other_officer)
    assert social_accounts_visible_to(press_officer.user).count() == 2
    assert social_accounts_visible_to(auditor.user).count() == 2


def test_officer_list_is_self_plus_team(officer, supervisor, other_officer):
    assert set(officers_visible_to(supervisor.user)) == {supervisor, officer}
    assert set(officers_visible_to(officer.user)) == {officer}


def test_account_list_runs_a_constant_number_of_queries(
    officer, supervisor, django_assert_max_num_queries
):
    for _ in range(20):
        SocialAccountFactory(owner=officer)
    with django_assert_max_num_queries(3):
        rows = [
            (a.owner.full_name, a.unit.name, a.owner.user.email)
            for a in social_accounts_visible_to(supervisor.user)
        ]
    assert len(rows) == 20
