"""The actions on the account page, the menu, the home tiles and the queues, by role."""

import pytest
from django.urls import reverse

from handovers import services

pytestmark = pytest.mark.django_db


def test_the_account_page_offers_the_actions_only_to_those_who_may(
    login, officer, supervisor, press_officer, auditor, account
):
    start = reverse("handovers:start", args=[account.pk])
    for person, offered in [
        (officer, True),
        (supervisor, True),
        (press_officer, True),
        (auditor, False),
    ]:
        client = login(person)
        page = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
        assert (start in page) is offered, person
        assert client.get(start).status_code == (200 if offered else 403), person
        client.logout()


def test_home_and_queues_show_what_waits_for_each_person(
    login, officer, successor, supervisor, press_officer, account, administrator
):
    transition = services.transition_start(
        actor=officer.user,
        account_id=account.pk,
        kind="handover",
        successor=successor,
        reason="Moving post",
    )
    detail = reverse("handovers:detail", args=[transition.pk])

    client = login(successor)
    home = client.get(reverse("home")).content.decode()
    assert "Accept or decline @PriyaSharmaWMP" in home  # a to-do, linked to the handover
    assert detail in home
    assert detail in client.get(reverse("handovers:queues")).content.decode()
    client.logout()

    services.handover_respond(actor=successor.user, transition_id=transition.pk, accept=True)
    client = login(supervisor)
    assert detail in client.get(reverse("handovers:queues")).content.decode()
    client.logout()

    services.transition_decide(actor=supervisor.user, transition_id=transition.pk, approve=True)
    client = login(press_officer)
    home = client.get(reverse("home")).content.decode()
    assert "Complete the handover of @PriyaSharmaWMP" in home
    assert detail in client.get(reverse("handovers:queues")).content.decode()
    assert reverse("handovers:leavers") not in home
    client.logout()

    client = login(administrator)
    assert reverse("handovers:leavers") in client.get(reverse("home")).content.decode()


def test_orphans_are_listed_for_the_supervisor_with_a_way_to_propose_a_successor(
    login, officer, supervisor, other_supervisor, administrator, account
):
    services.officer_mark_and_orphan(
        actor=administrator.user, officer_id=officer.pk, status="moved"
    )
    propose = reverse("handovers:start", args=[account.pk]) + "?kind=handover"
    client = login(supervisor)
    assert "Orphaned accounts" in client.get(reverse("home")).content.decode()
    assert propose in client.get(reverse("handovers:queues")).content.decode()
    client.logout()
    client = login(other_supervisor)
    assert propose not in client.get(reverse("handovers:queues")).content.decode()


def test_each_person_finds_their_form_on_the_page_at_their_step(
    login, post, officer, successor, supervisor, press_officer, account
):
    from django.core import mail

    transition = services.transition_start(
        actor=officer.user,
        account_id=account.pk,
        kind="handover",
        successor=successor,
        reason="Moving post",
    )
    url = reverse("handovers:detail", args=[transition.pk])
    steps = [
        (successor, reverse("handovers:respond", args=[transition.pk])),
        (supervisor, reverse("handovers:decide", args=[transition.pk])),
        (press_officer, reverse("handovers:complete", args=[transition.pk])),
    ]
    for step, (person, _action) in enumerate(steps):
        for other, other_action in steps:
            client = login(other)
            page = client.get(url).content.decode()
            assert (f'action="{other_action}"' in page) is (other == person), (step, other)
            client.logout()
        if step == 0:
            services.handover_respond(
                actor=successor.user, transition_id=transition.pk, accept=True
            )
        elif step == 1:
            services.transition_decide(
                actor=supervisor.user, transition_id=transition.pk, approve=True
            )
    # The press office may refuse instead, with a reason the owner is sent.
    login(press_officer)
    transition.refresh_from_db()
    mail.outbox.clear()
    response = post(
        reverse("handovers:decide", args=[transition.pk]),
        {
            "outcome": "rejected",
            "comment": "The successor has no policy training yet.",
            "version": transition.version,
        },
    )
    assert response.status_code == 302
    transition.refresh_from_db()
    account.refresh_from_db()
    assert transition.state == "rejected" and account.status == "active"
    assert any(officer.user.email in m.to and "no policy training" in m.body for m in mail.outbox)


def test_an_auditor_reads_a_handover_and_can_do_nothing_with_it(
    login, post, officer, successor, auditor, account
):
    transition = services.transition_start(
        actor=officer.user,
        account_id=account.pk,
        kind="handover",
        successor=successor,
        reason="Moving post",
    )
    client = login(auditor)
    page = client.get(reverse("handovers:detail", args=[transition.pk])).content.decode()
    assert "handover.started" in page
    assert "<form" not in page.split("<main")[1].split("</main>")[0]
    response = post(
        reverse("handovers:respond", args=[transition.pk]),
        {"answer": "accept", "version": transition.version},
    )
    assert response.status_code == 403
    response = post(reverse("handovers:withdraw", args=[transition.pk]))
    assert response.status_code == 403
    transition.refresh_from_db()
    assert transition.state == "awaiting_successor"


def test_withdrawing_tells_the_successor(login, post, officer, successor, account):
    from django.core import mail

    transition = services.transition_start(
        actor=officer.user,
        account_id=account.pk,
        kind="handover",
        successor=successor,
        reason="Moving post",
    )
    mail.outbox.clear()
    login(officer)
    post(reverse("handovers:withdraw", args=[transition.pk]))
    transition.refresh_from_db()
    assert transition.state == "withdrawn"
    assert [m.to for m in mail.outbox] == [[successor.user.email]]


def test_a_refused_account_transition_is_a_message_not_a_server_error(
    login, post, officer, successor, press_officer, account
):
    """The account's own lifecycle (accounts.services) refuses with core's WorkflowError, a
    DomainError, which the page turns into a message. Here the handover waits for the press
    office but its account is still active, not handover pending (a transition built before the
    lifecycle kept the two in step): completing it must say so and change nothing."""
    from django.utils import timezone

    from accounts.models import SocialAccount
    from audit.models import AuditEvent
    from custody.models import Credential
    from tests.factories import AccountTransitionFactory, ChecklistFactory

    transition = AccountTransitionFactory(
        account=account, successor=successor, state="awaiting_press_office"
    )
    ChecklistFactory(transition=transition)
    Credential.objects.filter(account=account).update(lodged_at=timezone.now())  # fresh details
    events = AuditEvent.objects.count()
    login(press_officer)
    response = post(
        reverse("handovers:complete", args=[transition.pk]),
        {
            "handle_changed": "on",
            "login_changed": "on",
            "followers_told": "on",
            "old_access_removed": "on",
            "new_handle": "TomKhanWMP",
            "new_display_name": "PC Tom Khan",
            "version": transition.version,
        },
        follow=True,
    )
    # The refusal comes back on the form (what was ticked kept), not as a server error.
    assert response.status_code == 400
    assert response.redirect_chain == []
    assert "@PriyaSharmaWMP is active; that step is not open." in response.content.decode()
    transition.refresh_from_db()
    account.refresh_from_db()
    assert transition.state == "awaiting_press_office"
    assert account.status == SocialAccount.Status.ACTIVE and account.owner == officer
    assert AuditEvent.objects.count() == events
