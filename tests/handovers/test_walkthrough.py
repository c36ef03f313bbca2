"""Done when: each outcome walked through the web pages as the people involved, asserting
states, checklist, audit records and mails."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import SocialAccount
from audit.models import AuditEvent
from custody.models import Credential
from handovers.models import AccountTransition, CredentialDestruction, TransitionDecision
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def _actions(obj):
    return list(
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("sequence")
        .values_list("action", flat=True)
    )


def _sent_to():
    return sorted(address for message in mail.outbox for address in message.to)


def _as(client, login, person):
    client.logout()
    return login(person)


def _version(transition):
    transition.refresh_from_db()
    return transition.version


def test_handover_from_owner_to_successor_through_the_pages(
    client, post, login, officer, successor, supervisor, press_officer, account, settings
):
    # 1. The owner starts a handover from the account page.
    login(officer)
    page = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    start_url = reverse("handovers:start", args=[account.pk])
    assert start_url in page
    response = post(
        start_url,
        {
            "kind": "handover",
            "successor": successor.pk,
            "reason": "I move to Response on 1 December; PC Khan takes over Stechford.",
            # Never taken from the request:
            "state": "completed",
            "owner": successor.pk,
        },
    )
    assert response.status_code == 302
    transition = AccountTransition.objects.get()
    assert transition.state == "awaiting_successor"
    assert transition.owner == officer and transition.successor == successor
    account.refresh_from_db()
    assert account.status == SocialAccount.Status.HANDOVER_PENDING
    assert account.credentials_required_since is not None
    assert _actions(transition) == ["handover.started"]
    assert _actions(account)[-2:] == [
        "socialaccount.handover_pending",
        "credential.new_lodging_required",
    ]
    assert successor.user.email in _sent_to()
    assert Notification.objects.filter(recipient=successor.user, kind="handover.proposed").exists()
    mail.outbox.clear()

    # 2. The successor accepts.
    _as(client, login, successor)
    queue = client.get(reverse("handovers:queues")).content.decode()
    assert reverse("handovers:detail", args=[transition.pk]) in queue
    response = post(
        reverse("handovers:respond", args=[transition.pk]),
        {"answer": "accept", "comment": "", "version": _version(transition)},
    )
    assert response.status_code == 302
    transition.refresh_from_db()
    assert transition.state == "awaiting_supervisor"
    assert _sent_to() == sorted([supervisor.user.email, officer.user.email])
    mail.outbox.clear()

    # 3. The owner's supervisor approves.
    _as(client, login, supervisor)
    response = post(
        reverse("handovers:decide", args=[transition.pk]),
        {"outcome": "approved", "comment": "", "version": _version(transition)},
    )
    assert response.status_code == 302
    transition.refresh_from_db()
    assert transition.state == "awaiting_press_office"
    assert settings.PRESS_OFFICE_EMAIL in _sent_to()
    assert press_officer.user.email not in _sent_to()  # they read the mailbox
    mail.outbox.clear()

    # 4. The press office opens the checklist: the drafted post and the free handles are there.
    _as(client, login, press_officer)
    page = client.get(reverse("handovers:detail", args=[transition.pk])).content.decode()
    assert "Not lodged since the start" in page
    assert reverse("custody:lodge", args=[account.pk]) in page
    assert "TomKhanWMP" in page
    draft = page.split('id="farewell-draft">')[1].split("</div>")[0]
    assert "Tom Khan" in draft and len(draft) <= 280
    form = {
        "handle_changed": "on",
        "login_changed": "on",
        "followers_told": "on",
        "old_access_removed": "on",
        "new_handle": "TomKhanWMP",
        "new_display_name": "PC Tom Khan",
        "version": _version(transition),
    }
    # Without new login details lodged since the start, it cannot complete; the form comes
    # back with the four ticks and the typed handle kept, and the reason at the top.
    response = post(reverse("handovers:complete", args=[transition.pk]), form)
    assert response.status_code == 400
    page = response.content.decode()
    assert "New login details have not been lodged" in page
    summary = page.split('class="govuk-error-summary"')[1].split("</div>")[0]
    assert "New login details have not been lodged" in page and summary
    for name in ("handle_changed", "login_changed", "followers_told", "old_access_removed"):
        box = (
            page.split(f'name="{name}"')[0].rsplit("<input", 1)[1]
            + page.split(f'name="{name}"')[1].split(">")[0]
        )
        assert "checked" in box, name
    assert 'value="TomKhanWMP"' in page
    transition.refresh_from_db()
    assert transition.state == "awaiting_press_office"
    account.refresh_from_db()
    assert account.owner == officer and account.handle == "PriyaSharmaWMP"

    # The press office lodges the new password through the custody page, and is sent back to
    # the handover it came from, not to the account page.
    here = reverse("handovers:detail", args=[transition.pk])
    lodge = f"{reverse('custody:lodge', args=[account.pk])}?next={here}"
    assert lodge in page
    response = post(
        lodge,
        {"login": "tomkhanwmp@police.example", "password": "N3w-Pa55word-after-handover"},
    )
    assert response.status_code == 302 and response.url == here
    mail.outbox.clear()
    response = post(reverse("handovers:complete", args=[transition.pk]), form)
    assert response.status_code == 302
    transition.refresh_from_db()
    assert transition.state == "completed" and transition.completed_at is not None
    account.refresh_from_db()
    assert account.owner == successor
    assert account.handle == "TomKhanWMP" and account.display_name == "PC Tom Khan"
    assert account.status == SocialAccount.Status.ACTIVE
    assert account.followers == 1200  # the account keeps its followers
    checklist = transition.checklist
    assert [done for _name, _label, done in checklist.items] == [True] * 4
    assert checklist.completed_by == press_officer.user
    handed = AuditEvent.objects.get(
        object_type="accounts.socialaccount",
        object_id=str(account.pk),
        action="socialaccount.handed_over",
    )
    # The old handle is kept in the history.
    assert handed.changes["handle"] == ["PriyaSharmaWMP", "TomKhanWMP"]
    assert handed.changes["status"] == ["handover_pending", "active"]
    assert _actions(transition) == [
        "handover.started",
        "handover.accepted",
        "handover.supervisor_approved",
        "handover.completed",
    ]
    assert list(
        TransitionDecision.objects.filter(transition=transition).values_list("stage", "outcome")
    ) == [("successor", "accepted"), ("supervisor", "approved"), ("press_office", "completed")]
    assert successor.user.email in _sent_to() and officer.user.email in _sent_to()
    assert any(m.subject.endswith("@TomKhanWMP is now yours") for m in mail.outbox)

    # The old owner's access is removed; the new owner sees the account and its history.
    _as(client, login, officer)
    assert client.get(reverse("accounts:detail", args=[account.pk])).status_code == 404
    _as(client, login, successor)
    page = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert "socialaccount.handed_over" in page
    assert "PriyaSharmaWMP → TomKhanWMP" in page


def test_a_declining_successor_returns_the_handover_to_the_owner_with_a_message(
    client, post, login, officer, successor, supervisor, account
):
    login(officer)
    post(
        reverse("handovers:start", args=[account.pk]),
        {"kind": "handover", "successor": successor.pk, "reason": "Moving post"},
    )
    transition = AccountTransition.objects.get()
    mail.outbox.clear()

    _as(client, login, successor)
    # Declining needs a message.
    response = post(
        reverse("handovers:respond", args=[transition.pk]),
        {"answer": "decline", "comment": "", "version": _version(transition)},
    )
    assert response.status_code == 400
    assert "Say why you decline" in response.content.decode()
    response = post(
        reverse("handovers:respond", args=[transition.pk]),
        {
            "answer": "decline",
            "comment": "I am joining CID next month.",
            "version": _version(transition),
        },
    )
    assert response.status_code == 302
    transition.refresh_from_db()
    assert transition.state == "declined"
    account.refresh_from_db()
    assert account.status == SocialAccount.Status.ACTIVE and account.owner == officer
    assert _actions(transition)[-1] == "handover.declined"
    assert _actions(account)[-2:] == [
        "socialaccount.handover_ended",
        "credential.new_lodging_withdrawn",
    ]
    # The owner keeps the account, so the handover's demand for new login details goes too.
    assert account.credentials_required_since is None
    assert _sent_to() == [officer.user.email]
    assert "I am joining CID next month." in mail.outbox[0].body
    note = Notification.objects.get(recipient=officer.user, kind="handover.declined")
    assert note.link == reverse("handovers:detail", args=[transition.pk])
    # The owner can start again with someone else.
    _as(client, login, officer)
    page = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert reverse("handovers:start", args=[account.pk]) in page


def test_closure_through_the_pages_destroys_the_secret_and_keeps_the_account(
    client, post, login, officer, supervisor, press_officer, account
):
    credential = account.credential
    login(officer)
    response = post(
        reverse("handovers:start", args=[account.pk]),
        {"kind": "closure", "reason": "The ward merges with Yardley; one account will do."},
    )
    assert response.status_code == 302
    transition = AccountTransition.objects.get()
    assert transition.state == "awaiting_supervisor"
    account.refresh_from_db()
    assert account.status == SocialAccount.Status.HANDOVER_PENDING
    assert supervisor.user.email in _sent_to()
    mail.outbox.clear()

    _as(client, login, supervisor)
    post(
        reverse("handovers:decide", args=[transition.pk]),
        {"outcome": "approved", "version": _version(transition)},
    )
    transition.refresh_from_db()
    assert transition.state == "awaiting_press_office"

    _as(client, login, press_officer)
    page = client.get(reverse("handovers:detail", args=[transition.pk])).content.decode()
    assert "This account is closing" in page
    url = reverse("handovers:complete", args=[transition.pk])
    today = timezone.localdate()
    # Every item must be confirmed.
    response = post(
        url,
        {"farewell_posted": "on", "deactivated_on": today, "version": _version(transition)},
        follow=True,
    )
    assert "Confirm every item" in response.content.decode()
    assert Credential.objects.filter(pk=credential.pk).exists()
    mail.outbox.clear()
    response = post(
        url,
        {
            "farewell_posted": "on",
            "followers_told": "on",
            "old_access_removed": "on",
            "deactivated_on": today.isoformat(),
            "version": _version(transition),
        },
    )
    assert response.status_code == 302
    transition.refresh_from_db()
    assert transition.state == "completed"
    account.refresh_from_db()
    assert account.status == SocialAccount.Status.CLOSED and account.closed_on == today
    # The secret is deleted; the record of it is kept.
    assert not Credential.objects.filter(account=account).exists()
    destruction = CredentialDestruction.objects.get(account=account)
    assert destruction.lodged_at == credential.lodged_at
    assert destruction.destroyed_by == press_officer.user
    assert transition.checklist.credentials_destroyed
    assert transition.checklist.deactivated_on == today
    assert _actions(account)[-2:] == ["credential.destroyed", "socialaccount.closed"]
    assert _actions(transition)[-1] == "closure.completed"
    assert officer.user.email in _sent_to() and supervisor.user.email in _sent_to()
    # The account stays in the register as closed, with its whole history.
    register = client.get(reverse("accounts:list") + "?status=closed").content.decode()
    assert "PriyaSharmaWMP" in register
    page = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert "socialaccount.closed" in page and "socialaccount.handover_pending" in page
    assert "destroyed when the account closed" in page


def test_keep_and_repurpose_is_approved_by_the_new_supervisor_and_the_press_office(
    client, post, login, officer, supervisor, press_officer, account
):
    login(officer)
    response = post(
        reverse("handovers:start", args=[account.pk]),
        {
            "kind": "repurpose",
            "reason": "I move to the Road Harm team and will keep posting.",
            "new_purpose": "Road safety messages for Birmingham East.",
        },
    )
    assert response.status_code == 302
    transition = AccountTransition.objects.get()
    account.refresh_from_db()
    assert account.status == SocialAccount.Status.ACTIVE  # the owner keeps running it
    assert transition.state == "awaiting_supervisor"

    _as(client, login, supervisor)
    post(
        reverse("handovers:decide", args=[transition.pk]),
        {"outcome": "approved", "version": _version(transition)},
    )
    mail.outbox.clear()
    _as(client, login, press_officer)
    response = post(
        reverse("handovers:complete", args=[transition.pk]), {"version": _version(transition)}
    )
    assert response.status_code == 302
    transition.refresh_from_db()
    assert transition.state == "completed"
    account.refresh_from_db()
    assert account.owner == officer and account.status == SocialAccount.Status.ACTIVE
    repurposed = AuditEvent.objects.get(
        object_id=str(account.pk), action="socialaccount.repurposed"
    )
    assert repurposed.changes["purpose"][1] == "Road safety messages for Birmingham East."
    assert _actions(transition) == [
        "repurpose.started",
        "repurpose.supervisor_approved",
        "repurpose.completed",
    ]
    assert _sent_to() == [officer.user.email]
