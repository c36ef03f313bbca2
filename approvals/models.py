"""Business cases, the decisions on them, the set-up checklist of the account a case creates, and
the social media policy officers acknowledge."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from accounts.models import SocialAccount
from core.models import AppendOnlyModel
from core.workflow import object_perm


class PolicyVersion(models.Model):
    """One published version of the force's social media policy."""

    title = models.CharField(max_length=200)
    version = models.CharField(max_length=20, unique=True)
    text = models.TextField(blank=True)
    url = models.URLField("link", blank=True)
    published_on = models.DateField(default=timezone.localdate)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_on", "-pk"]
        get_latest_by = ["published_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(text="") | ~Q(url=""), name="policy_version_has_text_or_link"
            ),
        ]

    def __str__(self):
        return f"{self.title}, version {self.version}"

    @classmethod
    def in_force(cls):
        """Published versions, the one in force today (the latest published on or before
        today) first."""
        return cls.objects.filter(published_on__lte=timezone.localdate()).order_by(
            "-published_on", "-pk"
        )

    @classmethod
    def current(cls):
        """The version in force today."""
        return cls.in_force().first()


class PolicyAcknowledgement(models.Model):
    """An officer read one version of the policy and the personal-use guidance."""

    officer = models.ForeignKey(
        "people.Officer", on_delete=models.PROTECT, related_name="policy_acknowledgements"
    )
    policy = models.ForeignKey(
        PolicyVersion, on_delete=models.PROTECT, related_name="acknowledgements"
    )
    personal_use_read = models.BooleanField(default=False)
    acknowledged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-acknowledged_at"]
        constraints = [
            models.UniqueConstraint(fields=["officer", "policy"], name="one_ack_per_policy"),
        ]

    def __str__(self):
        return f"{self.officer} read {self.policy}"


class CaseState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Waiting for the supervisor"
    SUPERVISOR_APPROVED = "supervisor_approved", "Waiting for the press office"
    RETURNED = "returned", "Returned for changes"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"
    SIGNED_OFF = "signed_off", "Signed off: account being set up"
    REGISTERED = "registered", "Account registered"


class Stage(models.TextChoices):
    """Who a case waits for."""

    SUPERVISOR = "supervisor", "Supervisor"
    PRESS_OFFICE = "press_office", "Press office"


# Where a case waits for a decision, and whose: the one answer approvals, reminders, the home page
# and the reports use (through `BusinessCase.decision_stage`, `.waiting_for` and the queryset's
# `waiting_for_decision()` and `waiting()`).
DECISION_STAGES = {
    CaseState.SUBMITTED: Stage.SUPERVISOR,
    CaseState.SUPERVISOR_APPROVED: Stage.PRESS_OFFICE,
}

# Cases that hold on to their proposed handle: nobody else may propose it meanwhile.
OPEN_STATES = [
    CaseState.SUBMITTED,
    CaseState.SUPERVISOR_APPROVED,
    CaseState.RETURNED,
    CaseState.SIGNED_OFF,
]

# The fields of a case its applicant writes. Nothing else is ever taken from a form.
CASE_FIELDS = [
    "platform",
    "kind",
    "handle",
    "display_name",
    "policing_purpose",
    "audience",
    "attracting_audience",
    "benefits_force",
    "benefits_public",
    "expected_outcomes",
    "communications_plan",
    "hours_per_week",
    "is_event_or_campaign",
    "hashtag_alternative",
]
# The applicant may change the text of the case only in these.
EDITABLE_STATES = [CaseState.DRAFT, CaseState.RETURNED]


class BusinessCaseQuerySet(models.QuerySet):
    def waiting_for_decision(self, stage: Stage | None = None):
        """Cases waiting for a decision (at `stage`, or at either)."""
        states = [state for state, at in DECISION_STAGES.items() if stage in (None, at)]
        return self.filter(state__in=states)

    def waiting(self, stage: Stage | None = None):
        """Cases waiting for someone (at `stage`, or anyone): a decision, or the press office's
        confirmation of a set-up the officer has completed."""
        states = [state for state, at in DECISION_STAGES.items() if stage in (None, at)]
        waiting = Q(state__in=states)
        if stage in (None, Stage.PRESS_OFFICE):
            waiting |= Q(set_up_complete(), state=CaseState.SIGNED_OFF)
        return self.filter(waiting)


def set_up_complete() -> models.Exists:
    """The case's set-up checklist is complete. A subquery, not a join: PostgreSQL plans a join
    inside an OR several times slower than the query runs."""
    return models.Exists(
        SetupChecklist.objects.filter(case=models.OuterRef("pk"), completed_at__isnull=False)
    )


