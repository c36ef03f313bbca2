"""Consolidation (issue 16 part 3): the proposals from measured activity, the workflow (owner and
supervisor agree, the press office completes the checklist), the closure with a record of where
the followers go, and the public verification page that then says so."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import SocialAccount
from audit.models import AuditEvent
from core.errors import WorkflowError
from custody.models import Credential
from handovers import selectors, services
from handovers.models import AccountTransition, CredentialDestruction, TransitionDecision
from notifications.models import Notification
from people.models import Unit
from people.roles import Role
from tests.factories import (
    CredentialFactory,
    DelegationFactory,
    OfficerFactory,
    SocialAccountFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

ALL_TICKED = {"farewell_posted", "followers_told", "old_access_removed"}


def _ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def tree(team):
    """Force → Birmingham East LPU → the Stechford team (the `team` fixture's unit)."""
    force = UnitFactory(name="West Midlands Police", code="force", kind=Unit.Kind.FORCE)
    lpu = UnitFactory(name="Birmingham East LPU", code="b-east", kind=Unit.Kind.LPU, parent=force)
    team.parent = lpu
    team.save(update_fields=["parent"])
    return {"force": force, "lpu": lpu, "team": team}


@pytest.fixture
def inspector(tree, supervisor):
    boss = OfficerFactory(unit=tree["lpu"], rank="inspector", roles=[Role.OFFICER, Role.SUPERVISOR])
    supervisor.supervisor = boss
    supervisor.save(update_fields=["supervisor"])
    return boss


@pytest.fixture
def unit_account(tree, inspector):
    return SocialAccountFactory(
        owner=inspector,
        unit=tree["lpu"],
        kind=SocialAccount.Kind.UNIT,
        handle="WMPBirminghamEast",
        last_post_at=_ago(1),
        followers=8000,
    )


@pytest.fixture
def quiet(officer, tree):
    account = SocialAccountFactory(
        owner=officer, handle="PriyaSharmaWMP", last_post_at=_ago(120), followers=140
    )
    CredentialFactory(account=account)
    return account


def _proposed(user) -> dict:
    proposals = selectors.consolidation_proposals(user)
    return {a.handle: proposals.target_for(a).handle for a in proposals.accounts}


# Proposals ------------------------------------------------------------------------------------


def test_a_quiet_account_with_few_followers_and_a_live_unit_account_is_proposed(
    quiet, unit_account, press_officer, supervisor, other_supervisor, settings
):
    settings.CONSOLIDATION_QUIET_DAYS = 90
    settings.CONSOLIDATION_FEW_FOLLOWERS = 500
    assert _proposed(press_officer.user) == {"PriyaSharmaWMP": "WMPBirminghamEast"}
    # A supervisor sees their own team's; another team's supervisor none.
    assert _proposed(supervisor.user) == {"PriyaSharmaWMP": "WMPBirminghamEast"}
    assert _proposed(other_supervisor.user) == {}


@pytest.mark.parametrize(
    "change",
    [
        "posted_recently",
        "many_followers",
        "followers_never_counted",
        "unit_account_dormant",
        "unit_account_closed",
        "unit_account_suspended_by_handover",
        "unit_account_other_platform",
        "unit_account_in_another_lpu",
        "unit_account_is_individual",
        "already_under_way",
    ],
)
def test_any_one_condition_missing_and_nothing_is_proposed(
    change, quiet, unit_account, press_officer, tree, settings
):
    settings.CONSOLIDATION_QUIET_DAYS = 90
    settings.CONSOLIDATION_FEW_FOLLOWERS = 500
    assert _proposed(press_officer.user)  # proposed before the change
    account_changes, target_changes = {}, {}
    if change == "posted_recently":
        account_changes["last_post_at"] = _ago(30)
    elif change == "many_followers":
        account_changes["followers"] = 501
    elif change == "followers_never_counted":
        account_changes["followers"] = None
    elif change == "unit_account_dormant":
        target_changes["last_post_at"] = _ago(settings.DORMANT_AFTER + 1)
    elif change == "unit_account_closed":
        target_changes["status"] = SocialAccount.Status.CLOSED
    elif change == "unit_account_suspended_by_handover":
        target_changes["status"] = SocialAccount.Status.HANDOVER_PENDING
    elif change == "unit_account_other_platform":
        target_changes["platform"] = SocialAccount.Platform.FACEBOOK
    elif change == "unit_account_in_another_lpu":
        other = UnitFactory(kind=Unit.Kind.LPU, parent=tree["force"])
        target_changes["unit"] = other
    elif change == "unit_account_is_individual":
        target_changes["kind"] = SocialAccount.Kind.INDIVIDUAL
    elif change == "already_under_way":
        services.transition_start(
            actor=press_officer.user,
            account_id=quiet.pk,
            kind="closure",
            reason="Closing instead",
        )
    SocialAccount.objects.filter(pk=quiet.pk).update(**account_changes) if account_changes else None
    if target_changes:
        SocialAccount.objects.filter(pk=unit_account.pk).update(**target_changes)
    assert _proposed(press_officer.user) == {}


def test_the_nearest_unit_account_is_the_target_and_the_quiet_days_are_a_setting(
    quiet, unit_account, tree, press_officer, settings
):
    settings.CONSOLIDATION_FEW_FOLLOWERS = 500
    SocialAccountFactory(
        owner=press_officer,
        unit=tree["force"],
        kind=SocialAccount.Kind.CENTRAL,
        handle="WMPolice",
        last_post_at=_ago(0),
        followers=300000,
    )
    settings.CONSOLIDATION_QUIET_DAYS = 90
    assert _proposed(press_officer.user) == {"PriyaSharmaWMP": "WMPBirminghamEast"}
    settings.CONSOLIDATION_QUIET_DAYS = 150  # 120 days quiet is not quiet enough now
    assert _proposed(press_officer.user) == {}
    # Without the LPU's account, the force's central account (further up the tree) is the target.
    settings.CONSOLIDATION_QUIET_DAYS = 90
    SocialAccount.objects.filter(pk=unit_account.pk).update(last_post_at=_ago(200))
    assert _proposed(press_officer.user) == {"PriyaSharmaWMP": "WMPolice"}


def test_proposals_take_a_fixed_number_of_queries(
    tree, unit_account, press_officer, django_assert_max_num_queries, settings
):
    settings.CONSOLIDATION_FEW_FOLLOWERS = 500
    for _ in range(12):
        owner = OfficerFactory(unit=tree["team"])
        SocialAccountFactory(owner=owner, last_post_at=_ago(200), followers=20)
    user = press_officer.user
    user.has_perm("handovers.view_consolidation_proposals")  # the person's roles, loaded once
    with django_assert_max_num_queries(4):
        proposals = selectors.consolidation_proposals(user)
        rows = proposals.rows(proposals.accounts.select_related("owner", "unit"))
    assert len(rows) == 12 and {r.target.handle for r in rows} == {"WMPBirminghamEast"}


def test_the_proposals_page_shows_the_evidence_and_is_refused_to_officers(
    client, login, quiet, unit_account, press_officer, officer, settings
):
    settings.CONSOLIDATION_FEW_FOLLOWERS = 500
    login(press_officer)
    page = client.get(reverse("handovers:consolidations")).content.decode()
    assert "@PriyaSharmaWMP" in page and "@WMPBirminghamEast" in page
    assert ">140<" in page  # followers
    start = reverse("handovers:start", args=[quiet.pk])
    assert f"{start}?kind=consolidation&amp;target={unit_account.pk}" in page
    client.logout()
    login(officer)
    assert client.get(reverse("handovers:consolidations")).status_code == 403


# The workflow -------------------------------------------------------------------------------


def _actions(obj) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("sequence")
        .values_list("action", flat=True)
    )


