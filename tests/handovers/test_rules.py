"""Who may do what with a handover: no self-approval, another team's supervisor refused, another
officer gets a 404, posted state and owner ignored, a form posted twice decides once."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts.models import SocialAccount
from accounts.services import social_account_close
from core.errors import WorkflowError
from handovers import services
from handovers.models import AccountTransition, TransitionDecision
from people.roles import Role
from tests.factories import CredentialFactory, OfficerFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db


def _handover(account, successor, actor=None):
    return services.transition_start(
        actor=actor or account.owner.user,
        account_id=account.pk,
        kind="handover",
        successor=successor,
        reason="Moving post",
    )


def _accepted(account, successor):
    transition = _handover(account, successor)
    services.handover_respond(actor=successor.user, transition_id=transition.pk, accept=True)
    transition.refresh_from_db()
    return transition


def test_start_rule_over_its_cases(
    officer, supervisor, other_supervisor, other_officer, press_officer, auditor, account
):
    may = {
        "owner": officer,
        "supervisor": supervisor,
        "press office": press_officer,
    }
    may_not = {
        "another team's supervisor": other_supervisor,
        "another officer": other_officer,
        "auditor": auditor,
    }
    for who, person in may.items():
        assert person.user.has_perm("handovers.start_transition", account), who
    for who, person in may_not.items():
        assert not person.user.has_perm("handovers.start_transition", account), who
    social_account_close(
        actor=press_officer.user, account=account, closed_on=timezone.localdate(), reason="Closed"
    )
    assert not officer.user.has_perm("handovers.start_transition", account)


def test_another_officer_and_another_teams_supervisor_get_404(
    login, officer, successor, other_officer, other_supervisor, account
):
    transition = _accepted(account, successor)
    for person in (other_officer, other_supervisor):
        client = login(person)
        assert client.get(reverse("handovers:detail", args=[transition.pk])).status_code == 404
        assert client.get(reverse("handovers:start", args=[account.pk])).status_code == 404
        response = client.post(
            reverse("handovers:decide", args=[transition.pk]),
            {"outcome": "approved", "version": transition.version},
        )
        assert response.status_code == 404
        client.logout()
    transition.refresh_from_db()
    assert transition.state == "awaiting_supervisor"
    with pytest.raises(PermissionDenied):
        services.transition_decide(
            actor=other_supervisor.user, transition_id=transition.pk, approve=True
        )


def test_the_owner_cannot_approve_their_own_handover(login, team, successor, press_officer):
    # The owner is a supervisor too, and line-manages nobody involved: still no self-approval.
    boss = OfficerFactory(unit=team, rank="inspector", roles=[Role.OFFICER, Role.SUPERVISOR])
    owner = OfficerFactory(
        unit=team, rank="sergeant", roles=[Role.OFFICER, Role.SUPERVISOR], supervisor=boss
    )
    account = SocialAccountFactory(owner=owner)
    transition = _accepted(account, successor)
    client = login(owner)
    response = client.post(
        reverse("handovers:decide", args=[transition.pk]),
        {"outcome": "approved", "version": transition.version},
    )
    assert response.status_code == 403
    transition.refresh_from_db()
    assert transition.state == "awaiting_supervisor"
    assert not TransitionDecision.objects.filter(stage="supervisor").exists()


def test_a_supervisor_who_is_the_successor_cannot_approve_it(officer, supervisor, account):
    transition = _accepted(account, supervisor)
    assert not supervisor.user.has_perm("handovers.decide_as_supervisor", transition)
    with pytest.raises(PermissionDenied):
        services.transition_decide(actor=supervisor.user, transition_id=transition.pk, approve=True)


def test_only_the_named_successor_answers(
    login, officer, successor, other_officer, supervisor, account
):
    transition = _handover(account, successor)
    assert not officer.user.has_perm("handovers.respond_as_successor", transition)
    assert not supervisor.user.has_perm("handovers.respond_as_successor", transition)
    client = login(officer)
    response = client.post(
        reverse("handovers:respond", args=[transition.pk]),
        {"answer": "accept", "version": transition.version},
    )
    assert response.status_code == 403
    transition.refresh_from_db()
    assert transition.state == "awaiting_successor"


def test_a_press_officer_who_owns_the_account_cannot_complete_it(successor, supervisor, team):
    owner = OfficerFactory(
        unit=team, supervisor=supervisor, roles=[Role.OFFICER, Role.PRESS_OFFICE]
    )
    account = SocialAccountFactory(owner=owner)
    transition = _accepted(account, successor)
    services.transition_decide(actor=supervisor.user, transition_id=transition.pk, approve=True)
    transition.refresh_from_db()
    assert not owner.user.has_perm("handovers.complete_transition", transition)
    with pytest.raises(PermissionDenied):
        services.handover_complete(
            actor=owner.user,
            transition_id=transition.pk,
            ticked={"handle_changed", "login_changed", "followers_told", "old_access_removed"},
            new_handle="TomKhanWMP",
            new_display_name="PC Tom Khan",
        )


def test_posted_state_owner_and_decider_are_ignored(
    login, officer, successor, supervisor, other_officer, account
):
    transition = _accepted(account, successor)
    client = login(supervisor)
    client.post(
        reverse("handovers:decide", args=[transition.pk]),
        {
            "outcome": "approved",
            "version": transition.version,
            "state": "completed",
            "owner": other_officer.pk,
            "decided_by": other_officer.user.pk,
        },
    )
    transition.refresh_from_db()
    account.refresh_from_db()
    assert transition.state == "awaiting_press_office"
    assert transition.owner == officer and account.owner == officer
    decision = TransitionDecision.objects.get(stage="supervisor")
    assert decision.decided_by == supervisor.user


def test_the_same_decision_posted_twice_decides_once(
    login, officer, successor, supervisor, account
):
    transition = _accepted(account, successor)
    client = login(supervisor)
    form = {"outcome": "rejected", "comment": "Not yet", "version": transition.version}
    url = reverse("handovers:decide", args=[transition.pk])
    assert client.post(url, form).status_code == 302
    second = client.post(url, form, follow=True)
    assert (
        "nothing was recorded" in second.content.decode()
        or "not waiting" in second.content.decode()
    )
    assert TransitionDecision.objects.filter(stage="supervisor").count() == 1
    transition.refresh_from_db()
    assert transition.state == "rejected"
    account.refresh_from_db()
    assert account.status == SocialAccount.Status.ACTIVE


def test_one_open_handover_per_account_and_only_from_active(officer, successor, account):
    _handover(account, successor)
    with pytest.raises(WorkflowError):
        services.transition_start(
            actor=officer.user, account_id=account.pk, kind="closure", reason="Changed my mind"
        )
    assert AccountTransition.objects.count() == 1


def test_the_owner_can_withdraw_and_the_account_is_active_again(login, officer, successor, account):
    transition = _handover(account, successor)
    client = login(officer)
    assert client.post(reverse("handovers:withdraw", args=[transition.pk])).status_code == 302
    transition.refresh_from_db()
    account.refresh_from_db()
    assert transition.state == "withdrawn" and account.status == SocialAccount.Status.ACTIVE


def test_transition_state_is_protected(officer, successor, account):
    transition = _handover(account, successor)
    with pytest.raises(AttributeError):
        transition.state = "completed"


def test_a_form_drawn_for_an_earlier_step_decides_nothing(officer, successor, supervisor, account):
    transition = _handover(account, successor)
    drawn_for = transition.version  # the supervisor's tab opened before the successor answered
    services.handover_respond(actor=successor.user, transition_id=transition.pk, accept=True)
    with pytest.raises(WorkflowError, match="nothing was recorded"):
        services.transition_decide(
            actor=supervisor.user,
            transition_id=transition.pk,
            approve=True,
            expected_version=drawn_for,
        )
    transition.refresh_from_db()
    assert transition.state == "awaiting_supervisor"


def _approved(account, successor, supervisor):
    transition = _accepted(account, successor)
    services.transition_decide(actor=supervisor.user, transition_id=transition.pk, approve=True)
    CredentialFactory(account=account, lodged_at=timezone.now())
    transition.refresh_from_db()
    return transition


HANDOVER_ITEMS = {"handle_changed", "login_changed", "followers_told", "old_access_removed"}


def test_the_handle_rules_apply_to_the_successors_handle(
    officer, successor, supervisor, press_officer
):
    account = SocialAccountFactory(owner=officer, handle="PriyaSharmaWMP")
    SocialAccountFactory(handle="TomKhanWMP")  # already in the register
    transition = _approved(account, successor, supervisor)
    for handle, message in [
        ("tomkhanwmp", "already in the register"),  # compared without case
        ("TomKhanIsTooLongWMP", "15 characters or fewer"),
        ("Tom-Khan", "letters, numbers and underscores"),
    ]:
        with pytest.raises(WorkflowError, match=message):
            services.handover_complete(
                actor=press_officer.user,
                transition_id=transition.pk,
                ticked=HANDOVER_ITEMS,
                new_handle=handle,
                new_display_name="PC Tom Khan",
            )
    # The refusal offers free handles in the guidance's order.
    with pytest.raises(WorkflowError, match="Free handles: TKhanWMP"):
        services.handover_complete(
            actor=press_officer.user,
            transition_id=transition.pk,
            ticked=HANDOVER_ITEMS,
            new_handle="TomKhanWMP",
            new_display_name="PC Tom Khan",
        )
    account.refresh_from_db()
    assert account.handle == "PriyaSharmaWMP" and account.owner == officer
    # A team account may keep its handle.
    services.handover_complete(
        actor=press_officer.user,
        transition_id=transition.pk,
        ticked=HANDOVER_ITEMS,
        new_handle="PriyaSharmaWMP",
        new_display_name="Stechford Police",
    )
    account.refresh_from_db()
    assert account.owner == successor and account.handle == "PriyaSharmaWMP"


def test_a_handover_cannot_complete_with_details_lodged_before_it_started(
    officer, successor, supervisor, press_officer, account
):
    transition = _accepted(account, successor)  # `account` has details lodged before the start
    services.transition_decide(actor=supervisor.user, transition_id=transition.pk, approve=True)
    with pytest.raises(WorkflowError, match="New login details have not been lodged"):
        services.handover_complete(
            actor=press_officer.user,
            transition_id=transition.pk,
            ticked=HANDOVER_ITEMS,
            new_handle="TomKhanWMP",
            new_display_name="PC Tom Khan",
        )
    transition.refresh_from_db()
    assert transition.state == "awaiting_press_office"


def test_the_supervisor_who_approved_cannot_also_complete(officer, supervisor, account):
    """One person holding both roles cannot approve as supervisor and complete as press office."""
    from django.core.exceptions import PermissionDenied

    from handovers import services as handover_services
    from people.roles import Role, ensure_role_groups
    from tests.factories import AccountTransitionFactory

    supervisor.user.groups.add(ensure_role_groups()[Role.PRESS_OFFICE])
    transition = AccountTransitionFactory(
        account=account, kind="closure", successor=None, state="awaiting_supervisor"
    )
    handover_services.transition_decide(
        actor=supervisor.user, transition_id=transition.pk, approve=True
    )
    with pytest.raises(PermissionDenied, match="two different people"):
        handover_services.closure_complete(
            actor=supervisor.user,
            transition_id=transition.pk,
            ticked=set(),
            deactivated_on=timezone.localdate(),
        )
    transition.refresh_from_db()
    assert transition.state == "awaiting_press_office"
