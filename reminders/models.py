from django.conf import settings
from django.db import models
from django.utils import timezone


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
        DECISION_OVERDUE = "decision_overdue", "Case waiting too long: decider reminded"
        DECISION_ESCALATED = "decision_escalated", "Case waiting far too long: escalated"
        RECERT_DUE = "recert_due", "Re-certification due: owner asked"
        RECERT_OVERDUE = "recert_overdue", "Re-certification overdue: chased (weekly)"
        ORPHAN = "orphan", "Orphaned account: supervisor and press office told (weekly)"
        CHECK_IN_MONTHLY = (
            "check_in_monthly",
            "No platform adapter: owner asked to check in (monthly)",
        )

    class SubjectType(models.TextChoices):
        ACCOUNT = "account", "Account"
        CASE = "case", "Business case"
        RECERTIFICATION = "recertification", "Re-certification"

    kind = models.CharField(max_length=40, choices=Kind.choices)
    subject_type = models.CharField(max_length=20, choices=SubjectType.choices)
    subject_id = models.BigIntegerField()
    period_start = models.DateTimeField(
        help_text="Start of the period this reminder belongs to, e.g. the last post before a "
        "dormant spell."
    )
    # Like `subject_id`, not checked by the database: a foreign-key check locks the account's
    # row for every reminder at commit, 0.8 s of the first scan of a 100,000-account register.
    # Every writer takes the id from the accounts it has just read in the same transaction, and
    # accounts are closed, never deleted; a deletion through Django still takes its reminders
    # with it (on_delete, tests/reminders/test_dormancy.py). Not indexed either: the daily scan
    # writes it for every flagged account, and only the rare subject-access export and the
    # nightly retention sweep read by it.
    account = models.ForeignKey(
        "accounts.SocialAccount",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
        db_constraint=False,
        db_index=False,
    )
    # Not indexed: the one query by run (the rungs one run reached together for one subject)
    # goes through the unique constraint's index, by kind, subject type and subject.
    run_id = models.UUIDField(help_text="The scan that created it.")
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


class Recertification(models.Model):
    """Once a year each active account is re-certified: the owner confirms it is still needed
    and still serves its policing purpose, then their supervisor confirms."""

    account = models.ForeignKey(
        "accounts.SocialAccount", on_delete=models.CASCADE, related_name="recertifications"
    )
    due_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    owner_confirmed_at = models.DateTimeField(null=True, blank=True)
    owner_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_statement = models.TextField(blank=True)
    supervisor_confirmed_at = models.DateTimeField(null=True, blank=True)
    supervisor_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    supervisor_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-due_on"]
        constraints = [
            models.UniqueConstraint(fields=["account", "due_on"], name="recert_once_per_due_date"),
            models.CheckConstraint(
                condition=models.Q(supervisor_confirmed_at__isnull=True)
                | models.Q(owner_confirmed_at__isnull=False),
                name="recert_owner_before_supervisor",
            ),
        ]

    def __str__(self):
        return f"Re-certification of {self.account} due {self.due_on}"

    @property
    def complete(self) -> bool:
        return self.supervisor_confirmed_at is not None

    @property
    def overdue(self) -> bool:
        return not self.complete and self.due_on < timezone.localdate()

    @property
    def stage(self) -> str:
        if self.complete:
            return "complete"
        return "supervisor" if self.owner_confirmed_at else "owner"
