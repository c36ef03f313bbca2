"""Who is told what when a closure or repurposing is started and decided. The words live in
templates/notifications/<kind>.txt (one kind, several audiences); the service states the facts."""

import pytest
from django.conf import settings

from handovers import services
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def _sent(kind):
    return {
        (n.recipient.username if n.recipient else n.email): (n.subject, n.body)
        for n in Notification.objects.filter(kind=kind)
    }


def test_a_closure_started_by_the_press_office_asks_the_supervisor_and_tells_the_owner(
    officer, supervisor, press_officer, account
):
    transition = services.transition_start(
        actor=press_officer.user, account_id=account.pk, kind="closure", reason="Unused & stale"
    )
    sent = _sent("closure.started")
    assert sorted(sent) == sorted([supervisor.user.username, officer.user.username])
    label = f"{press_officer.full_name} ({press_officer.staff_number})"
    subject, body = sent[supervisor.user.username]
    assert subject == "Close the account: @PriyaSharmaWMP waits for your decision"
    assert (
        f"{label} asks to close the account (@PriyaSharmaWMP, owned by {officer.full_name})."
        in body
    )
    assert "Reason: Unused & stale" in body  # plain text: nothing escaped
    assert "New purpose" not in body
    subject, body = sent[officer.user.username]
    assert subject == "Close the account of @PriyaSharmaWMP started"
    assert f"{label} has started this for your account @PriyaSharmaWMP." in body
    assert body.endswith(f"/handovers/{transition.pk}/")

    services.transition_decide(
        actor=supervisor.user, transition_id=transition.pk, approve=False, comment="Keep it"
    )
    subject, body = _sent("closure.rejected")[officer.user.username]
    assert subject == "Close the account of @PriyaSharmaWMP rejected"
    assert "has rejected it.\n\nComment: Keep it" in body


def test_a_repurposing_names_its_new_purpose_and_tells_the_press_office_once_approved(
    officer, supervisor, press_officer, account
):
    transition = services.transition_start(
        actor=officer.user,
        account_id=account.pk,
        kind="repurpose",
        reason="New post",
        new_purpose="Neighbourhood news for Erdington",
    )
    # The owner started it, so only the supervisor is told.
    [(subject, body)] = _sent("repurpose.started").values()
    assert subject == "Keep and repurpose: @PriyaSharmaWMP waits for your decision"
    assert body.split("\n\n")[2:4] == [
        "Reason: New post",
        "New purpose: Neighbourhood news for Erdington",
    ]

    services.transition_decide(actor=supervisor.user, transition_id=transition.pk, approve=True)
    sent = _sent("repurpose.supervisor_approved")
    subject, body = sent[settings.PRESS_OFFICE_EMAIL]
    assert subject == "Keep and repurpose: @PriyaSharmaWMP waits for the press office"
    assert "Work through the checklist in the portal to complete it." in body
    subject, body = sent[officer.user.username]
    assert subject == "Keep and repurpose of @PriyaSharmaWMP approved by the supervisor"
    assert "It now waits for the press office to complete it." in body
