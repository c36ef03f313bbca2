"""API clients (an integration: an HR feed, a social-media tool, a SIEM) and the keys of the
writes they made, so a write sent twice with the same key is applied once."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Scope(models.TextChoices):
    READ_REGISTER = "register:read", "Read the register"
    WRITE_ACTIVITY = "activity:write", "Report accounts' activity"
    WRITE_PEOPLE = "people:write", "Report movers and leavers (HR feed)"
    READ_AUDIT = "audit:read", "Read the audit stream"
    READ_CASES = "cases:read", "Read business cases and decisions"
    READ_INCIDENTS = "incidents:read", "Read incidents"
    REPORT_INCIDENT = "incidents:report", "Report a hacked account"
    READ_REPORTS = "reports:read", "Read the reports' figures"


class ApiClient(models.Model):
    """An integration allowed to call the API. It acts with its owner's visibility and rights
    (the same rules as the owner's pages), narrowed to its scopes. Only the token's prefix and
    its SHA-256 are kept; the token itself is shown once, when the client is created."""

    name = models.CharField(max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_clients"
    )
    scopes = models.JSONField(default=list, help_text="Scope values (api.models.Scope).")
    token_prefix = models.CharField(max_length=16, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, editable=False)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return f"API client {self.name} (#{self.pk})"

    def is_live(self, now=None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or timezone.now())

    def scope_labels(self) -> list[str]:
        return [Scope(s).label for s in self.scopes if s in Scope.values]


class IdempotentWrite(models.Model):
    """A write a client made with its own key: the same key again returns the first answer and
    changes nothing. The request's digest tells a retry from a different body under a reused
    key."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="writes")
    key = models.CharField(max_length=100)
    operation = models.CharField(max_length=100)
    request_digest = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "operation", "key"], name="api_write_key_once_per_client"
            )
        ]

    def __str__(self):
        return f"{self.operation} {self.key} by {self.client_id}"
