from django.conf import settings
from django.db import models
from django.db.models import Q


class ChatChannel(models.Model):
    """A chat channel (a Microsoft Teams channel's incoming webhook or Workflows address) that
    notifications can be posted to, beside mail. An administrator adds it (people/chat.py,
    audited). The address is a secret (whoever holds it can post to the channel): it is sealed
    with the CREDENTIAL_KEYS ring (core/crypto.py), bound to this row, and only `url_hint` (host
    and the last characters) is ever shown."""

    name = models.CharField(max_length=80, unique=True)
    url_hint = models.CharField(max_length=120, help_text="Where it posts, never the address.")
    key_id = models.CharField(max_length=20, blank=True)
    nonce = models.BinaryField(max_length=12, blank=True, editable=False)
    ciphertext = models.BinaryField(blank=True, editable=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ChatSubscription(models.Model):
    """One choice: notifications of `kind` that reach `user` (a supervisor, a press officer), or
    that reach a team's shared mailbox (`team`, e.g. the press office), are also posted to
    `channel`."""

    class Team(models.TextChoices):
        PRESS_OFFICE = "press_office", "The press office"

    channel = models.ForeignKey(ChatChannel, on_delete=models.CASCADE, related_name="subscriptions")
    kind = models.CharField(max_length=60)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="chat_subscriptions",
    )
    team = models.CharField(max_length=30, choices=Team.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["channel__name", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(team=""))
                | (Q(user__isnull=True) & ~Q(team="")),
                name="chat_subscription_person_or_team",
            ),
            models.UniqueConstraint(
                fields=["channel", "kind", "user"],
                condition=Q(user__isnull=False),
                name="chat_subscription_once_per_person",
            ),
            models.UniqueConstraint(
                fields=["channel", "kind", "team"],
                condition=Q(user__isnull=True),
                name="chat_subscription_once_per_team",
            ),
        ]

    def __str__(self):
        return f"{self.kind} → {self.channel}"


class Notification(models.Model):
    """A message in a person's portal inbox, and its e-mail copy waiting in the outbox.

    The row is written in the same transaction as the change it tells of, so nothing is lost
    when the broker or the mail server is down: `deliver_pending` sends whatever is still
    waiting, and `emailed_at` makes sending exactly-once per row.

    A row with a `chat_channel` is that channel's copy (no recipient, no e-mail): the same
    outbox, tries, back-off and parking, and `emailed_at` is when it was posted."""

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
    chat_channel = models.ForeignKey(
        ChatChannel,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
        help_text="The chat channel this copy is posted to, instead of an e-mail address.",
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

    # Has a copy to deliver: an e-mail address, or a chat channel.
    HAS_COPY = Q(chat_channel__isnull=False) | ~Q(email="")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(emailed_at__isnull=True),
                name="notification_unsent",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(chat_channel__isnull=True) | (Q(email="") & Q(recipient__isnull=True)),
                name="notification_chat_copy_has_no_addressee",
            ),
        ]

    def __str__(self):
        return f"{self.subject} → {self.destination}"

    @property
    def destination(self) -> str:
        """Where the copy goes, for people: the address, or the chat channel's name."""
        if self.chat_channel_id:
            return f"Teams channel “{self.chat_channel.name}”"
        return self.email
