"""People: the force's units, its officers and staff, who acts for whom, and who is away.

These models lived in `accounts` until the register and the people were split into two apps;
their tables keep the names they had (`accounts_unit`, ...), and audit events written before
the split name them `accounts.<model>` (see `audit.selectors.history_for`)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from core.models import AppendOnlyModel
from core.workflow import object_perm
from people.roles import ROLES_NEEDING_APPROVAL, Role


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

    audit_former_labels = ("accounts.unit",)  # its audit events before the move

    class Meta:
        db_table = "accounts_unit"  # the table it had in accounts: moved, not copied
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


class OfficerQuerySet(models.QuerySet):
    def supervised_by(self, officer, on=None):
        """The officers `officer` line-manages or acts for on `on` (default today) by a
        delegation in force; never `officer` themself. Empty for no officer."""
        if officer is None:
            return self.none()
        delegating = Delegation.objects.in_force(on).filter(acting=officer).values("supervisor_id")
        # One set of ids from the line and the delegated teams, each read through the
        # supervisor index: an OR of the two, one a subquery, reads every officer in the force.
        line = self.filter(supervisor=officer).values("pk")
        ids = line.union(self.filter(supervisor_id__in=delegating).values("pk"), all=True)
        return self.filter(pk__in=ids).exclude(pk=officer.pk)


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

    objects = OfficerQuerySet.as_manager()

    audit_former_labels = ("accounts.officer",)  # its audit events before the move

    class Meta:
        db_table = "accounts_officer"  # the table it had in accounts: moved, not copied
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
        indexes = [
            # Orphaned accounts (an owner who moved or left) are asked for on the press office's
            # and supervisors' home pages and the handover queues: the few such officers among
            # thousands serving, found without reading every officer.
            models.Index(
                fields=["status_changed_on"],
                condition=Q(status__in=["moved", "left"]),  # Status.MOVED, Status.LEFT
                name="officer_moved_or_left",
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


def delegation_in_force(on=None, through: str = "") -> Q:
    """A delegation in force on `on` (default today). `through` is the path to the delegation
    when it is reached by a relation (`"supervisor__delegations_given__"`), so that a query can
    join it instead of nesting a subquery."""
    day = on or timezone.localdate()
    return Q(
        **{
            f"{through}starts_on__lte": day,
            f"{through}ends_on__gte": day,
            f"{through}revoked_at__isnull": True,
        }
    )


class DelegationQuerySet(models.QuerySet):
    def in_force(self, on=None):
        return self.filter(delegation_in_force(on))


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

    audit_former_labels = ("accounts.delegation",)  # its audit events before the move

    class Meta:
        db_table = "accounts_delegation"  # the table it had in accounts: moved, not copied
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

    audit_former_labels = ("accounts.leave",)  # its audit events before the move

    class Meta:
        db_table = "accounts_leave"  # the table it had in accounts: moved, not copied
        ordering = ["-starts_on"]
        indexes = [models.Index(fields=["officer", "starts_on", "ends_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="leave_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.officer} on leave {self.starts_on}–{self.ends_on}"


# Training --------------------------------------------------------------------------------------


class TrainingQuerySet(models.QuerySet):
    def current(self, on=None):
        """Records of a completed course still in date on `on` (today by default)."""
        day = on or timezone.localdate()
        return self.filter(completed_on__lte=day, expires_on__gte=day)


class Training(models.Model):
    """One completion of the force's social media training, recorded by an administrator or
    imported from the learning system's CSV. A supervisor approves a business case only while
    the applicant holds a record in date (approvals.services)."""

    class Source(models.TextChoices):
        RECORDED = "recorded", "Recorded by an administrator"
        IMPORTED = "imported", "Imported from the training file"

    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="training")
    course = models.CharField(max_length=150)
    completed_on = models.DateField()
    expires_on = models.DateField()
    source = models.CharField(max_length=10, choices=Source.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    # Set in the transaction that queues the "expiring soon" message: told once per record.
    expiry_reminded_at = models.DateTimeField(null=True, blank=True)

    objects = TrainingQuerySet.as_manager()

    class Meta:
        ordering = ["-expires_on"]
        indexes = [models.Index(fields=["officer", "expires_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gt=models.F("completed_on")),
                name="training_expires_after_completion",
            ),
            models.UniqueConstraint(
                fields=["officer", "course", "completed_on"], name="training_once_per_day"
            ),
        ]

    def __str__(self):
        return f"{self.officer}: {self.course}, {self.completed_on} to {self.expires_on}"


# Role grants -----------------------------------------------------------------------------------


class RoleGrantRequest(FSMModelMixin, models.Model):
    """An administrator asks to give someone a role that needs a second administrator (Press
    office, Administrator). Nothing changes until a different administrator, who is not the
    person the role is for, approves it; the decision is kept in `RoleGrantDecision`."""

    class State(models.TextChoices):
        REQUESTED = "requested", "Waiting for a second administrator"
        APPROVED = "approved", "Approved: role given"
        REFUSED = "refused", "Refused"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="role_grant_requests",
        help_text="The person the role is for.",
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    reason = models.TextField(max_length=1000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    state = FSMField(max_length=20, choices=State.choices, default=State.REQUESTED, protected=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(user=models.F("requested_by")), name="role_grant_not_for_oneself"
            ),
            models.CheckConstraint(
                condition=Q(role__in=sorted(r.value for r in ROLES_NEEDING_APPROVAL)),
                name="role_grant_request_only_for_roles_needing_approval",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(state="requested"),
                name="role_grant_one_open_request_per_role",
            ),
        ]

    def __str__(self):
        return f"Role request {self.pk}: {self.role} for {self.user}"

    @transition(
        field=state,
        source=State.REQUESTED,
        target=State.APPROVED,
        permission=object_perm("people.decide_role_grant"),
    )
    def approve(self):
        pass

    @transition(
        field=state,
        source=State.REQUESTED,
        target=State.REFUSED,
        permission=object_perm("people.decide_role_grant"),
    )
    def refuse(self):
        pass


class RoleGrantDecision(AppendOnlyModel):
    """The second administrator's decision on a role request: one per request, never edited."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"

    request = models.OneToOneField(
        RoleGrantRequest, on_delete=models.PROTECT, related_name="decision"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    comment = models.TextField(blank=True, max_length=1000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="refused") | ~Q(comment=""),
                name="role_grant_refusal_has_comment",
            ),
        ]

    def __str__(self):
        return f"{self.get_outcome_display()}: role request {self.request_id}"
