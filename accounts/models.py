from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone


class Unit(models.Model):
    """Force → local policing unit or department → team."""

    class Kind(models.TextChoices):
        FORCE = "force", "Force"
        LPU = "lpu", "Local policing unit"
        DEPARTMENT = "department", "Department"
        TEAM = "team", "Team"

    name = models.CharField(max_length=150)
    code = models.SlugField(max_length=40, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="force", parent__isnull=True) | ~Q(kind="force"),
                name="unit_force_has_no_parent",
            ),
            models.UniqueConstraint(fields=["parent", "name"], name="unit_name_unique_in_parent"),
        ]

    def __str__(self):
        return self.name


class Officer(models.Model):
    """A member of staff, linked one-to-one to their login."""

    class Rank(models.TextChoices):
        STAFF = "staff", "Police staff"
        PCSO = "pcso", "PCSO"
        PC = "pc", "Constable"
        SERGEANT = "sergeant", "Sergeant"
        INSPECTOR = "inspector", "Inspector"
        CHIEF_INSPECTOR = "chief_inspector", "Chief Inspector"
        SUPERINTENDENT = "superintendent", "Superintendent"
        CHIEF_SUPERINTENDENT = "chief_superintendent", "Chief Superintendent"

    class Status(models.TextChoices):
        SERVING = "serving", "Serving"
        MOVED = "moved", "Moved post"
        LEFT = "left", "Left the force"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="officer"
    )
    staff_number = models.CharField(
        "staff or collar number",
        max_length=20,
        unique=True,
        help_text="As shown on the payroll record, for example 4471 or PS2231.",
    )
    first_name = models.CharField(max_length=80)
    surname = models.CharField(max_length=80)
    rank = models.CharField(max_length=30, choices=Rank.choices, default=Rank.PC)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="officers")
    supervisor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        help_text="Line supervisor, who decides this officer's business cases and handovers.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SERVING)
    status_changed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["surname", "first_name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(supervisor=models.F("id")), name="officer_not_own_supervisor"
            ),
            models.CheckConstraint(
                condition=Q(status="serving") | Q(status_changed_on__isnull=False),
                name="officer_moved_or_left_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.staff_number})"

    @property
    def full_name(self) -> str:
        rank = self.get_rank_display() if self.rank not in {self.Rank.STAFF, self.Rank.PC} else ""
        return " ".join(p for p in (rank, self.first_name, self.surname) if p)

    @property
    def email(self) -> str:
        return self.user.email


class DelegationQuerySet(models.QuerySet):
    def in_force(self, on=None):
        day = on or timezone.localdate()
        return self.filter(starts_on__lte=day, ends_on__gte=day, revoked_at__isnull=True)


class Delegation(models.Model):
    """A supervisor names an acting supervisor for their team for a date range."""

    supervisor = models.ForeignKey(
        Officer, on_delete=models.PROTECT, related_name="delegations_given"
    )
    acting = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="delegations_held")
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.CharField(max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="delegation_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(supervisor=models.F("acting")), name="delegation_not_to_self"
            ),
        ]

    def __str__(self):
        return f"{self.acting} acting for {self.supervisor} {self.starts_on}–{self.ends_on}"


class SocialAccount(models.Model):
    """An official account in the register. Closed accounts stay here with their history."""

    class Platform(models.TextChoices):
        X = "x", "X (Twitter)"
        FACEBOOK = "facebook", "Facebook"
        INSTAGRAM = "instagram", "Instagram"
        YOUTUBE = "youtube", "YouTube"
        TIKTOK = "tiktok", "TikTok"
        NEXTDOOR = "nextdoor", "Nextdoor"

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", "Individual officer"
        TEAM = "team", "Team"
        UNIT = "unit", "Unit"
        CENTRAL = "central", "Central"

    class Status(models.TextChoices):
        PENDING_SETUP = "pending_setup", "Pending set-up"
        ACTIVE = "active", "Active"
        HANDOVER_PENDING = "handover_pending", "Handover pending"
        COMPROMISED = "compromised", "Compromised"
        CLOSED = "closed", "Closed"

    platform = models.CharField(max_length=20, choices=Platform.choices, default=Platform.X)
    handle = models.CharField(max_length=50)
    display_name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.INDIVIDUAL)
    owner = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="social_accounts")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="social_accounts")
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING_SETUP, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    activated_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    last_post_at = models.DateTimeField(
        null=True, blank=True, help_text="The latest post date of any activity observation."
    )
    followers = models.PositiveIntegerField(
        null=True, blank=True, help_text="Followers at the latest observation that counted them."
    )
    credentials_required_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Credentials lodged before this moment (a handover or an incident) are stale.",
    )

    class Meta:
        ordering = ["handle"]
        constraints = [
            models.UniqueConstraint(
                Lower("handle"), "platform", name="social_account_handle_unique_ci"
            ),
        ]
        indexes = [models.Index(fields=["last_post_at"], name="social_account_last_post")]

    def __str__(self):
        return f"@{self.handle} ({self.get_platform_display()})"

    @property
    def dormancy(self) -> "Dormancy":
        return Dormancy.of(self.last_post_at)


