"""Handing an account over, keeping it for a new purpose, closing it, or folding it into its
unit's account (a consolidation); the decisions on each; the press office's checklist; and the
record that a closed account's login details were destroyed."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from core.models import AppendOnlyModel
from core.workflow import object_perm


class Kind(models.TextChoices):
    HANDOVER = "handover", "Hand over to a successor"
    REPURPOSE = "repurpose", "Keep and repurpose"
    CLOSURE = "closure", "Close the account"
    CONSOLIDATION = "consolidation", "Fold into a unit's account"


class State(models.TextChoices):
    AWAITING_OWNER = "awaiting_owner", "Waiting for the owner to agree"
    AWAITING_SUCCESSOR = "awaiting_successor", "Waiting for the successor to accept"
    AWAITING_SUPERVISOR = "awaiting_supervisor", "Waiting for the supervisor"
    AWAITING_PRESS_OFFICE = "awaiting_press_office", "Waiting for the press office"
    COMPLETED = "completed", "Completed"
    DECLINED = "declined", "Declined by the successor"
    DECLINED_BY_OWNER = "declined_by_owner", "Declined by the owner"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


OPEN_STATES = [
    State.AWAITING_OWNER,
    State.AWAITING_SUCCESSOR,
    State.AWAITING_SUPERVISOR,
    State.AWAITING_PRESS_OFFICE,
]


class AccountTransition(FSMModelMixin, models.Model):
    """One handover, repurposing, closure or consolidation of an account. Its state changes only
    through the transitions below (the field is protected); handovers/services.py fires them
    under a row lock."""

    Kind = Kind
    State = State

    account = models.ForeignKey(
        "accounts.SocialAccount", on_delete=models.PROTECT, related_name="transitions"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    state = FSMField(max_length=30, choices=State.choices, protected=True)
    owner = models.ForeignKey(
        "people.Officer",
        on_delete=models.PROTECT,
        related_name="transitions_as_owner",
        help_text="The owner when the handover or closure started.",
    )
    successor = models.ForeignKey(
        "people.Officer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transitions_as_successor",
    )
    target = models.ForeignKey(
        "accounts.SocialAccount",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consolidations_into",
        help_text="Only for a consolidation: the unit's account the followers are pointed to.",
    )
    reason = models.TextField()
    new_purpose = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    state_changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    old_handle = models.CharField(max_length=50, blank=True)
    old_display_name = models.CharField(max_length=100, blank=True)
    credentials_required_before = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="The account's demand for new login details before this handover made its own.",
    )
    credentials_required_by_this = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="The demand this handover made; withdrawn if the handover does not happen.",
    )
    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Goes up at every step; a stale form is refused."
    )

    class Meta:
        ordering = ["-state_changed_at", "-pk"]
        constraints = [
            # One open handover, repurposing or closure per account at a time.
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(
                    state__in=[
                        "awaiting_owner",
                        "awaiting_successor",
                        "awaiting_supervisor",
                        "awaiting_press_office",
                    ]
                ),
                name="one_open_transition_per_account",
            ),
            models.CheckConstraint(
                condition=~Q(kind="handover") | Q(successor__isnull=False),
                name="handover_names_a_successor",
            ),
            models.CheckConstraint(
                condition=~Q(successor=models.F("owner")), name="successor_is_not_the_owner"
            ),
            models.CheckConstraint(
                condition=(Q(kind="consolidation") & Q(target__isnull=False))
                | (~Q(kind="consolidation") & Q(target__isnull=True)),
                name="consolidation_names_a_target",
            ),
            models.CheckConstraint(
                condition=~Q(target=models.F("account")), name="target_is_not_the_account"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of @{self.account.handle if self.account_id else '?'}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def _moved(self):
        self.state_changed_at = timezone.now()
        self.version += 1

    # The workflow, declared once. Permissions name rules in handovers/rules.py.
    @transition(
        field=state,
        source=State.AWAITING_OWNER,
        target=State.AWAITING_SUPERVISOR,
        permission=object_perm("handovers.respond_as_owner"),
    )
    def owner_agree(self):
        self._moved()

    @transition(
        field=state,
        source=State.AWAITING_OWNER,
        target=State.DECLINED_BY_OWNER,
        permission=object_perm("handovers.respond_as_owner"),
    )
    def owner_decline(self):
        self._moved()

    @transition(
        field=state,
        source=State.AWAITING_SUCCESSOR,
        target=State.AWAITING_SUPERVISOR,
        permission=object_perm("handovers.respond_as_successor"),
    )
    def accept(self):
        self._moved()

    @transition(
        field=state,
        source=State.AWAITING_SUCCESSOR,
        target=State.DECLINED,
        permission=object_perm("handovers.respond_as_successor"),
    )
    def decline(self):
        self._moved()

    @transition(
        field=state,
        source=State.AWAITING_SUPERVISOR,
        target=State.AWAITING_PRESS_OFFICE,
        permission=object_perm("handovers.decide_as_supervisor"),
    )
    def supervisor_approve(self):
        self._moved()

    @transition(
        field=state,
        source=State.AWAITING_SUPERVISOR,
        target=State.REJECTED,
        permission=object_perm("handovers.decide_as_supervisor"),
    )
    def supervisor_reject(self):
        self._moved()

    @transition(
        field=state,
        source=State.AWAITING_PRESS_OFFICE,
        target=State.COMPLETED,
        permission=object_perm("handovers.complete_transition"),
    )
    def complete(self):
        self._moved()
        self.completed_at = self.state_changed_at

    @transition(
        field=state,
        source=State.AWAITING_PRESS_OFFICE,
        target=State.REJECTED,
        permission=object_perm("handovers.complete_transition"),
    )
    def press_office_reject(self):
        self._moved()

    @transition(
        field=state,
        source=[State.AWAITING_OWNER, State.AWAITING_SUCCESSOR, State.AWAITING_SUPERVISOR],
        target=State.WITHDRAWN,
        permission=object_perm("handovers.withdraw_transition"),
    )
    def withdraw(self):
        self._moved()


class TransitionDecision(AppendOnlyModel):
    """One step decided by one person: the owner's agreement to a consolidation, the successor's
    answer, the supervisor's decision, the
    press office's completion or refusal. Never edited or deleted; one per stage."""

    class Stage(models.TextChoices):
        OWNER = "owner", "Owner"
        SUCCESSOR = "successor", "Successor"
        SUPERVISOR = "supervisor", "Supervisor"
        PRESS_OFFICE = "press_office", "Press office"

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        COMPLETED = "completed", "Completed"

    transition = models.ForeignKey(
        AccountTransition, on_delete=models.PROTECT, related_name="decisions"
    )
    stage = models.CharField(max_length=20, choices=Stage.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    comment = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="transition_decisions"
    )
    decided_by_label = models.CharField(max_length=200)
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["transition", "stage"], name="one_transition_decision_per_stage"
            ),
            models.CheckConstraint(
                condition=~Q(outcome__in=["declined", "rejected"]) | ~Q(comment=""),
                name="transition_refusal_has_comment",
            ),
        ]

    def __str__(self):
        return f"{self.get_stage_display()} {self.get_outcome_display().lower()}"


