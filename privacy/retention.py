"""What the portal keeps, for how long, and what happens when the time is up.

One `Kind` per kind of record: its retention (days, in settings.RETENTION_DAYS, each one
overridable from the environment), why that long (shown to administrators on the retention
page), which records are past it (`due`, a queryset of primary keys: nothing already done
matches, so a second run finds nothing) and what is done to a batch of them (`apply`: delete,
or overwrite the personal fields). `privacy.services.retention_run` drives them in batches.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount as SignInLink
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Cast

from accounts.models import ImportJob, SocialAccount
from api.models import IdempotentWrite
from approvals.models import BusinessCase, CaseState, Decision
from audit.models import REDACTED, AuditEvent
from audit.selectors import object_types
from audit.services import audit_redact
from handovers.models import CredentialDestruction
from notifications.models import Notification
from people.models import Leave, Officer
from reminders.models import Reminder

ANONYMISED_STAFF_PREFIX = "anon-"  # a leaver's staff number once anonymised: anon-<officer id>
SIGN_IN_EVENTS = (
    Q(action__startswith="sign_in.")
    | Q(action="sign_out")
    | Q(action__startswith="second_factor.")
    | Q(action__startswith="sessions.")
)


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    action: str  # what happens to a record past retention, in words
    why: str  # the justification for the default, shown to administrators
    due: Callable[[datetime.datetime], models.QuerySet]  # cutoff → primary keys past it
    apply: Callable[[list, datetime.datetime], int]  # (primary keys, now) → records done

    @property
    def days(self) -> int:
        return settings.RETENTION_DAYS[self.name]


# Closed business cases: rejected or withdrawn, never an account.
CASE_TEXT = (
    "policing_purpose",
    "audience",
    "attracting_audience",
    "benefits_force",
    "benefits_public",
    "expected_outcomes",
    "communications_plan",
    "hashtag_alternative",
    "handle",
    "display_name",
)


def _cases_due(cutoff):
    return (
        BusinessCase.objects.filter(
            state__in=[CaseState.REJECTED, CaseState.WITHDRAWN], state_changed_at__lt=cutoff
        )
        .exclude(policing_purpose=REDACTED)
        .values_list("pk", flat=True)
    )


def _cases_apply(ids, now):
    # The state field is protected and decisions are append-only: a queryset update is the one
    # sanctioned way past both, for redaction only. Who applied and who decided stays.
    done = (
        models.QuerySet(BusinessCase)
        .filter(pk__in=ids)
        .update(**dict.fromkeys(CASE_TEXT, REDACTED))
    )
    models.QuerySet(Decision).filter(case_id__in=ids).exclude(comment="").update(comment=REDACTED)
    return done


def _notifications_due(cutoff):
    waiting = Q(emailed_at__isnull=True, failed_at__isnull=True) & ~Q(email="")
    return (
        Notification.objects.filter(created_at__lt=cutoff)
        .exclude(waiting)
        .values_list("pk", flat=True)
    )


def _delete(model):
    def apply(ids, now):
        _, per_model = model.objects.filter(pk__in=ids).delete()
        return per_model.get(model._meta.label, 0)

    return apply


def _reminders_due(cutoff):
    # A reminder row is what makes a reminder exactly-once for its period: only rows whose
    # subject can never be reminded of again go (a closed account's; a finished case's).
    finished_cases = BusinessCase.objects.filter(
        state__in=[CaseState.REJECTED, CaseState.WITHDRAWN, CaseState.REGISTERED]
    ).values("pk")
    return (
        Reminder.objects.filter(created_at__lt=cutoff)
        .filter(
            Q(account__status=SocialAccount.Status.CLOSED)
            | Q(subject_type=Reminder.SubjectType.CASE, subject_id__in=finished_cases)
        )
        .values_list("pk", flat=True)
    )


def _audit_due(extra: Q):
    def due(cutoff):
        return AuditEvent.objects.filter(
            extra, created_at__lt=cutoff, hash_version=2, redacted_at__isnull=True
        ).values_list("pk", flat=True)

    return due


def _audit_apply(ids, now):
    return audit_redact(event_ids=list(ids), at=now)


def _imports_due(cutoff):
    held = ~Q(content="") | ~Q(data=b"") | ~Q(errors=[])
    return (
        ImportJob.objects.filter(status__in=ImportJob.FINISHED, created_at__lt=cutoff)
        .filter(held)
        .values_list("pk", flat=True)
    )


def _imports_apply(ids, now):
    return ImportJob.objects.filter(pk__in=ids).update(content="", data=b"", errors=[])


def _leavers_due(cutoff):
    still_owning = SocialAccount.objects.exclude(status=SocialAccount.Status.CLOSED).values(
        "owner_id"
    )
    # Counted from when the portal recorded the leaving as well as from the date HR gave: a
    # backdated (or mistyped) leaving date must not anonymise someone the same night.
    recorded_since = AuditEvent.objects.filter(
        object_type__in=object_types(Officer),
        object_id=Cast(OuterRef("pk"), models.CharField()),
        action="officer.marked_left",
        created_at__gte=cutoff,
    )
    return (
        Officer.objects.filter(status=Officer.Status.LEFT, status_changed_on__lt=cutoff.date())
        .exclude(staff_number__startswith=ANONYMISED_STAFF_PREFIX)
        .exclude(pk__in=still_owning)
        .exclude(Exists(recorded_since))
        .values_list("pk", flat=True)
    )


def _leavers_apply(ids, now):
    """The officer record keeps its id, unit, rank and dates (the register's history needs an
    owner); names, staff number and the login's name and address go, the login can no longer
    be used, and what allauth holds for it (addresses, second factors, sessions, the identity
    provider's link) is deleted."""
    officers = list(Officer.objects.filter(pk__in=ids).select_related("user"))
    user_ids = [o.user_id for o in officers]
    for officer in officers:
        Officer.objects.filter(pk=officer.pk).update(
            first_name="Former",
            surname=f"officer {officer.pk}",
            staff_number=f"{ANONYMISED_STAFF_PREFIX}{officer.pk}",
        )
        user = officer.user
        user.username = f"former-officer-{officer.pk}"
        user.first_name = user.last_name = user.email = ""
        user.is_active = user.is_staff = user.is_superuser = False
        user.set_unusable_password()
        user.save()
        user.groups.clear()
        user.user_permissions.clear()
    for model in (EmailAddress, Authenticator, UserSession, SignInLink):
        model.objects.filter(user_id__in=user_ids).delete()
    Leave.objects.filter(officer_id__in=ids).delete()
    return len(officers)


def _credentials_due(cutoff):
    return CredentialDestruction.objects.filter(
        destroyed_at__lt=cutoff, account__status=SocialAccount.Status.CLOSED
    ).values_list("pk", flat=True)


KINDS: tuple[Kind, ...] = (
    Kind(
        "closed_cases",
        "Rejected and withdrawn business cases",
        "Free text, proposed handle and display name, and decision comments are redacted; "
        "the case, its dates and who decided stay.",
        "Two years covers a re-application or a complaint about the decision; a case that "
        "became an account is kept with the account's record instead.",
        _cases_due,
        _cases_apply,
    ),
    Kind(
        "notifications",
        "In-portal notifications and their e-mail copies",
        "Deleted (never one still waiting in the outbox).",
        "A year: messages are transient; the facts they told are in the records and the audit "
        "trail.",
        _notifications_due,
        _delete(Notification),
    ),
    Kind(
        "reminders",
        "Reminders of closed accounts and finished cases",
        "Deleted.",
        "Two years: kept while a reminder can still be due (a reminder row is what makes it "
        "exactly-once), so only those whose account is closed or case finished go.",
        _reminders_due,
        _delete(Reminder),
    ),
    Kind(
        "sign_in_events",
        "Sign-in events (address, browser, typed names)",
        "Audit detail redacted; the event, its time and its place in the chain stay.",
        "A year: NCSC logging guidance keeps security logs at least six months; a year covers "
        "investigating a slow compromise.",
        _audit_due(SIGN_IN_EVENTS),
        _audit_apply,
    ),
    Kind(
        "import_files",
        "Uploaded import files and their row errors",
        "The file's bytes and the per-row errors are erased; the job and its counts stay.",
        "Ninety days: long enough to read a rejected import's report and retry it; the rows it "
        "wrote are in the register and the audit trail.",
        _imports_due,
        _imports_apply,
    ),
    Kind(
        "credential_metadata",
        "Closed accounts' credential destruction records",
        "Deleted (the audit trail keeps the event's skeleton).",
        "Six years (Limitation Act 1980): proof that a closed account's login was destroyed "
        "matters if the account is later misused.",
        _credentials_due,
        _delete(CredentialDestruction),
    ),
    Kind(
        "leavers",
        "Officers who left the force (officer record and login)",
        "Name, staff number, login name and e-mail anonymised; login disabled; second factors, "
        "sessions, addresses and leave deleted. Only when they own no open account.",
        "Six years after leaving, in line with personnel records and the Limitation Act 1980.",
        _leavers_due,
        _leavers_apply,
    ),
    Kind(
        "api_replies",
        "The API's stored answers to integrations' writes (idempotency keys)",
        "Deleted: a client retrying with the same key after this is treated as a new write.",
        "Thirty days: a key only has to outlive an integration's retries; the answers can name "
        "officers (the HR feed's staff numbers), and the writes themselves are in the trail.",
        lambda cutoff: IdempotentWrite.objects.filter(created_at__lt=cutoff).values_list(
            "pk", flat=True
        ),
        _delete(IdempotentWrite),
    ),
    Kind(
        "audit_detail",
        "Audit events' personal detail (names, values changed, reasons)",
        "Redacted; who-did-what by id, when, and the hash chain stay verifiable.",
        "Six years (Limitation Act 1980; the review period of the force's records policy); "
        "the trail's skeleton is kept for good.",
        _audit_due(Q()),
        _audit_apply,
    ),
)
KINDS_BY_NAME = {kind.name: kind for kind in KINDS}
