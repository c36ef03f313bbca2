from django.conf import settings

from notifications.models import ChatChannel, ChatSubscription, Notification


def inbox_for(user, unread_only: bool = False):
    qs = Notification.objects.filter(recipient=user)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def failed_mail():
    """E-mails and chat posts parked as failed, newest failure first, for an administrator to
    see and retry."""
    return (
        Notification.objects.filter(failed_at__isnull=False, emailed_at__isnull=True)
        .select_related("recipient", "chat_channel")
        .order_by("-failed_at", "-pk")
    )


def notification_kinds() -> list[str]:
    """Every kind of notification: the templates that word them (`notifications/<kind>.txt`),
    less the partials they include."""
    folder = settings.BASE_DIR / "templates" / "notifications"
    return sorted(p.stem for p in folder.glob("*.txt") if not p.name.startswith("_"))


def chat_channels(*, active_only: bool = False):
    qs = ChatChannel.objects.defer("nonce", "ciphertext", "key_id")
    return qs.filter(is_active=True) if active_only else qs


def chat_subscriptions_of(*, user=None, team: str = ""):
    """A person's (or a team's) chat choices, with their channel."""
    qs = ChatSubscription.objects.select_related("channel").defer(
        "channel__nonce", "channel__ciphertext", "channel__key_id"
    )
    if user is not None:
        return qs.filter(user=user)
    return qs.filter(user__isnull=True, team=team)