class Checklist(models.Model):
    """What the press office confirms to complete a handover or closure. Only facts are kept,
    never a password (the login item is named `login_changed` so the audit trail, which leaves
    out fields named like a password, still records it)."""

    HANDOVER_ITEMS = [
        ("handle_changed", "Handle and display name changed on the platform to the successor's"),
        ("login_changed", "Password changed on the platform"),
        ("followers_told", "Followers told about the handover"),
        ("old_access_removed", "The old owner's access removed (devices signed out, apps)"),
    ]
    CLOSURE_ITEMS = [
        ("farewell_posted", "Farewell post made, telling followers where to go"),
        ("followers_told", "Followers told why the account is closing"),
        ("old_access_removed", "Everyone's access removed (devices signed out, apps)"),
    ]
    CONSOLIDATION_ITEMS = [
        ("farewell_posted", "Farewell post made and pinned, telling followers where to go"),
        ("followers_told", "Profile bio changed to point to the unit's account"),
        ("old_access_removed", "Everyone's access removed (devices signed out, apps)"),
    ]

    transition = models.OneToOneField(
        AccountTransition, on_delete=models.PROTECT, related_name="checklist"
    )
    handle_changed = models.BooleanField(default=False)
    login_changed = models.BooleanField(default=False)
    followers_told = models.BooleanField(default=False)
    old_access_removed = models.BooleanField(default=False)
    farewell_posted = models.BooleanField(default=False)
    farewell_text = models.TextField(blank=True)
    new_handle = models.CharField(max_length=50, blank=True)
    new_display_name = models.CharField(max_length=100, blank=True)
    deactivated_on = models.DateField(null=True, blank=True)
    credentials_destroyed = models.BooleanField(default=False)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Checklist for {self.transition}"

    @classmethod
    def items_for(cls, kind: str) -> list[tuple[str, str]]:
        if kind == Kind.CONSOLIDATION:
            return cls.CONSOLIDATION_ITEMS
        return cls.CLOSURE_ITEMS if kind == Kind.CLOSURE else cls.HANDOVER_ITEMS

    @property
    def items(self) -> list[tuple[str, str, bool]]:
        return [
            (name, label, getattr(self, name))
            for name, label in self.items_for(self.transition.kind)
        ]


class CredentialDestruction(models.Model):
    """The record that a closed account's login details were destroyed: the sealed secret is
    deleted from custody, this says when, by whom and what was destroyed (never the secret)."""

    account = models.ForeignKey(
        "accounts.SocialAccount", on_delete=models.PROTECT, related_name="credential_destructions"
    )
    transition = models.ForeignKey(
        AccountTransition,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credential_destructions",
    )
    lodged_at = models.DateTimeField(help_text="When the destroyed details had been lodged.")
    key_id = models.CharField(max_length=20)
    destroyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    destroyed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-destroyed_at"]

    def __str__(self):
        return f"Login details of {self.account} destroyed {self.destroyed_at:%Y-%m-%d}"