def _kinds_to(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def _version(transition) -> int:
    transition.refresh_from_db()
    return transition.version


def test_consolidation_end_to_end_through_the_pages_then_the_public_check(
    client,
    post,
    login,
    quiet,
    unit_account,
    officer,
    supervisor,
    inspector,
    press_officer,
):
    credential = quiet.credential
    # 1. The press office starts it from the proposal.
    login(press_officer)
    start = reverse("handovers:start", args=[quiet.pk])
    page = client.get(f"{start}?kind=consolidation&target={unit_account.pk}").content.decode()
    assert "@WMPBirminghamEast" in page
    response = post(
        start,
        {
            "kind": "consolidation",
            "target": unit_account.pk,
            "reason": "Quiet since the summer; the LPU account reaches these followers.",
        },
    )
    assert response.status_code == 302
    transition = AccountTransition.objects.get()
    assert (transition.kind, transition.state, transition.target) == (
        "consolidation",
        "awaiting_owner",
        unit_account,
    )
    quiet.refresh_from_db()
    assert quiet.status == SocialAccount.Status.HANDOVER_PENDING
    assert "consolidation.started" in _kinds_to(officer.user)
    assert "consolidation.started" in _kinds_to(supervisor.user)
    assert officer.user.email in {a for m in mail.outbox for a in m.to}

    # 2. The supervisor cannot decide before the owner agrees; the owner agrees.
    client.logout()
    login(supervisor)
    response = post(
        reverse("handovers:decide", args=[transition.pk]),
        {"outcome": "approved", "version": _version(transition)},
    )
    transition.refresh_from_db()
    assert transition.state == "awaiting_owner"
    client.logout()
    login(officer)
    page = client.get(reverse("handovers:detail", args=[transition.pk])).content.decode()
    assert "Your answer as the account" in page
    post(
        reverse("handovers:respond", args=[transition.pk]),
        {"answer": "agree", "version": _version(transition)},
    )
    transition.refresh_from_db()
    assert transition.state == "awaiting_supervisor"
    assert "consolidation.owner_accepted" in _kinds_to(supervisor.user)

    # 3. The supervisor approves.
    client.logout()
    login(supervisor)
    post(
        reverse("handovers:decide", args=[transition.pk]),
        {"outcome": "approved", "version": _version(transition)},
    )
    transition.refresh_from_db()
    assert transition.state == "awaiting_press_office"
    assert "consolidation.supervisor_approved" in _kinds_to(officer.user)

    # 4. The press office: the farewell draft names the target; every item must be ticked.
    client.logout()
    login(press_officer)
    page = client.get(reverse("handovers:detail", args=[transition.pk])).content.decode()
    assert "follow @WMPBirminghamEast" in page
    url = reverse("handovers:complete", args=[transition.pk])
    today = timezone.localdate()
    response = post(
        url,
        {"farewell_posted": "on", "deactivated_on": today, "version": _version(transition)},
    )
    assert response.status_code == 400 and "Confirm every item" in response.content.decode()
    response = post(
        url,
        {
            **dict.fromkeys(ALL_TICKED, "on"),
            "deactivated_on": today.isoformat(),
            "version": _version(transition),
        },
    )
    assert response.status_code == 302
    transition.refresh_from_db()
    quiet.refresh_from_db()
    assert transition.state == "completed"
    assert quiet.status == SocialAccount.Status.CLOSED
    assert quiet.closed_on == today and quiet.consolidated_into == unit_account
    assert not Credential.objects.filter(pk=credential.pk).exists()
    assert CredentialDestruction.objects.filter(account=quiet, transition=transition).exists()
    assert "@WMPBirminghamEast" in transition.checklist.farewell_text
    stages = list(transition.decisions.values_list("stage", "outcome"))
    assert stages == [
        ("owner", "accepted"),
        ("supervisor", "approved"),
        ("press_office", "completed"),
    ]
    assert _actions(transition) == [
        "consolidation.started",
        "consolidation.owner_accepted",
        "consolidation.supervisor_approved",
        "consolidation.completed",
    ]
    assert _actions(quiet)[-3:] == [
        "socialaccount.handover_pending",
        "credential.destroyed",
        "socialaccount.consolidated",
    ]
    for person in (officer, supervisor):
        assert "consolidation.completed" in _kinds_to(person.user)

    # 5. The public check says it is closed and where the followers should go.
    client.logout()
    page = client.get(reverse("verify:page"), {"handle": "PriyaSharmaWMP"}).content.decode()
    assert 'data-verdict="formerly_official"' in page
    assert "We closed it" in page
    assert "now posts as @WMPBirminghamEast on X (Twitter)" in page
    body = client.get(reverse("verify:accounts_json"), {"handle": "PriyaSharmaWMP"}).json()
    assert body["status"] == "formerly_official" and body["reason"] == "closed"
    assert body["now"] == {"platform": "x", "handle": "WMPBirminghamEast"}
    # The unit's account itself is still official.
    body = client.get(reverse("verify:accounts_json"), {"handle": "WMPBirminghamEast"}).json()
    assert body["status"] == "official"


def test_the_owner_starting_it_records_their_agreement_and_a_supervisor_never_approves_their_own(
    supervisor, inspector, tree, press_officer, django_capture_on_commit_callbacks
):
    own = SocialAccountFactory(
        owner=supervisor,
        handle="SgtHughesWMP",
        last_post_at=_ago(200),
        followers=30,
    )
    target = SocialAccountFactory(
        owner=inspector,
        unit=tree["lpu"],
        kind=SocialAccount.Kind.UNIT,
        handle="WMPBEast",
        last_post_at=_ago(2),
    )
    transition = services.transition_start(
        actor=supervisor.user,
        account_id=own.pk,
        kind="consolidation",
        reason="I no longer post; the LPU account does.",
        target=target,
    )
    assert transition.state == "awaiting_supervisor"
    assert list(transition.decisions.values_list("stage", "decided_by")) == [
        ("owner", supervisor.user.pk)
    ]
    with pytest.raises(PermissionDenied):
        services.transition_decide(actor=supervisor.user, transition_id=transition.pk, approve=True)
    transition.refresh_from_db()
    assert transition.state == "awaiting_supervisor"
    # Their own supervisor decides.
    services.transition_decide(actor=inspector.user, transition_id=transition.pk, approve=True)
    transition.refresh_from_db()
    assert transition.state == "awaiting_press_office"


def test_the_owner_declining_gives_the_account_back_and_tells_everyone(
    quiet, unit_account, officer, supervisor, press_officer
):
    transition = services.transition_start(
        actor=press_officer.user,
        account_id=quiet.pk,
        kind="consolidation",
        reason="Quiet",
        target=unit_account,
    )
    with pytest.raises(WorkflowError):  # a refusal needs a reason
        services.consolidation_respond(actor=officer.user, transition_id=transition.pk, agree=False)
    with pytest.raises(PermissionDenied):  # only the owner answers
        services.consolidation_respond(
            actor=supervisor.user, transition_id=transition.pk, agree=True
        )
    services.consolidation_respond(
        actor=officer.user,
        transition_id=transition.pk,
        agree=False,
        comment="I am back from leave and posting again from Monday.",
    )
    transition.refresh_from_db()
    quiet.refresh_from_db()
    assert transition.state == "declined_by_owner"
    assert quiet.status == SocialAccount.Status.ACTIVE and quiet.consolidated_into is None
    assert "socialaccount.handover_ended" in _actions(quiet)
    assert "consolidation.owner_declined" in _kinds_to(supervisor.user)
    assert "consolidation.owner_declined" in _kinds_to(press_officer.user)


def test_a_supervisor_rejection_and_a_withdrawal_give_the_account_back(
    quiet, unit_account, officer, supervisor, press_officer
):
    transition = services.transition_start(
        actor=officer.user,
        account_id=quiet.pk,
        kind="consolidation",
        reason="I have moved on",
        target=unit_account,
    )
    services.transition_decide(
        actor=supervisor.user,
        transition_id=transition.pk,
        approve=False,
        comment="Keep it: the ward's summer campaign starts soon.",
    )
    quiet.refresh_from_db()
    assert quiet.status == SocialAccount.Status.ACTIVE
    assert "consolidation.rejected" in _kinds_to(officer.user)
    assert "consolidation.rejected" in _kinds_to(press_officer.user)

    again = services.transition_start(
        actor=press_officer.user,
        account_id=quiet.pk,
        kind="consolidation",
        reason="Quiet again",
        target=unit_account,
    )
    with pytest.raises(PermissionDenied):  # neither owner nor starter
        services.transition_withdraw(actor=supervisor.user, transition_id=again.pk)
    services.transition_withdraw(actor=press_officer.user, transition_id=again.pk, reason="Oops")
    again.refresh_from_db()
    quiet.refresh_from_db()
    assert again.state == "withdrawn"
    assert quiet.status == SocialAccount.Status.ACTIVE
    assert "consolidation.withdrawn" in _actions(again)
    assert "consolidation.withdrawn" in _kinds_to(officer.user)


def test_a_target_that_is_not_a_live_unit_account_is_refused(
    quiet, unit_account, press_officer, officer, supervisor
):
    elsewhere = SocialAccountFactory(
        kind=SocialAccount.Kind.UNIT, last_post_at=_ago(1), handle="WMPElsewhere"
    )
    with pytest.raises(WorkflowError, match="cannot take"):
        services.transition_start(
            actor=press_officer.user,
            account_id=quiet.pk,
            kind="consolidation",
            reason="Quiet",
            target=elsewhere,
        )
    assert not AccountTransition.objects.exists()
    # The target closing meanwhile stops the completion; nothing is written.
    transition = services.transition_start(
        actor=press_officer.user,
        account_id=quiet.pk,
        kind="consolidation",
        reason="Quiet",
        target=unit_account,
    )
    services.consolidation_respond(actor=officer.user, transition_id=transition.pk, agree=True)
    services.transition_decide(actor=supervisor.user, transition_id=transition.pk, approve=True)
    SocialAccount.objects.filter(pk=unit_account.pk).update(status=SocialAccount.Status.CLOSED)
    with pytest.raises(WorkflowError, match="cannot take the followers"):
        services.consolidation_complete(
            actor=press_officer.user,
            transition_id=transition.pk,
            ticked=ALL_TICKED,
            deactivated_on=timezone.localdate(),
        )
    transition.refresh_from_db()
    quiet.refresh_from_db()
    assert transition.state == "awaiting_press_office"
    assert quiet.status == SocialAccount.Status.HANDOVER_PENDING
    assert Credential.objects.filter(account=quiet).exists()


def test_the_press_office_completing_its_own_account_is_refused(
    tree, inspector, press_officer, unit_account
):
    boss = OfficerFactory(unit=tree["lpu"], roles=[Role.OFFICER, Role.SUPERVISOR])
    press_officer.supervisor = boss
    press_officer.unit = tree["team"]
    press_officer.save(update_fields=["supervisor", "unit"])
    own = SocialAccountFactory(
        owner=press_officer, unit=tree["team"], last_post_at=_ago(300), followers=5
    )
    transition = services.transition_start(
        actor=press_officer.user,
        account_id=own.pk,
        kind="consolidation",
        reason="Mine, quiet",
        target=unit_account,
    )
    services.transition_decide(actor=boss.user, transition_id=transition.pk, approve=True)
    with pytest.raises(PermissionDenied):
        services.consolidation_complete(
            actor=press_officer.user,
            transition_id=transition.pk,
            ticked=ALL_TICKED,
            deactivated_on=timezone.localdate(),
        )
    assert TransitionDecision.objects.filter(transition=transition).count() == 2


# Who may take each step: every member of a cast tries it, each try undone --------------------


class _Undo(Exception):
    pass


def _tries(cast: dict, call) -> set[str]:
    """The names in `cast` for whom `call(user)` succeeds; each try is rolled back."""
    allowed = set()
    for name, officer in cast.items():
        try:
            with transaction.atomic():
                call(officer.user)
                allowed.add(name)
                raise _Undo
        except _Undo:
            pass
        except (PermissionDenied, WorkflowError):
            pass
    return allowed


@pytest.fixture
def cast(officer, supervisor, inspector, other_supervisor, press_officer, auditor, team):
    acting = OfficerFactory(unit=team, roles=[Role.OFFICER, Role.SUPERVISOR])
    DelegationFactory(supervisor=supervisor, acting=acting)
    return {
        "owner": officer,
        "supervisor": supervisor,
        "acting": acting,
        "inspector": inspector,
        "other_supervisor": other_supervisor,
        "press": press_officer,
        "auditor": auditor,
        "colleague": OfficerFactory(unit=team, supervisor=supervisor),
    }


def test_exactly_the_right_people_may_take_each_step(cast, quiet, unit_account):
    started = services.transition_start(
        actor=cast["press"].user,
        account_id=quiet.pk,
        kind="consolidation",
        reason="Quiet",
        target=unit_account,
    )
    pk = started.pk
    assert _tries(
        cast,
        lambda user: services.consolidation_respond(actor=user, transition_id=pk, agree=True),
    ) == {"owner"}
    assert _tries(
        cast, lambda user: services.transition_withdraw(actor=user, transition_id=pk)
    ) == {"owner", "press"}
    services.consolidation_respond(actor=cast["owner"].user, transition_id=pk, agree=True)
    assert _tries(
        cast,
        lambda user: services.transition_decide(actor=user, transition_id=pk, approve=True),
    ) == {"supervisor", "acting"}
    services.transition_decide(actor=cast["acting"].user, transition_id=pk, approve=True)
    assert _tries(
        cast,
        lambda user: services.consolidation_complete(
            actor=user,
            transition_id=pk,
            ticked=ALL_TICKED,
            deactivated_on=timezone.localdate(),
        ),
    ) == {"press"}
    # Nobody decides one stage twice.
    with pytest.raises(WorkflowError):
        services.transition_decide(actor=cast["supervisor"].user, transition_id=pk, approve=True)


def test_an_orphan_whose_owner_left_goes_straight_to_the_supervisor(
    quiet, unit_account, officer, supervisor, press_officer
):
    officer.status, officer.status_changed_on = "left", timezone.localdate()
    officer.save(update_fields=["status", "status_changed_on"])
    transition = services.transition_start(
        actor=press_officer.user,
        account_id=quiet.pk,
        kind="consolidation",
        reason="The owner has left; the LPU account takes the followers.",
        target=unit_account,
    )
    assert transition.state == "awaiting_supervisor"
    assert not transition.decisions.exists()  # nobody agreed for the owner
    services.transition_decide(actor=supervisor.user, transition_id=transition.pk, approve=True)
    transition.refresh_from_db()
    assert transition.state == "awaiting_press_office"