class Dormancy(models.TextChoices):
    """How long an account has gone without a post, by the thresholds in settings."""

    CURRENT = "current", "Current"
    WARNING = "warning", "Quiet"
    DORMANT = "dormant", "Dormant"
    STALE = "stale", "Stale"
    UNKNOWN = "unknown", "No activity recorded"

    @classmethod
    def bounds(cls, now=None) -> dict:
        """{level: (posted on or after, posted before)} as datetimes, for filtering."""
        now = now or timezone.now()
        warn = now - timedelta(days=settings.DORMANT_WARN_AFTER)
        dormant = now - timedelta(days=settings.DORMANT_AFTER)
        stale = now - timedelta(days=settings.STALE_AFTER)
        return {
            cls.CURRENT: (warn, None),
            cls.WARNING: (dormant, warn),
            cls.DORMANT: (stale, dormant),
            cls.STALE: (None, stale),
        }

    @classmethod
    def of(cls, last_post_at, now=None) -> "Dormancy":
        if last_post_at is None:
            return cls.UNKNOWN
        for level, (after, before) in cls.bounds(now).items():
            if (after is None or last_post_at >= after) and (
                before is None or last_post_at < before
            ):
                return level
        return cls.UNKNOWN  # pragma: no cover  (the bounds cover every moment)


class ActivityObservation(models.Model):
    """One sighting of an account's activity: an owner's check-in, a row of an imported platform
    export, or a platform API read. Append-only; the account keeps the latest post date."""

    class Source(models.TextChoices):
        CHECK_IN = "check_in", "Owner check-in"
        IMPORT = "import", "Imported export"
        API = "api", "Platform API"

    account = models.ForeignKey(
        SocialAccount, on_delete=models.CASCADE, related_name="observations"
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    observed_at = models.DateTimeField(default=timezone.now)
    last_post_at = models.DateTimeField(null=True, blank=True)
    followers = models.PositiveIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    import_job = models.ForeignKey(
        "ImportJob", null=True, blank=True, on_delete=models.PROTECT, related_name="observations"
    )

    class Meta:
        ordering = ["-observed_at", "-pk"]
        indexes = [
            models.Index(fields=["account", "-observed_at"], name="observation_account_at"),
            models.Index(fields=["account", "-last_post_at"], name="observation_account_post"),
        ]

    def __str__(self):
        return f"{self.account_id} {self.get_source_display()} {self.observed_at:%Y-%m-%d %H:%M}"


class ImportJob(models.Model):
    """One uploaded CSV file and its progress: every row is validated before anything is
    written, and either every row is written or none is."""

    class Kind(models.TextChoices):
        REGISTER = "register", "Existing accounts"
        ACTIVITY = "activity", "Activity export"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        VALIDATING = "validating", "Checking rows"
        WRITING = "writing", "Saving"
        SUCCEEDED = "succeeded", "Imported"
        REJECTED = "rejected", "Rejected: nothing imported"
        FAILED = "failed", "Failed: nothing imported"

    FINISHED = (Status.SUCCEEDED, Status.REJECTED, Status.FAILED)

    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    filename = models.CharField(max_length=255)
    content = models.TextField(help_text="The uploaded file, kept so the import can be retried.")
    reason = models.TextField(blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    written_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="[{line, message}] per bad row.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_jobs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} import {self.pk} ({self.filename})"

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def percent(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0


class LeaveQuerySet(models.QuerySet):
    def in_force(self, on=None):
        day = on or timezone.localdate()
        return self.filter(starts_on__lte=day, ends_on__gte=day)


class Leave(models.Model):
    """Recorded leave (annual leave, sickness, secondment): reminders wait until the officer is
    back."""

    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="leave")
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LeaveQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        indexes = [models.Index(fields=["officer", "starts_on", "ends_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="leave_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.officer} on leave {self.starts_on}–{self.ends_on}"