class BusinessCase(FSMModelMixin, models.Model):
    """An officer's request for an official account, with every point the guidance asks them to
    think through. Its state changes only through the transitions below (the field is protected);
    services in approvals/services.py call them under a row lock."""

    State = CaseState

    applicant = models.ForeignKey(
        "people.Officer", on_delete=models.PROTECT, related_name="business_cases"
    )
    unit = models.ForeignKey("people.Unit", on_delete=models.PROTECT, related_name="+")
    state = FSMField(
        max_length=30, choices=CaseState.choices, default=CaseState.DRAFT, protected=True
    )

    platform = models.CharField(
        max_length=20, choices=SocialAccount.Platform.choices, default=SocialAccount.Platform.X
    )
    kind = models.CharField(
        "account kind",
        max_length=20,
        choices=SocialAccount.Kind.choices,
        default=SocialAccount.Kind.INDIVIDUAL,
    )
    handle = models.CharField("proposed handle", max_length=50)
    display_name = models.CharField(max_length=100)
    policing_purpose = models.TextField()
    audience = models.TextField("who the messages are for")
    attracting_audience = models.TextField("how you will attract them")
    benefits_force = models.TextField("benefits to the force")
    benefits_public = models.TextField("benefits to the public")
    expected_outcomes = models.TextField()
    communications_plan = models.TextField()
    hours_per_week = models.DecimalField("hours a week", max_digits=4, decimal_places=1)
    is_event_or_campaign = models.BooleanField("for a single event or campaign", default=False)
    hashtag_alternative = models.TextField(
        "why a hashtag on an existing account would not do",
        blank=True,
        help_text="Asked only when the account is for a single event or campaign.",
    )

    policy_acknowledged = models.ForeignKey(
        PolicyVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    personal_use_acknowledged = models.BooleanField(default=False)
    submission_count = models.PositiveSmallIntegerField(default=0, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    state_changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    account = models.OneToOneField(
        "accounts.SocialAccount",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="business_case",
    )

    objects = BusinessCaseQuerySet.as_manager()

    class Meta:
        ordering = ["-state_changed_at", "-pk"]
        indexes = [
            # The queues: cases in one state, oldest first.
            models.Index(fields=["state", "state_changed_at"], name="business_case_state_since"),
            # The press office's queue (approved cases and set-ups to confirm, oldest first):
            # `waiting(Stage.PRESS_OFFICE)` is an OR over two states, which the index above
            # cannot return in order; this one walks only those two states, in order, and
            # counts them without reading the table.
            models.Index(
                fields=["state_changed_at", "id"],
                include=["state"],
                condition=Q(state__in=[CaseState.SUPERVISOR_APPROVED, CaseState.SIGNED_OFF]),
                name="business_case_press_waiting",
            ),
        ]
        constraints = [
            # Two open cases never propose the same handle (the register is checked in services).
            models.UniqueConstraint(
                Lower("handle"),
                "platform",
                condition=Q(state__in=OPEN_STATES),
                name="business_case_open_handle_unique_ci",
            ),
            models.CheckConstraint(
                condition=Q(hours_per_week__gte=0) & Q(hours_per_week__lte=168),
                name="business_case_hours_in_a_week",
            ),
        ]

    def __str__(self):
        return f"Case {self.pk}: @{self.handle}"

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES

    @property
    def decision_stage(self) -> Stage | None:
        """The stage whose decision the case waits for, or None."""
        return DECISION_STAGES.get(self.state)

    @property
    def waiting_for(self) -> Stage | None:
        """Who the case waits for: a decision's stage, or the press office to confirm a set-up
        the officer has completed (reads the checklist: load it with the case in lists)."""
        if self.state == CaseState.SIGNED_OFF:
            checklist = getattr(self, "checklist", None)
            return Stage.PRESS_OFFICE if checklist and checklist.completed_at else None
        return self.decision_stage

    @property
    def version(self) -> str:
        """Names the moment a decision form was drawn for: the submission and the state. A form
        posted back with another version is stale (posted twice, or overtaken by someone else)."""
        return f"{self.submission_count}-{self.state}"

    @property
    def days_in_state(self) -> int:
        """Whole days since the case reached its present state: the age shown in the queues."""
        return (timezone.now() - self.state_changed_at).days

    def _moved(self):
        self.state_changed_at = timezone.now()

    # The workflow, declared once. Permissions name rules in approvals/rules.py.
    @transition(
        field=state,
        source=[CaseState.DRAFT, CaseState.RETURNED],
        target=CaseState.SUBMITTED,
        permission=object_perm("approvals.submit_businesscase"),
    )
    def submit(self):
        self._moved()
        self.submission_count += 1
        self.submitted_at = self.state_changed_at

    @transition(
        field=state,
        source=[CaseState.DRAFT, CaseState.SUBMITTED, CaseState.RETURNED],
        target=CaseState.WITHDRAWN,
        permission=object_perm("approvals.withdraw_businesscase"),
    )
    def withdraw(self):
        self._moved()

    @transition(
        field=state,
        source=CaseState.SUBMITTED,
        target=CaseState.SUPERVISOR_APPROVED,
        permission=object_perm("approvals.decide_as_supervisor"),
    )
    def supervisor_approve(self):
        self._moved()

    @transition(
        field=state,
        source=CaseState.SUBMITTED,
        target=CaseState.RETURNED,
        permission=object_perm("approvals.decide_as_supervisor"),
    )
    def supervisor_return(self):
        self._moved()

    @transition(
        field=state,
        source=CaseState.SUBMITTED,
        target=CaseState.REJECTED,
        permission=object_perm("approvals.decide_as_supervisor"),
    )
    def supervisor_reject(self):
        self._moved()

    @transition(
        field=state,
        source=CaseState.SUPERVISOR_APPROVED,
        target=CaseState.SIGNED_OFF,
        permission=object_perm("approvals.decide_as_press_office"),
    )
    def press_office_sign_off(self):
        self._moved()

    @transition(
        field=state,
        source=CaseState.SUPERVISOR_APPROVED,
        target=CaseState.RETURNED,
        permission=object_perm("approvals.decide_as_press_office"),
    )
    def press_office_return(self):
        self._moved()

    @transition(
        field=state,
        source=CaseState.SUPERVISOR_APPROVED,
        target=CaseState.REJECTED,
        permission=object_perm("approvals.decide_as_press_office"),
    )
    def press_office_reject(self):
        self._moved()

    @transition(
        field=state,
        source=CaseState.SIGNED_OFF,
        target=CaseState.REGISTERED,
        permission=object_perm("approvals.confirm_setup"),
    )
    def register(self):
        self._moved()


class Decision(AppendOnlyModel):
    """One decision on one submission of a case, by one person. Never edited, never deleted; the
    unique constraint means a stage of a submission is decided once, whatever the timing."""

    Stage = Stage

    class Outcome(models.TextChoices):
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned for changes"
        REJECTED = "rejected", "Rejected"

    case = models.ForeignKey(BusinessCase, on_delete=models.PROTECT, related_name="decisions")
    submission = models.PositiveSmallIntegerField(help_text="Which submission of the case.")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    comment = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_decisions"
    )
    decided_by_label = models.CharField(max_length=200)
    acting_for = models.ForeignKey(
        "people.Officer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The supervisor this person acted for, by delegation.",
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "submission", "stage"], name="one_decision_per_stage"
            ),
            models.CheckConstraint(
                condition=~Q(outcome="returned") | ~Q(comment=""),
                name="decision_return_has_comment",
            ),
        ]

    def __str__(self):
        return (
            f"{self.get_stage_display()} {self.get_outcome_display().lower()} case {self.case_id}"
        )


