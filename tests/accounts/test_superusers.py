"""A superuser gets no way round the portal's rules (Django's superuser shortcut applies only to
the admin's own model permissions)."""

import pytest
import rules
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from approvals import services as approvals
from approvals.models import Decision
from tests.factories import BusinessCaseFactory, OfficerFactory, PolicyVersionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_officer(supervisor):
    officer = OfficerFactory(supervisor=supervisor)
    officer.user.is_superuser = officer.user.is_staff = True
    officer.user.save()
    return officer


def test_superuser_cannot_approve_their_own_case(superuser_officer):
    policy = PolicyVersionFactory()
    case = BusinessCaseFactory(applicant=superuser_officer, handle="RootUserWMP")
    approvals.business_case_submit(
        actor=superuser_officer.user, case_id=case.pk, policy_id=policy.pk, personal_use_read=True
    )
    with pytest.raises(PermissionDenied):
        approvals.business_case_decide(
            actor=superuser_officer.user, case_id=case.pk, outcome=Decision.Outcome.APPROVED
        )
    case.refresh_from_db()
    assert case.state == "submitted"
    assert not Decision.objects.exists()


def test_superuser_is_not_press_office(superuser_officer):
    from tests.factories import SocialAccountFactory

    account = SocialAccountFactory()
    assert not superuser_officer.user.has_perm("custody.reveal_credential", account)
    assert not superuser_officer.user.has_perm("approvals.view_press_office_queue")
    # ...while the Django admin still works for them.
    assert superuser_officer.user.has_perm("accounts.change_unit")


def test_admin_only_login_gets_403_not_500_on_officer_pages(client):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    client.login(username="root", password="correct-horse-battery")
    assert client.get(reverse("approvals:create")).status_code == 403
    assert client.get(reverse("approvals:delegations")).status_code == 403
    assert client.get(reverse("home")).status_code == 200


def test_rules_and_has_perm_agree_for_ordinary_users(officer, press_officer):
    from tests.factories import SocialAccountFactory

    account = SocialAccountFactory(owner=officer)
    for user in (officer.user, press_officer.user):
        assert user.has_perm("custody.reveal_credential", account) == rules.has_perm(
            "custody.reveal_credential", user, account
        )
