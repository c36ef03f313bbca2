"""Shared accounts with named editors (issue 16, part 1): the owner asks, the owner's supervisor
or the press office approves (never the owner or the editor, and never without the editor's
training), the editor accepts the policy, and an editor who is removed or moves or leaves makes
the press office change the password, as a handover does."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountEditor, SocialAccount
from accounts.selectors import account_posters, accounts_posted_by, social_accounts_visible_to
from approvals.models import PolicyAcknowledgement
from audit.models import AuditEvent
from core.errors import WorkflowError
from custody.services import WeakPassword, credential_lodge
from custody.strength import words_to_avoid
from handovers import editors
from handovers.services import leavers_import_and_orphan, officer_mark_and_orphan
from notifications.models import Notification
from people.models import Officer
from people.roles import Role
from reminders.models import Reminder
from reminders.services import _dormancy_message
from tests.factories import (
    CredentialFactory,
    OfficerFactory,
    PolicyVersionFactory,
    SocialAccountFactory,
)

pytestmark = pytest.mark.django_db
State = AccountEditor.State


@pytest.fixture
def policy(db):
    return PolicyVersionFactory(version="3.0")


@pytest.fixture
def shared(officer):
    account = SocialAccountFactory(
        owner=officer,
        unit=officer.unit,
        kind=SocialAccount.Kind.TEAM,
        handle="StechfordNPT",
        display_name="Stechford Police",
        status=SocialAccount.Status.ACTIVE,
    )
    CredentialFactory(account=account)
    return account


@pytest.fixture
def editor(team):
    return OfficerFactory(unit=team, first_name="Amir", surname="Qureshi", staff_number="PC7319")


@pytest.fixture
def untrained(team):
    return OfficerFactory(unit=team, first_name="Nia", surname="Lowe", trained=False)


def _actions(account) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="accounts.socialaccount", object_id=str(account.pk))
        .order_by("sequence")
        .values_list("action", flat=True)
    )


def _active(account, editor, *, officer, supervisor, policy) -> AccountEditor:
    e = editors.editor_request(
        actor=officer.user, account_id=account.pk, officer_id=editor.pk, reason="Weekend cover"
    )
    editors.editor_decide(actor=supervisor.user, editorship_id=e.pk, approve=True)
    return editors.editor_accept_policy(
        actor=editor.user, editorship_id=e.pk, personal_use_read=True
    )


def test_the_whole_workflow(shared, officer, supervisor, editor, policy, press_officer):
    e = editors.editor_request(
        actor=officer.user, account_id=shared.pk, officer_id=editor.pk, reason="Weekend cover"
    )
    assert e.state == State.REQUESTED
    assert Notification.objects.filter(recipient=supervisor.user, kind="editor.requested").exists()
    assert Notification.objects.filter(recipient=editor.user, kind="editor.requested").exists()
    assert account_posters(shared) == [officer]  # not yet

    editors.editor_decide(actor=supervisor.user, editorship_id=e.pk, approve=True)
    e.refresh_from_db()
    assert e.state == State.APPROVED and e.decided_by == supervisor.user
    assert account_posters(shared) == [officer]  # not before accepting the policy
    assert not social_accounts_visible_to(editor.user).filter(pk=shared.pk).exists()

    editors.editor_accept_policy(actor=editor.user, editorship_id=e.pk, personal_use_read=True)
    e.refresh_from_db()
    assert e.state == State.ACTIVE
    assert e.policy_version == str(policy) and e.policy_acknowledged_at is not None
    assert PolicyAcknowledgement.objects.filter(officer=editor, policy=policy).exists()
    assert account_posters(shared) == [officer, editor]
    assert list(accounts_posted_by(editor)) == [shared]
    assert social_accounts_visible_to(editor.user).filter(pk=shared.pk).exists()
    assert editor.user.has_perm("accounts.view_socialaccount", shared)
    assert editor.user.has_perm("accounts.check_in_socialaccount", shared)
    assert Notification.objects.filter(recipient=press_officer.user, kind="editor.active").exists()
    assert _actions(shared)[-3:] == [
        "editor.requested",
        "editor.approved",
        "editor.policy_accepted",
    ]


def test_approval_refused_without_training_and_the_page_says_what_is_missing(
    shared, officer, supervisor, untrained, login
):
    e = editors.editor_request(
        actor=officer.user, account_id=shared.pk, officer_id=untrained.pk, reason="Cover"
    )
    with pytest.raises(WorkflowError, match="no record of completing"):
        editors.editor_decide(actor=supervisor.user, editorship_id=e.pk, approve=True)
    e.refresh_from_db()
    assert e.state == State.REQUESTED
    assert "editor.approved" not in _actions(shared)
    page = login(supervisor).get(reverse("handovers:editor", args=[e.pk])).content.decode()
    assert "Missing" in page and "You cannot approve yet" in page
    # Refusing is open, with a reason.
    with pytest.raises(WorkflowError, match="Say why"):
        editors.editor_decide(actor=supervisor.user, editorship_id=e.pk, approve=False)
    editors.editor_decide(
        actor=supervisor.user, editorship_id=e.pk, approve=False, comment="Training first"
    )
    e.refresh_from_db()
    assert e.state == State.REFUSED
    assert Notification.objects.filter(recipient=officer.user, kind="editor.decided").exists()


def test_expired_training_is_refused_too(shared, officer, supervisor, untrained):
    today = timezone.localdate()
    untrained.training.create(
        course="Social media training",
        completed_on=today - datetime.timedelta(days=800),
        expires_on=today - datetime.timedelta(days=35),
        recorded_by=supervisor.user,
    )
    e = editors.editor_request(
        actor=officer.user, account_id=shared.pk, officer_id=untrained.pk, reason="Cover"
    )
    with pytest.raises(WorkflowError, match="expired on"):
        editors.editor_decide(actor=supervisor.user, editorship_id=e.pk, approve=True)


def test_no_self_approval(shared, officer, supervisor, team):
    # The proposed editor is the owner's own supervisor: they may not approve themself.
    e = editors.editor_request(
        actor=officer.user, account_id=shared.pk, officer_id=supervisor.pk, reason="Cover"
    )
    with pytest.raises(PermissionDenied):
        editors.editor_decide(actor=supervisor.user, editorship_id=e.pk, approve=True)
    # The owner may not approve their own request, even in the press office.
    officer.user.groups.add(*officer.user.groups.model.objects.filter(name=Role.PRESS_OFFICE))
    officer.user.__dict__.pop("_officer_cache", None)
    with pytest.raises(PermissionDenied):
        editors.editor_decide(actor=officer.user, editorship_id=e.pk, approve=True)
    assert AccountEditor.objects.get(pk=e.pk).state == State.REQUESTED


def test_press_office_may_decide_and_outsiders_may_not(
    shared, officer, editor, press_officer, other_supervisor, other_officer
):
    e = editors.editor_request(
        actor=officer.user, account_id=shared.pk, officer_id=editor.pk, reason="Cover"
    )
    for outsider in (other_supervisor, other_officer, editor):
        with pytest.raises(PermissionDenied):
            editors.editor_decide(actor=outsider.user, editorship_id=e.pk, approve=True)
    with pytest.raises(PermissionDenied):
        editors.editor_request(
            actor=other_officer.user, account_id=shared.pk, officer_id=editor.pk, reason="x"
        )
    editors.editor_decide(actor=press_officer.user, editorship_id=e.pk, approve=True)
    assert AccountEditor.objects.get(pk=e.pk).state == State.APPROVED


def test_only_shared_accounts_have_editors_and_never_their_owner(
    officer, supervisor, editor, shared
):
    individual = SocialAccountFactory(owner=officer, kind=SocialAccount.Kind.INDIVIDUAL)
    with pytest.raises(PermissionDenied):
        editors.editor_request(
            actor=officer.user, account_id=individual.pk, officer_id=editor.pk, reason="x"
        )
    with pytest.raises(WorkflowError, match="owns"):
        editors.editor_request(
            actor=officer.user, account_id=shared.pk, officer_id=officer.pk, reason="x"
        )
    editors.editor_request(
        actor=officer.user, account_id=shared.pk, officer_id=editor.pk, reason="x"
    )
    with pytest.raises(WorkflowError, match="already"):
        editors.editor_request(
            actor=officer.user, account_id=shared.pk, officer_id=editor.pk, reason="x"
        )
    assert AccountEditor.objects.filter(account=shared).count() == 1


def _assert_password_demand(shared, e, press_officer):
    e.refresh_from_db()
    shared.refresh_from_db()
    assert e.state == State.REMOVED
    assert shared.credentials_required_since is not None
    assert shared.credentials_required_since >= e.removed_at
    assert Notification.objects.filter(recipient=press_officer.user, kind="editor.removed").exists()
    actions = _actions(shared)
    assert actions.index("editor.removed") < actions.index("credential.new_lodging_required")
    assert account_posters(shared) == [shared.owner]


def test_an_editor_who_leaves_makes_the_press_office_change_the_password(
    shared, officer, supervisor, editor, policy, press_officer
):
    e = _active(shared, editor, officer=officer, supervisor=supervisor, policy=policy)
    admin = OfficerFactory(roles=[Role.ADMINISTRATOR])
    assert shared.credentials_required_since is None
    officer_mark_and_orphan(
        actor=admin.user, officer_id=editor.pk, status=Officer.Status.LEFT, reason="Retired"
    )
    _assert_password_demand(shared, e, press_officer)
    assert "left the force" in AccountEditor.objects.get(pk=e.pk).removal_reason


def test_an_editor_moved_by_the_hr_import_is_removed_too(
    shared, officer, supervisor, editor, policy, press_officer
):
    e = _active(shared, editor, officer=officer, supervisor=supervisor, policy=policy)
    admin = OfficerFactory(roles=[Role.ADMINISTRATOR])
    today = timezone.localdate().isoformat()
    report = leavers_import_and_orphan(
        actor=admin.user, content=f"staff_number,status,date\n{editor.staff_number},moved,{today}\n"
    )
    assert report.ok, report.errors
    _assert_password_demand(shared, e, press_officer)


def test_removing_an_editor_by_hand_makes_the_same_demand(
    shared, officer, supervisor, editor, policy, press_officer, other_officer
):
    e = _active(shared, editor, officer=officer, supervisor=supervisor, policy=policy)
    with pytest.raises(PermissionDenied):
        editors.editor_remove(actor=other_officer.user, editorship_id=e.pk, reason="x")
    with pytest.raises(WorkflowError, match="Say why"):
        editors.editor_remove(actor=officer.user, editorship_id=e.pk, reason=" ")
    editors.editor_remove(actor=officer.user, editorship_id=e.pk, reason="Moved shifts")
    _assert_password_demand(shared, e, press_officer)


def test_withdrawing_a_request_asks_for_no_new_password(shared, officer, editor):
    e = editors.editor_request(
        actor=officer.user, account_id=shared.pk, officer_id=editor.pk, reason="Cover"
    )
    editors.editor_remove(actor=officer.user, editorship_id=e.pk, reason="Not needed")
    shared.refresh_from_db()
    assert shared.credentials_required_since is None
    assert AccountEditor.objects.get(pk=e.pk).state == State.REMOVED


def test_an_editors_words_are_refused_in_a_lodged_password(
    shared, officer, supervisor, editor, policy, press_officer
):
    _active(shared, editor, officer=officer, supervisor=supervisor, policy=policy)
    words = words_to_avoid(shared)
    assert {"qureshi", "amir", "pc7319", "7319", officer.surname.lower()} <= set(words)
    with pytest.raises(WeakPassword, match="editor"):
        credential_lodge(
            actor=press_officer.user,
            account=shared,
            login="npt@police.example",
            password="Kettle-Orbit-Qureshi-Zephyr",
        )


def test_editors_see_the_account_with_their_role(
    shared, officer, supervisor, editor, policy, login
):
    e = _active(shared, editor, officer=officer, supervisor=supervisor, policy=policy)
    client = login(editor)
    home = client.get(reverse("home")).content.decode()
    assert "@StechfordNPT" in home and "you are an editor" in home
    register = client.get(reverse("accounts:list")).content.decode()
    assert "@StechfordNPT" in register
    page = client.get(reverse("accounts:detail", args=[shared.pk])).content.decode()
    assert "Your role: editor" in page and "run by 2 officers" in page
    assert client.get(reverse("handovers:editor", args=[e.pk])).status_code == 200


def test_outsiders_do_not_see_an_editorship(shared, officer, editor, other_officer, login):
    e = editors.editor_request(
        actor=officer.user, account_id=shared.pk, officer_id=editor.pk, reason="Cover"
    )
    client = login(other_officer)
    assert client.get(reverse("handovers:editor", args=[e.pk])).status_code == 404
    response = client.post(reverse("handovers:editor_decide", args=[e.pk]), {"approve": "yes"})
    assert response.status_code == 404
    # The proposed editor sees the request but cannot decide it.
    client = login(editor)
    assert client.get(reverse("handovers:editor", args=[e.pk])).status_code == 200
    response = client.post(reverse("handovers:editor_decide", args=[e.pk]), {"approve": "yes"})
    assert response.status_code == 403


def test_the_request_form_says_what_is_wrong_next_to_the_field(shared, officer, login):
    client = login(officer)
    url = reverse("handovers:editor_request", args=[shared.pk])
    response = client.post(url, {"officer": "NOPE999", "reason": "Cover"})
    assert response.status_code == 200
    assert "No officer has the staff number NOPE999" in response.content.decode()
    response = client.post(url, {"officer": officer.staff_number, "reason": "Cover"})
    assert "owns @StechfordNPT" in response.content.decode()
    assert not AccountEditor.objects.exists()


def test_editors_are_copied_on_dormancy_reminders_but_not_the_escalation(
    shared, officer, supervisor, editor, policy, press_officer
):
    _active(shared, editor, officer=officer, supervisor=supervisor, policy=policy)
    now = timezone.now()
    for kind, copied in (
        (Reminder.Kind.DORMANCY_WARN, True),
        (Reminder.Kind.DORMANCY_STALE, False),
    ):
        reminder = Reminder(kind=kind, subject_id=shared.pk, period_start=now)
        message = _dormancy_message(reminder, now)
        assert (editor.user in message.recipients) is copied
        assert officer.user in message.recipients


def test_the_public_page_says_a_team_runs_it_and_names_no_one(
    client, shared, officer, supervisor, editor, policy
):
    _active(shared, editor, officer=officer, supervisor=supervisor, policy=policy)
    text = client.get(reverse("verify:accounts")).content.decode()
    assert "Team account" in text
    for person in (officer, editor):
        assert person.surname not in text and person.staff_number not in text


def test_an_editor_who_takes_the_account_over_stops_being_an_editor(
    officer, supervisor, editor, policy, press_officer
):
    from handovers.services import handover_complete
    from tests.handovers.test_rules import HANDOVER_ITEMS, _approved

    account = SocialAccountFactory(
        owner=officer, kind=SocialAccount.Kind.TEAM, handle="YardleyNPT", status="active"
    )
    e = _active(account, editor, officer=officer, supervisor=supervisor, policy=policy)
    transition = _approved(account, editor, supervisor)
    handover_complete(
        actor=press_officer.user,
        transition_id=transition.pk,
        ticked=HANDOVER_ITEMS,
        new_handle="YardleyNPT",
        new_display_name="Yardley Wood Police",
    )
    account.refresh_from_db()
    assert account.owner == editor
    assert AccountEditor.objects.get(pk=e.pk).state == State.REMOVED
    assert account_posters(account) == [editor]


def test_closing_the_account_ends_its_editorships(
    shared, officer, supervisor, editor, policy, press_officer
):
    from handovers.services import closure_complete, transition_decide, transition_start

    e = _active(shared, editor, officer=officer, supervisor=supervisor, policy=policy)
    t = transition_start(
        actor=officer.user, account_id=shared.pk, kind="closure", reason="Merged into the LPU's"
    )
    transition_decide(actor=supervisor.user, transition_id=t.pk, approve=True)
    closure_complete(
        actor=press_officer.user,
        transition_id=t.pk,
        ticked={"farewell_posted", "followers_told", "old_access_removed"},
        deactivated_on=timezone.localdate(),
    )
    assert AccountEditor.objects.get(pk=e.pk).state == State.REMOVED
    assert not accounts_posted_by(editor).exists()


def test_a_consolidation_ends_the_editorships_of_the_account_it_folds(
    shared, officer, supervisor, editor, policy, press_officer
):
    from handovers import services
    from people.models import Unit
    from tests.factories import UnitFactory

    lpu = UnitFactory(kind=Unit.Kind.LPU)
    shared.unit.parent = lpu
    shared.unit.save(update_fields=["parent"])
    inspector = OfficerFactory(unit=lpu, rank="inspector", roles=[Role.OFFICER, Role.SUPERVISOR])
    target = SocialAccountFactory(
        owner=inspector,
        unit=lpu,
        kind=SocialAccount.Kind.UNIT,
        handle="WMPBEast",
        last_post_at=timezone.now() - datetime.timedelta(days=1),
    )
    e = _active(shared, editor, officer=officer, supervisor=supervisor, policy=policy)
    transition = services.transition_start(
        actor=officer.user,
        account_id=shared.pk,
        kind="consolidation",
        reason="The LPU account speaks for the team now.",
        target=target,
    )
    services.transition_decide(actor=supervisor.user, transition_id=transition.pk, approve=True)
    services.consolidation_complete(
        actor=press_officer.user,
        transition_id=transition.pk,
        ticked={"farewell_posted", "followers_told", "old_access_removed"},
        deactivated_on=timezone.localdate(),
    )
    e.refresh_from_db()
    assert e.state == State.REMOVED
    assert account_posters(SocialAccount.objects.get(pk=shared.pk)) == [officer]
    assert "editor.removed" in _actions(shared)
