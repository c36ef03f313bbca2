from django.conf import settings
from django.db import models
from django.db.models import Q


class Notification(models.Model):
    """A message in a person's portal inbox, and its e-mail copy waiting in the outbox.

    The row is written in the same transaction as the change it tells of, so nothing is lost
    when the broker or the mail server is down: `deliver_pending` sends whatever is still
    waiting, and `emailed_at` makes sending exactly-once per row."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    email = models.EmailField(
        blank=True,
        help_text="Where the e-mail copy goes; blank when the person reads it in a shared mailbox.",
    )
    subject = models.CharField(max_length=200)
    body = models.TextField()
    link = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=60, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    # Back-off: the sweep leaves a row that failed alone until then.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Parked: the e-mail could not be sent (its content is unsendable, or every try failed).
    # The sweep no longer picks it; an administrator sees it with `last_error` and may retry it.
    failed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(emailed_at__isnull=True),
                name="notification_unsent",
            ),
        ]

    def __str__(self):
        return f"{self.subject} → {self.email}"
