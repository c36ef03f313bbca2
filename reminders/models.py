from django.db import models


class Reminder(models.Model):
    """One reminder, held by a unique row: a kind of reminder about one subject for one period
    (a dormant spell, a wait for a decision, a week of orphanhood, a re-certification year).

    The unique constraint is what makes reminders exactly-once: a scan that runs twice, a task
    that is retried, a worker that dies mid-batch all meet the row that is already there.
    `notified_at` is set in the same transaction that writes the notifications, so delivery is
    exactly-once too."""

    class Kind(models.TextChoices):
        DORMANCY_WARN = "dormancy_warn", "No post for a while: reminder to the owner"
        DORMANCY_DORMANT = "dormancy_dormant", "Dormant: owner and supervisor told"
        DORMANCY_STALE = "dormancy_stale", "Stale: press office told, review proposed"

    class SubjectType(models.TextChoices):
        ACCOUNT = "account", "Account"

    kind = models.CharField(max_length=40, choices=Kind.choices)
    subject_type = models.CharField(max_length=20, choices=SubjectType.choices)
    subject_id = models.BigIntegerField()
    period_start = models.DateTimeField(
        help_text="Start of the period this reminder belongs to, e.g. the last post before a "
        "dormant spell."
    )
    account = models.ForeignKey(
        "accounts.SocialAccount",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    run_id = models.UUIDField(db_index=True, help_text="The scan that created it.")
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_type", "subject_id", "period_start"],
                name="reminder_once_per_subject_period",
            )
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(notified_at__isnull=True),
                name="reminder_unnotified",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.subject_type} {self.subject_id})"
