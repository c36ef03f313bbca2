"""The account's lifecycle: every transition fired from every status. Where the lifecycle allows
it, the status moves and exactly one audit row says who, from, to and why; where it does not,
`WorkflowError`, the account untouched and no audit row. The status field cannot be assigned."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import SocialAccount
from audit.models import AuditEvent
from core.errors import WorkflowError
from tests.factories import PASSWORD, OfficerFactory, SocialAccountFactory, UserFactory

pytestmark = pytest.mark.django_db

S = SocialAccount.Status
LIVE = [S.PENDING_SETUP, S.ACTIVE, S.HANDOVER_PENDING]
CLOSED_ON = datetime.date(2026, 10, 30)
REASON = "Because the test says so"


def _complete_handover(actor, account, successor):
    return services.social_account_complete_handover(
        actor=actor,
        account=account,
        owner=successor,
        handle="SuccessorWMP",
        display_name="PC Successor",
        reason=REASON,
    )


def _restore_to(target):
    def restore(actor, account, _successor):
        return services.social_account_restore(
            actor=actor, account=account, to=target, reason=REASON
        )

    return restore


def _simple(service):
    def call(actor, account, _successor):
        return service(actor=actor, account=account, reason=REASON)

    return call


# name: (call, audit action, {source: target}), written out here rather than read from the model.
TRANSITIONS = {
    "activate": (
        _simple(services.social_account_activate),
        "socialaccount.activated",
        {S.PENDING_SETUP: S.ACTIVE},
    ),
    "start handover": (
        _simple(services.social_account_start_handover),
        "socialaccount.handover_pending",
        {S.ACTIVE: S.HANDOVER_PENDING},
    ),
    "complete handover": (
        _complete_handover,
        "socialaccount.handed_over",
        {S.HANDOVER_PENDING: S.ACTIVE},
    ),
    "end handover": (
        _simple(services.social_account_end_handover),
        "socialaccount.handover_ended",
        {S.HANDOVER_PENDING: S.ACTIVE},
    ),
    "mark compromised": (
        _simple(services.social_account_mark_compromised),
        "socialaccount.compromised",
        dict.fromkeys(LIVE, S.COMPROMISED),
    ),
    **{
        f"restore to {target}": (
            _restore_to(target),
            "socialaccount.recovered",
            {S.COMPROMISED: target},
        )
        for target in LIVE
    },
    "close": (
        lambda actor, account, _successor: services.social_account_close(
            actor=actor, account=account, closed_on=CLOSED_ON, reason=REASON
        ),
        "socialaccount.closed",
        dict.fromkeys(LIVE, S.CLOSED),
    ),
}


def _events(account):
    return AuditEvent.objects.filter(
        object_type="accounts.socialaccount", object_id=str(account.pk)
    )


@pytest.mark.parametrize("source", S.values)
@pytest.mark.parametrize("name", TRANSITIONS)
def test_every_transition_from_every_status(name, source, press_officer, officer):
    call, action, moves = TRANSITIONS[name]
    account = SocialAccountFactory(owner=officer, status=source, handle="BeforeWMP")
    before = {f: getattr(account, f) for f in ("owner_id", "handle", "activated_on", "closed_on")}
    successor = OfficerFactory()
    actor = press_officer.user

    if source not in moves:
        with pytest.raises(WorkflowError, match="not open"):
            call(actor, account, successor)
        account.refresh_from_db()
        assert account.status == source
        assert {f: getattr(account, f) for f in before} == before
        assert not _events(account).exists()
        return

    target = moves[source]
    returned = call(actor, account, successor)
    assert returned is account
    assert account.status == target
    account.refresh_from_db()
    assert account.status == target
    (event,) = _events(account)
    assert event.action == action
    assert event.actor == actor
    assert event.changes["status"] == [source, target]
    assert event.reason == REASON
    if name == "activate":
        assert account.activated_on == timezone.localdate()
        assert event.changes["activated_on"] == [None, timezone.localdate().isoformat()]
    if name == "complete handover":
        assert (account.owner, account.handle, account.display_name) == (
            successor,
            "SuccessorWMP",
            "PC Successor",
        )
        assert event.changes["handle"] == ["BeforeWMP", "SuccessorWMP"]
        assert event.changes["owner"] == [str(officer), str(successor)]
    if name == "close":
        assert account.closed_on == CLOSED_ON
        assert event.changes["closed_on"] == [None, CLOSED_ON.isoformat()]


def test_the_status_cannot_be_assigned(officer):
    account = SocialAccountFactory(owner=officer)
    with pytest.raises(AttributeError, match="modification is not allowed"):
        account.status = S.CLOSED
    loaded = SocialAccount.objects.get(pk=account.pk)
    with pytest.raises(AttributeError, match="modification is not allowed"):
        loaded.status = S.COMPROMISED
    loaded.refresh_from_db()  # the protected field still reloads
    assert loaded.status == S.ACTIVE


def test_a_compromised_account_goes_back_only_to_a_live_status(press_officer, officer):
    account = SocialAccountFactory(owner=officer, status=S.COMPROMISED)
    with pytest.raises(WorkflowError, match="cannot go back"):
        services.social_account_restore(
            actor=press_officer.user, account=account, to=S.CLOSED, reason=REASON
        )
    account.refresh_from_db()
    assert account.status == S.COMPROMISED
    assert not _events(account).exists()


def test_opening_from_a_case_registers_it_pending_set_up(press_officer, officer):
    account = services.social_account_open(
        actor=press_officer.user,
        business_case_id=41,
        platform=SocialAccount.Platform.X,
        handle="NewTeamWMP",
        display_name="New team",
        kind=SocialAccount.Kind.TEAM,
        owner=officer,
        unit=officer.unit,
        reason=REASON,
    )
    account.refresh_from_db()
    assert account.status == S.PENDING_SETUP
    (event,) = _events(account)
    assert event.action == "socialaccount.registered_from_case"
    assert event.actor == press_officer.user
    assert event.changes["status"] == [None, S.PENDING_SETUP]
    assert event.changes["business_case"] == [None, 41]


def test_given_an_id_it_returns_the_account(press_officer, officer):
    account = SocialAccountFactory(owner=officer)
    returned = services.social_account_start_handover(
        actor=press_officer.user, account=account.pk, reason=REASON
    )
    assert returned.pk == account.pk
    assert returned.status == S.HANDOVER_PENDING


def test_the_callers_own_changes_survive_and_its_stale_status_is_not_trusted(
    press_officer, officer
):
    account = SocialAccountFactory(owner=officer)
    account.display_name = "Not saved yet"
    services.social_account_start_handover(actor=press_officer.user, account=account, reason=REASON)
    assert account.status == S.HANDOVER_PENDING
    assert account.display_name == "Not saved yet"

    stale = SocialAccount.objects.get(pk=account.pk)
    services.social_account_mark_compromised(
        actor=press_officer.user, account=account, reason=REASON
    )
    assert stale.status == S.HANDOVER_PENDING  # as loaded; the row is compromised now
    with pytest.raises(WorkflowError, match="compromised"):
        services.social_account_end_handover(actor=press_officer.user, account=stale, reason=REASON)
    assert SocialAccount.objects.get(pk=account.pk).status == S.COMPROMISED


def test_the_admin_never_sets_the_status(client, officer):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    client.login(username="root", password=PASSWORD)
    response = client.post(
        reverse("admin:accounts_socialaccount_add"),
        {
            "platform": SocialAccount.Platform.X,
            "handle": "AdminWMP",
            "display_name": "Added in the admin",
            "kind": SocialAccount.Kind.TEAM,
            "owner": officer.pk,
            "unit": officer.unit.pk,
            "status": S.ACTIVE,
        },
    )
    assert response.status_code == 302
    account = SocialAccount.objects.get(handle="AdminWMP")
    assert account.status == S.PENDING_SETUP
    change = client.get(reverse("admin:accounts_socialaccount_change", args=[account.pk]))
    assert 'name="status"' not in change.content.decode()
