from notifications.models import Notification


def inbox_for(user, unread_only: bool = False):
    qs = Notification.objects.filter(recipient=user)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def failed_mail():
    """E-mails parked as failed, newest failure first, for an administrator to see and retry."""
    return (
        Notification.objects.filter(failed_at__isnull=False, emailed_at__isnull=True)
        .select_related("recipient")
        .order_by("-failed_at", "-pk")
    )
