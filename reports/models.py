from django.conf import settings
from django.db import models


class WeeklySummary(models.Model):
    """One weekly summary sent: to one supervisor, or to the press office, for one ISO week.

    The unique constraint is what makes it once a week: a task that runs twice, or two runs at
    once, meet the row that is already there (reports/services.py). The notifications are
    written in the same transaction as the row."""

    class Audience(models.TextChoices):
        SUPERVISOR = "supervisor", "A supervisor: their team"
        PRESS_OFFICE = "press_office", "The press office: the whole force"

    audience = models.CharField(max_length=20, choices=Audience.choices)
    # The supervisor; for the press office, the press officer whose view it was built from.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # "supervisor:<user id>" or "press_office": who it is for, whoever holds the role later.
    key = models.CharField(max_length=40)
    week = models.CharField(max_length=8, help_text="ISO year and week, e.g. 2026-W48.")
    sent_at = models.DateTimeField(auto_now_add=True)
    figures = models.JSONField(default=dict, help_text="The counts it told of.")

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["key", "week"], name="weekly_summary_once_per_week")
        ]
        verbose_name_plural = "weekly summaries"

    def __str__(self):
        return f"Weekly summary {self.week} for {self.key}"
