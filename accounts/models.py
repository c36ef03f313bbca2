from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition

from people.models import Officer, Unit


class SocialAccount(FSMModelMixin, models.Model):
    """An official account in the register. Closed accounts stay here with their history.

    Its status changes only through the lifecycle transitions below (the field is protected);
    the `social_account_*` services in accounts/services.py fire them under a row lock and audit
    each one. Other apps call those services, never assign the status."""

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

    # What a compromised account can go back to when its incident is resolved.
    RESTORABLE = (Status.PENDING_SETUP, Status.ACTIVE, Status.HANDOVER_PENDING)

    platform = models.CharField(max_length=20, choices=Platform.choices, default=Platform.X)
    handle = models.CharField(max_length=50)
    display_name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.INDIVIDUAL)
    owner = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="social_accounts")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="social_accounts")
    status = FSMField(
        max_length=20,
        choices=Status.choices,
        default=Status.PENDING_SETUP,
        db_index=True,
        protected=True,
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
    consolidated_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consolidated_from",
        help_text="For an account closed by a consolidation: the account its followers were "
        "pointed to (public: the verification page says where to go).",
    )

    class Meta:
        ordering = ["handle"]
        constraints = [
            models.UniqueConstraint(
                Lower("handle"), "platform", name="social_account_handle_unique_ci"
            ),
            # Only a closed account was folded into another, and never into itself.
            models.CheckConstraint(
                condition=Q(consolidated_into__isnull=True)
                | (Q(status="closed") & ~Q(consolidated_into=models.F("pk"))),
                name="social_account_consolidated_when_closed",
            ),
        ]
        indexes = [
            models.Index(fields=["last_post_at"], name="social_account_last_post"),
            # The press office's home: accounts whose login details are needed, longest first
            # (read in this order until enough are found, not sorted out of every live account).
            models.Index(
                fields=["credentials_required_since", "created_at"],
                condition=~Q(status="closed"),  # Status.CLOSED
                name="social_account_creds_since",
            ),
        ]

    def __str__(self):
        return f"@{self.handle} ({self.get_platform_display()})"

    @property
    def dormancy(self) -> "Dormancy":
        return Dormancy.of(self.last_post_at)

    # The lifecycle, declared once. An account is opened pending set-up by a signed-off business
    # case (`social_account_open`), or registered as it already is on the platform.
    @transition(field=status, source=Status.PENDING_SETUP, target=Status.ACTIVE)
    def activate(self, *, on: date):
        """The press office confirmed the set-up: the account is live."""
        self.activated_on = on

    @transition(field=status, source=Status.ACTIVE, target=Status.HANDOVER_PENDING)
    def start_handover(self):
        """A handover or closure of the account has started."""

    @transition(field=status, source=Status.HANDOVER_PENDING, target=Status.ACTIVE)
    def complete_handover(self, *, owner: Officer, handle: str, display_name: str):
        """The account passes to its new owner under their handle and display name."""
        self.owner = owner
        self.handle = handle
        self.display_name = display_name

    @transition(field=status, source=Status.HANDOVER_PENDING, target=Status.ACTIVE)
    def end_handover(self):
        """A handover or closure was declined, rejected or withdrawn: the owner keeps it."""

    @transition(
        field=status,
        source=[Status.PENDING_SETUP, Status.ACTIVE, Status.HANDOVER_PENDING],
        target=Status.COMPROMISED,
    )
    def mark_compromised(self):
        """Someone reported the account hacked."""

    @transition(field=status, source=Status.COMPROMISED, target=RETURN_VALUE(*RESTORABLE))
    def restore(self, *, to: str) -> str:
        """The incident is resolved: the account goes back to `to` (one of RESTORABLE)."""
        return to

    @transition(
        field=status,
        source=[Status.PENDING_SETUP, Status.ACTIVE, Status.HANDOVER_PENDING],
        target=Status.CLOSED,
    )
    def close(self, *, on: date):
        """The account was deactivated on the platform; it stays in the register, closed."""
        self.closed_on = on

    @transition(field=status, source=Status.HANDOVER_PENDING, target=Status.CLOSED)
    def consolidate(self, *, on: date, into: "SocialAccount"):
        """Folded into `into` (a unit's account): deactivated on the platform `on`, closed, and
        its followers pointed to `into`."""
        self.closed_on = on
        self.consolidated_into = into


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
    def of(cls, last_post_at, now=None, *, bounds: dict | None = None) -> "Dormancy":
        """The level of an account last seen posting at `last_post_at` (`bounds`: the result of
        `bounds(now)`, worked out once for a long list)."""
        if last_post_at is None:
            return cls.UNKNOWN
        for level, (after, before) in (bounds or cls.bounds(now)).items():
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
    poll_slot = models.DateTimeField(
        null=True,
        blank=True,
        help_text="For a platform API read: the poll window it belongs to. One read per account "
        "per window, however often the poll runs.",
    )

    class Meta:
        ordering = ["-observed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "poll_slot"], name="observation_once_per_poll_slot"
            ),
        ]
        indexes = [
            models.Index(fields=["account", "-observed_at"], name="observation_account_at"),
            models.Index(fields=["account", "-last_post_at"], name="observation_account_post"),
        ]

    def __str__(self):
        return f"{self.account_id} {self.get_source_display()} {self.observed_at:%Y-%m-%d %H:%M}"