class SetupChecklist(models.Model):
    """What the officer does to set the account up after sign-off (from the guidance's "Starting
    out"), confirmed by the press office. Only the fact that the login details were lodged with the
    press office is kept (named `login_lodged`, so the audit trail, which leaves out any field
    named like a password, still records it), never a password."""

    ITEMS = [
        ("created_with_police_email", "Account created with my police e-mail address"),
        ("handle_as_approved", "The handle is exactly the one approved"),
        ("profile_picture", "A good, clear profile picture"),
        (
            "bio_no_crime_reports",
            "The bio says crime cannot be reported here and gives 101 (999 in an emergency)",
        ),
        ("login_lodged", "A strong, unique password lodged with the press office"),
        ("promoted", "The account promoted to the community"),
    ]

    case = models.OneToOneField(BusinessCase, on_delete=models.PROTECT, related_name="checklist")
    account = models.OneToOneField(
        "accounts.SocialAccount", on_delete=models.PROTECT, related_name="setup_checklist"
    )
    created_with_police_email = models.BooleanField(default=False)
    handle_as_approved = models.BooleanField(default=False)
    profile_picture = models.BooleanField(default=False)
    bio_no_crime_reports = models.BooleanField(default=False)
    login_lodged = models.BooleanField(default=False)
    login_lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    login_lodged_at = models.DateTimeField(null=True, blank=True)
    promoted = models.BooleanField(default=False)
    completed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(login_lodged=False)
                | Q(login_lodged_by__isnull=False, login_lodged_at__isnull=False),
                name="checklist_lodged_says_by_whom_and_when",
            ),
        ]

    def __str__(self):
        return f"Set-up checklist for {self.account}"

    @property
    def item_names(self) -> list[str]:
        return [name for name, _label in self.ITEMS]

    @property
    def items(self) -> list[tuple[str, str, bool]]:
        return [(name, label, getattr(self, name)) for name, label in self.ITEMS]

    @property
    def all_done(self) -> bool:
        return all(getattr(self, name) for name in self.item_names)
