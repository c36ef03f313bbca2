from django.db import models
from django.utils import timezone


class RetentionRun(models.Model):
    """One run of the retention job: when it ran and how many records of each kind it removed
    or anonymised (counts only; what was removed is gone, by design). The audit trail holds one
    event per batch about the run, so the counts can be checked against the trail."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True, help_text="{kind: records} this run.")

    class Meta:
        ordering = ["-started_at", "-pk"]
        permissions = [
            ("view_retention", "Can see the retention periods and runs"),
            ("export_subject_data", "Can download everything held about an officer"),
        ]

    def __str__(self):
        return f"Retention run {self.pk} at {self.started_at:%Y-%m-%d %H:%M}"