class ProfileCheck(models.Model):
    """The latest check of an account's public profile, as its platform adapter read it: one
    row per account, replaced at each read. `failing` is the codes of the checks that failed;
    `notified` is the failing set the owner was last told of, so a reminder goes once per
    change, not once per poll."""

    class Check(models.TextChoices):
        NOT_FOR_CRIME = "not_for_crime", "Bio says crime is not reported here"
        REPORTING_ROUTE = "reporting_route", "Bio gives the force's reporting route"
        HANDLE = "handle", "Handle follows the naming convention"
        DISPLAY_NAME = "display_name", "Display name follows the naming convention"
        LINK = "link", "Link points to the force's website"

    account = models.OneToOneField(
        SocialAccount, on_delete=models.CASCADE, related_name="profile_check"
    )
    checked_at = models.DateTimeField(default=timezone.now)
    handle = models.CharField(max_length=100, blank=True, help_text="As the platform shows it.")
    display_name = models.CharField(max_length=200, blank=True)
    bio = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True)
    results = models.JSONField(
        default=list, blank=True, help_text="[{code, ok, detail}] for every check, in order."
    )
    failing = models.JSONField(default=list, blank=True, help_text="Codes of the failed checks.")
    failing_since = models.DateTimeField(null=True, blank=True)
    notified = models.JSONField(
        default=list, blank=True, help_text="The failing codes the owner was last reminded of."
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["failing_since"],
                condition=models.Q(failing_since__isnull=False),
                name="profile_check_failing",
            )
        ]

    def __str__(self):
        return f"Profile check of {self.account_id} at {self.checked_at:%Y-%m-%d %H:%M}"

    @property
    def passed(self) -> bool:
        return not self.failing

    def rows(self) -> list[dict]:
        labels = dict(self.Check.choices)
        return [{**r, "label": labels.get(r["code"], r["code"])} for r in self.results]


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
    content = models.TextField(
        blank=True, help_text="The file as text (imports queued before `data` existed)."
    )
    data = models.BinaryField(
        blank=True,
        default=b"",
        help_text="The uploaded file's bytes as sent, kept so the import can be retried "
        "(a NUL byte or an encoding is read by the import, not refused by the database).",
    )
    encoding = models.CharField(max_length=30, blank=True, help_text="The encoding it was read in.")
    delimiter = models.CharField(max_length=20, blank=True, help_text="comma, semicolon or tab.")
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


class AccountEditor(FSMModelMixin, models.Model):
    """An officer named to post to a team, unit or central account beside its accountable owner.

    One row per editorship, kept after it ends: the owner asks (requested), the owner's
    supervisor or the press office approves or refuses, the editor accepts the policy in force
    (active: only then shown as an editor who may post), and the owner or the press office
    removes them (or their moving or leaving does). The services that fire these transitions are
    in handovers/editors.py; nothing else assigns `state`. That the owner is not an editor of
    their own account, and that only shared kinds have editors, is checked there (a constraint
    cannot see the account's owner)."""

    class State(models.TextChoices):
        REQUESTED = "requested", "Waiting for approval"
        APPROVED = "approved", "Waiting for the editor to accept the policy"
        ACTIVE = "active", "Editor"
        REFUSED = "refused", "Refused"
        REMOVED = "removed", "Removed"

    CURRENT = (State.REQUESTED, State.APPROVED, State.ACTIVE)
    # Only these kinds are run by several people; an individual account is one officer's.
    SHARED_KINDS = (SocialAccount.Kind.TEAM, SocialAccount.Kind.UNIT, SocialAccount.Kind.CENTRAL)

    account = models.ForeignKey(SocialAccount, on_delete=models.PROTECT, related_name="editors")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="editorships")
    state = FSMField(max_length=20, choices=State.choices, default=State.REQUESTED, protected=True)
    reason = models.TextField(help_text="Why the owner asked for this editor.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    policy_version = models.CharField(
        max_length=250, blank=True, help_text="The policy version the editor accepted."
    )
    policy_acknowledged_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    removal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "officer"],
                condition=Q(state__in=["requested", "approved", "active"]),  # CURRENT
                name="one_current_editorship",
            ),
            models.CheckConstraint(
                condition=~Q(state="active")
                | Q(policy_acknowledged_at__isnull=False, decided_at__isnull=False),
                name="active_editor_approved_and_acknowledged",
            ),
        ]
        indexes = [
            models.Index(
                fields=["officer", "account"],
                condition=Q(state__in=["requested", "approved", "active"]),
                name="editorship_current",
            ),
        ]

    def __str__(self):
        return f"{self.officer} on {self.account}: {self.get_state_display()}"

    @property
    def current(self) -> bool:
        return self.state in self.CURRENT

    @transition(field=state, source=State.REQUESTED, target=State.APPROVED)
    def approve(self, *, by, comment: str = ""):
        self.decided_by, self.decided_at, self.decision_comment = by, timezone.now(), comment

    @transition(field=state, source=State.REQUESTED, target=State.REFUSED)
    def refuse(self, *, by, comment: str):
        self.decided_by, self.decided_at, self.decision_comment = by, timezone.now(), comment

    @transition(field=state, source=State.APPROVED, target=State.ACTIVE)
    def accept_policy(self, *, version: str, at):
        self.policy_version, self.policy_acknowledged_at = version, at

    @transition(field=state, source=list(CURRENT), target=State.REMOVED)
    def remove(self, *, by, reason: str):
        self.removed_by, self.removed_at, self.removal_reason = by, timezone.now(), reason
