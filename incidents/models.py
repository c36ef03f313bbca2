"""Incidents: a suspected compromise of an official account, the reports of it, the checklist
from the guidance ("What to do if your account is hacked") and an append-only timeline.

No field here holds a secret: the new login details are lodged through custody, and only the
fact and time of lodging are read from there."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from core.models import AppendOnlyModel
from core.workflow import object_perm
from custody.models import Credential


class IncidentState(models.TextChoices):
    REPORTED = "reported", "Reported"
    CONTAINED = "contained", "Contained"
    RESOLVED = "resolved", "Resolved"


OPEN_STATES = [IncidentState.REPORTED, IncidentState.CONTAINED]


class Step(models.TextChoices):
    """The checklist, in the guidance's order."""

    PASSWORD_CHANGED = "password_changed", "Password changed"
    PRESS_OFFICE_TOLD = "press_office_told", "Press office told and new login details lodged"
    APPS_REVIEWED = "apps_reviewed", "Connected applications reviewed and unknown ones revoked"
    ROGUE_POSTS_REMOVED = "rogue_posts_removed", "Rogue posts removed"
    FOLLOWERS_WARNED = "followers_warned", "Followers warned"
    PLATFORM_CONTACTED = "platform_contacted", "Platform support contacted"


# Steps only the press office records (they confirm they were told and hold the new details).
PRESS_OFFICE_STEPS = {Step.PRESS_OFFICE_TOLD}


def _may_contain(incident) -> bool:
    return incident.containment_problem() is None


def _may_resolve(incident) -> bool:
    return incident.resolution_problem() is None


class Incident(FSMModelMixin, models.Model):
    """One suspected compromise of one account. Its state changes only through the transitions
    below (the field is protected); incidents/services.py fires them under a row lock."""

    State = IncidentState

    account = models.ForeignKey(
        "accounts.SocialAccount", on_delete=models.PROTECT, related_name="incidents"
    )
    state = FSMField(
        max_length=20, choices=IncidentState.choices, default=IncidentState.REPORTED, protected=True
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(default=timezone.now, db_index=True)
    credentials_required_since = models.DateTimeField(
        help_text="Login details lodged before this moment do not contain the incident."
    )
    account_status_before = models.CharField(
        max_length=20,
        blank=True,
        editable=False,
        help_text="The account's status when this incident opened: what it goes back to.",
    )
    lessons = models.TextField("lessons learned", blank=True)
    lessons_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lessons_recorded_at = models.DateTimeField(null=True, blank=True)
    contained_at = models.DateTimeField(
        null=True, blank=True, help_text="The later of the password change and the new lodging."
    )
    resolved_at = models.DateTimeField(
        null=True, blank=True, help_text="The last checklist step or the lessons, whichever later."
    )
    state_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reported_at", "-pk"]
        constraints = [
            # One open incident per account: a second report joins the first.
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(state__in=OPEN_STATES),
                name="incident_one_open_per_account",
            ),
        ]

    def __str__(self):
        return f"Incident {self.pk}: {self.account}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def version(self) -> str:
        """The moment a form was drawn for; a form posted back with another is stale."""
        return f"{self.state}-{self.state_changed_at.timestamp():.6f}"

    @property
    def age(self):
        return (self.resolved_at or timezone.now()) - self.reported_at

    @property
    def time_to_contain(self):
        return self.contained_at - self.reported_at if self.contained_at else None

    @property
    def time_to_resolve(self):
        return self.resolved_at - self.reported_at if self.resolved_at else None

    def steps_done(self) -> dict:
        """{step: IncidentStep} of the steps recorded so far."""
        cache = getattr(self, "_prefetched_objects_cache", {}).get("steps")
        rows = cache if cache is not None else self.steps.select_related("done_by")
        return {row.step: row for row in rows}

    def fresh_credential(self):
        """The account's lodged login details if lodged after this incident began, else None."""
        credential = Credential.objects.filter(account_id=self.account_id).first()
        if credential is None or credential.lodged_at < self.credentials_required_since:
            return None
        return credential

    def containment_problem(self) -> str | None:
        if Step.PASSWORD_CHANGED not in self.steps_done():
            return "Record that the password has been changed first."
        if self.fresh_credential() is None:
            return "The new login details have not been lodged with the press office yet."
        return None

    def resolution_problem(self) -> str | None:
        missing = [label for value, label in Step.choices if value not in self.steps_done()]
        if missing:
            return "Steps still to do: " + "; ".join(m.lower() for m in missing) + "."
        if not self.lessons.strip():
            return "Record the lessons learned first."
        return None

    @transition(
        field=state,
        source=IncidentState.REPORTED,
        target=IncidentState.CONTAINED,
        conditions=[_may_contain],
        permission=object_perm("incidents.contain_incident"),
    )
    def contain(self):
        done = self.steps_done()
        self.contained_at = max(
            done[Step.PASSWORD_CHANGED].done_at, self.fresh_credential().lodged_at
        )
        self.state_changed_at = timezone.now()

    @transition(
        field=state,
        source=IncidentState.CONTAINED,
        target=IncidentState.RESOLVED,
        conditions=[_may_resolve],
        permission=object_perm("incidents.resolve_incident"),
    )
    def resolve(self):
        moments = [row.done_at for row in self.steps_done().values()]
        self.resolved_at = max([*moments, self.lessons_recorded_at, self.contained_at])
        self.state_changed_at = timezone.now()


class Report(models.Model):
    """One person's report of a suspected compromise. The first opens the incident; later ones
    join it. The reporter sees the incident's state through their report."""

    class LinkClicked(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        UNSURE = "unsure", "Not sure"

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="reports")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="incident_reports"
    )
    what_happened = models.TextField()
    noticed_at = models.DateTimeField("when it was noticed")
    link_clicked = models.CharField(
        "whether a link was clicked", max_length=10, choices=LinkClicked.choices
    )
    rogue_posts = models.TextField("rogue posts seen", blank=True)
    reported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reported_at", "-pk"]

    def __str__(self):
        return f"Report {self.pk} of incident {self.incident_id}"


class IncidentStep(models.Model):
    """One checklist step done: by whom and when. Recorded once."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="steps")
    step = models.CharField(max_length=30, choices=Step.choices)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["done_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "step"], name="incident_step_once"),
        ]

    def __str__(self):
        return f"{self.get_step_display()} ({self.incident})"


class TimelineEntry(AppendOnlyModel):
    """What happened, in order: reports, notes, steps, state changes. Never edited or deleted."""

    class Kind(models.TextChoices):
        REPORT = "report", "Report"
        NOTE = "note", "Note"
        STEP = "step", "Step done"
        STATE = "state", "State changed"
        EVENT = "event", "Event"

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="timeline")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.TextField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name_plural = "timeline entries"

    def __str__(self):
        return f"{self.get_kind_display()} on incident {self.incident_id}"
