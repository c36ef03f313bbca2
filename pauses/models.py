"""Suspensions and critical-incident pauses: a record that overlays an account's status.

A pause is not a status of the account's state machine. An account is one of pending set-up,
active, handover pending, compromised or closed, and a suspension or an incident pause can fall
on any of the live ones: a suspended account may be mid-handover (the handover goes on; the
successor takes it over still suspended) or be compromised (the incident goes on; resolving it
must not make the account "active" and postable while it is suspended). A status would have to
be every combination of those, or forget one of them; and two pauses can overlap (a unit pause
during a suspension, a force pause during a unit pause): lifting one must leave the other. So a
pause is a record of its own (`Pause`: who, why, when, what it covers, when lifted) with one row
per account it covers (`PausedAccount`), and an account is paused while any of its rows is not
lifted. The account's status is never touched, so lifting restores nothing by hand."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import SocialAccount
from people.models import Officer, Unit


class Pause(models.Model):
    """One suspension of an account, or one critical-incident pause of every account of a unit
    (and the units below it) or of the whole force, from start to lift."""

    class Kind(models.TextChoices):
        SUSPENSION = "suspension", "Suspension"
        INCIDENT = "incident", "Critical-incident pause"

    class Scope(models.TextChoices):
        ACCOUNT = "account", "One account"
        UNIT = "unit", "A unit and the units below it"
        FORCE = "force", "The whole force"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    scope = models.CharField(max_length=20, choices=Scope.choices)
    account = models.ForeignKey(
        SocialAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(help_text="Internal: never shown to the public.")
    review_on = models.DateField(
        null=True, blank=True, help_text="A suspension's review date: the press office is reminded."
    )
    review_reminded_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lift_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="suspension")
                | Q(scope="account", account__isnull=False, review_on__isnull=False),
                name="pause_suspension_is_of_one_account_with_a_review_date",
            ),
            models.CheckConstraint(
                condition=~Q(kind="incident") | Q(scope__in=["unit", "force"]),
                name="pause_incident_covers_a_unit_or_the_force",
            ),
            models.CheckConstraint(
                condition=~Q(scope="unit") | Q(unit__isnull=False),
                name="pause_unit_scope_names_a_unit",
            ),
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True) | Q(lifted_by__isnull=False),
                name="pause_lift_says_who",
            ),
            # One open suspension per account (a second would be a no-op that needs two lifts).
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(kind="suspension", lifted_at__isnull=True),
                name="pause_one_open_suspension_per_account",
            ),
        ]

    def __str__(self):
        if self.kind == self.Kind.SUSPENSION:
            return f"Suspension of @{self.account.handle}" if self.account_id else "Suspension"
        where = self.unit.name if self.scope == self.Scope.UNIT and self.unit_id else "the force"
        return f"Critical-incident pause of {where}"

    @property
    def is_open(self) -> bool:
        return self.lifted_at is None

    @property
    def is_suspension(self) -> bool:
        return self.kind == self.Kind.SUSPENSION


class PausedAccount(models.Model):
    """A pause's effect on one account. The account is paused while any of its rows is not
    lifted; `lifted_at` is the pause's, copied here (in the lift's transaction) so the daily
    dormancy scan reads one small indexed table: no post is expected while paused, and the
    dormancy clock restarts at the latest lift."""

    pause = models.ForeignKey(Pause, on_delete=models.PROTECT, related_name="effects")
    account = models.ForeignKey(
        SocialAccount, on_delete=models.PROTECT, related_name="pause_effects"
    )
    status_then = models.CharField(
        max_length=20, help_text="The account's status when the pause began (for the record)."
    )
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pause", "account"], name="paused_account_once"),
        ]
        indexes = [
            models.Index(fields=["account", "lifted_at"], name="paused_account_clock"),
            models.Index(
                fields=["account"],
                condition=Q(lifted_at__isnull=True),
                name="paused_account_open",
            ),
        ]

    def __str__(self):
        return f"{self.pause} on account {self.account_id}"


class PauseNotice(models.Model):
    """A person who posts to a paused account, told of the pause (once, however many of its
    accounts they post to), and their acknowledgement."""

    pause = models.ForeignKey(Pause, on_delete=models.PROTECT, related_name="notices")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="pause_notices")
    accounts = models.ManyToManyField(SocialAccount, related_name="+")
    told_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["officer__surname", "officer__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["pause", "officer"], name="pause_notice_once"),
        ]
        indexes = [
            models.Index(
                fields=["officer"],
                condition=Q(acknowledged_at__isnull=True),
                name="pause_notice_unacknowledged",
            ),
        ]

    def __str__(self):
        return f"{self.pause} told to {self.officer}"
