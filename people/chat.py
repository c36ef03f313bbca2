"""Chat channels for notifications (Microsoft Teams): an administrator adds a channel with its
webhook address (a secret, sealed; see notifications/chat.py), and supervisors and the press
office choose which kinds of their notifications, or of the press office's, are posted there.
Each change is one transaction with its audit record; the data side is notifications/services.py."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from audit.services import audit_record
from core.crypto import current_key_id
from core.errors import WorkflowError
from core.workflow import lock
from notifications import services as notification_services
from notifications.models import ChatChannel, ChatSubscription
from notifications.selectors import notification_kinds

PRESS_OFFICE = ChatSubscription.Team.PRESS_OFFICE


@sensitive_variables("url")
@transaction.atomic
def chat_channel_add(*, actor, name: str, url: str) -> ChatChannel:
    """Add a channel posting to the webhook at `url` (validated by the form). Audited with its
    name and the address's hint, never the address."""
    if not actor.has_perm("people.manage_chat_channels"):
        raise PermissionDenied("Only an administrator adds a chat channel.")
    if ChatChannel.objects.filter(name__iexact=name.strip()).exists():
        raise WorkflowError(f"There is already a channel called {name.strip()}.")
    channel = notification_services.chat_channel_create(name=name, url=url)
    audit_record(
        actor=actor,
        action="chat_channel.added",
        obj=channel,
        changes={"name": [None, channel.name], "url_hint": [None, channel.url_hint]},
    )
    return channel


@sensitive_variables("url")
@transaction.atomic
def chat_channel_replace_address(*, actor, channel_id: int, url: str) -> ChatChannel:
    if not actor.has_perm("people.manage_chat_channels"):
        raise PermissionDenied("Only an administrator changes a chat channel's address.")
    channel = lock(ChatChannel, channel_id)
    changes = notification_services.chat_channel_replace_url(channel=channel, url=url)
    audit_record(actor=actor, action="chat_channel.address_replaced", obj=channel, changes=changes)
    return channel


@transaction.atomic
def chat_channel_switch(*, actor, channel_id: int, active: bool, reason: str = "") -> ChatChannel:
    """Switch a channel off (nothing more is posted to it; posts waiting in the outbox are
    parked with the reason) or back on."""
    if not actor.has_perm("people.manage_chat_channels"):
        raise PermissionDenied("Only an administrator switches a chat channel off or on.")
    channel = lock(ChatChannel, channel_id)
    changes = notification_services.chat_channel_set_active(channel=channel, active=active)
    audit_record(
        actor=actor,
        action="chat_channel.switched_on" if active else "chat_channel.switched_off",
        obj=channel,
        changes=changes,
        reason=reason,
    )
    return channel


@transaction.atomic
def chat_choices_set(*, actor, channel_id: int, kinds, for_team: str = "") -> dict:
    """Make the kinds of notification that reach `actor` (or, with `for_team`, the press
    office's shared mailbox) and are posted to the channel exactly `kinds`. A supervisor or a
    press officer for themself; a press officer for the press office. Audited when it changed."""
    if for_team:
        if for_team != PRESS_OFFICE or not actor.has_perm("people.choose_team_chat"):
            raise PermissionDenied("Only the press office chooses the press office's channels.")
    elif not actor.has_perm("people.choose_chat"):
        raise PermissionDenied("Only supervisors and the press office post notifications to chat.")
    channel = lock(ChatChannel, channel_id)
    if not channel.is_active:
        raise WorkflowError(f"The channel {channel.name} is switched off.")
    unknown = set(kinds) - set(notification_kinds())
    if unknown:
        raise WorkflowError(f"There is no kind of notification called {sorted(unknown)[0]}.")
    changes = notification_services.chat_subscriptions_set(
        channel=channel,
        kinds=kinds,
        user=None if for_team else actor,
        team=for_team,
    )
    if changes:
        audit_record(
            actor=actor,
            action="chat_channel.choices_changed",
            obj=channel,
            changes={**changes, "for": for_team or "themself"},
        )
    return changes


def chat_channels_reseal() -> int:
    """Re-seal every channel's webhook address not under the current key (key rotation, beside
    the login details: `manage.py rotate_credential_key`). Each in its own transaction, audited
    with the key ids; safe to run again."""
    current = current_key_id()
    done = 0
    for pk in ChatChannel.objects.exclude(key_id=current).values_list("pk", flat=True):
        with transaction.atomic():
            channel = lock(ChatChannel, pk)
            if channel.key_id == current:
                continue
            old = channel.key_id
            notification_services.chat_channel_reseal(channel=channel)
            audit_record(
                actor=None,
                action="chat_channel.reencrypted",
                obj=channel,
                changes={"webhook_key_id": [old, channel.key_id]},
                reason="Key rotation (rotate_credential_key)",
            )
            done += 1
    return done
