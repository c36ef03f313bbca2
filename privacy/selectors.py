"""Reads for the data-protection pages: everything held about one officer (the subject access
export) and what the retention job would do now."""

import datetime

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount as SignInLink
from allauth.usersessions.models import UserSession
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import SocialAccount
from approvals.models import BusinessCase, Decision
from audit.models import AuditEvent
from audit.selectors import object_types
from audit.services import SECRET_FIELD
from custody.models import Credential
from handovers.models import AccountTransition, TransitionDecision
from incidents.models import Incident, Report
from notifications.models import Notification
from people.models import (
    Delegation,
    Leave,
    Officer,
    RoleGrantDecision,
    RoleGrantRequest,
    Training,
)
from privacy.models import RetentionRun
from privacy.retention import KINDS, KINDS_BY_NAME, SIGN_IN_EVENTS
from reminders.models import Reminder

EXPORT_FORMAT = "portal-subject-access/1"
CUSTODY_NOTE = (
    "Login details (passwords, recovery codes) of official accounts are held encrypted in "
    "credential custody. This file says where they exist and when they were lodged; it never "
    "contains them. Second-factor secrets and sign-in tokens are likewise described, not shown."
)


def _value(obj, field):
    if field.is_relation:
        related = getattr(obj, field.name)
        return None if related is None else {"id": related.pk, "name": str(related)}
    value = getattr(obj, field.attname)
    if getattr(field, "choices", None) and value is not None:
        return {"value": value, "label": getattr(obj, f"get_{field.name}_display")()}
    return value


def row(obj: models.Model, *, exclude=()) -> dict:
    """Every concrete field of `obj`, except secrets (by name, as the audit trail leaves them
    out), binary fields (sealed data, uploaded files) and `exclude`."""
    values = {}
    for field in obj._meta.concrete_fields:
        if field.name in exclude or SECRET_FIELD.search(field.name):
            continue
        if isinstance(field, models.BinaryField):
            continue
        values[field.name] = _value(obj, field)
    return values


def _audit_row(event: AuditEvent) -> dict:
    return {
        "sequence": event.sequence,
        "at": event.created_at,
        "actor": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object": event.object_repr,
        "changes": event.changes,
        "reason": event.reason,
        "redacted": event.redacted_at is not None,
    }


def _login(user) -> dict:
    return {
        "username": user.get_username(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "active": user.is_active,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "password": "set (held as a one-way hash, not included)"
        if user.has_usable_password()
        else "none",
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user)
        ],
        "second_factors": [
            {
                "type": a.get_type_display(),
                "created_at": a.created_at,
                "last_used_at": a.last_used_at,
                "secret": "held, not included",
            }
            for a in Authenticator.objects.filter(user=user)
        ],
        "sessions": [
            {
                "address": s.ip,
                "browser": s.user_agent,
                "created_at": s.created_at,
                "last_seen_at": s.last_seen_at,
            }
            for s in UserSession.objects.filter(user=user)
        ],
        "identity_provider_links": [
            {"provider": link.provider, "last_login": link.last_login}
            for link in SignInLink.objects.filter(user=user)
        ],
    }


def _accounts(officer, user) -> list[dict]:
    owned = Q(owner=officer) | Q(
        pk__in=AccountTransition.objects.filter(owner=officer).values("account_id")
    )
    result = []
    for account in SocialAccount.objects.filter(owned).select_related("owner", "unit"):
        credential = Credential.objects.filter(account=account).first()
        result.append(
            {
                **row(account),
                "owned_now": account.owner_id == officer.pk,
                "login_details": {
                    "held_in_custody": True,
                    "lodged_at": credential.lodged_at,
                    "content": "held encrypted in custody, not included",
                }
                if credential
                else {"held_in_custody": False},
            }
        )
    return result


def _audit_about_or_by(officer, user):
    about = Q(object_type__in=object_types(Officer), object_id=str(officer.pk)) | Q(
        object_type__in=object_types(type(user)), object_id=str(user.pk)
    )
    events = AuditEvent.objects.filter(about | Q(actor=user)).order_by("sequence")
    sign_in = about & SIGN_IN_EVENTS
    return (
        [_audit_row(e) for e in events.filter(sign_in).iterator(chunk_size=1000)],
        [_audit_row(e) for e in events.exclude(sign_in).iterator(chunk_size=1000)],
    )


def subject_data(officer: Officer) -> dict:
    """Everything the portal holds about `officer`, by section, secrets described but never
    included. Another person appears only where they are part of the officer's own record
    (who decided their case, their supervisor), as the records themselves name them."""
    user = officer.user
    cases = BusinessCase.objects.filter(applicant=officer).select_related("unit", "account")
    sign_in_events, audit_events = _audit_about_or_by(officer, user)
    own_accounts = SocialAccount.objects.filter(owner=officer).values("pk")
    return {
        "export": {
            "format": EXPORT_FORMAT,
            "generated_at": timezone.now(),
            "about": {"officer_id": officer.pk, "login_id": user.pk},
            "secrets": CUSTODY_NOTE,
        },
        "officer": row(officer),
        "login": _login(user),
        "delegations": {
            "given": [row(d) for d in Delegation.objects.filter(supervisor=officer)],
            "held": [row(d) for d in Delegation.objects.filter(acting=officer)],
        },
        "leave": [row(leave) for leave in Leave.objects.filter(officer=officer)],
        "training": [row(t) for t in Training.objects.filter(officer=officer)],
        "role_requests": [
            {**row(r), "decision": row(r.decision) if hasattr(r, "decision") else None}
            for r in RoleGrantRequest.objects.filter(user=user)
        ],
        "business_cases": [
            {**row(case), "decisions": [row(d) for d in case.decisions.all()]} for case in cases
        ],
        "decisions_made": {
            "business_cases": [
                row(d) for d in Decision.objects.filter(decided_by=user).select_related("case")
            ],
            "handovers": [row(d) for d in TransitionDecision.objects.filter(decided_by=user)],
            "roles": [row(d) for d in RoleGrantDecision.objects.filter(decided_by=user)],
        },
        "accounts": _accounts(officer, user),
        "login_details_lodged": [
            {"account": str(c.account), "lodged_at": c.lodged_at, "content": "not included"}
            for c in Credential.objects.filter(lodged_by=user).select_related("account")
        ],
        "handovers": [
            {**row(t), "decisions": [row(d) for d in t.decisions.all()]}
            for t in AccountTransition.objects.filter(
                Q(owner=officer) | Q(successor=officer) | Q(started_by=user)
            )
        ],
        "incidents_reported": [row(i) for i in Incident.objects.filter(reported_by=user)],
        "incident_reports": [row(r) for r in Report.objects.filter(reported_by=user)],
        "notifications": [row(n) for n in Notification.objects.filter(recipient=user)],
        "reminders": [
            row(r)
            for r in Reminder.objects.filter(
                Q(account_id__in=own_accounts)
                | Q(
                    subject_type=Reminder.SubjectType.CASE,
                    subject_id__in=BusinessCase.objects.filter(applicant=officer).values("pk"),
                )
            )
        ],
        "sign_in_events": sign_in_events,
        "audit_events": audit_events,
    }


def section_counts(data: dict) -> dict:
    """How many records each section of an export holds (for its audit event: no content)."""
    counts = {}
    for name, value in data.items():
        if name in {"export", "officer", "login"}:
            continue
        if isinstance(value, dict):
            for sub, items in value.items():
                counts[f"{name}.{sub}"] = len(items)
        else:
            counts[name] = len(value)
    return counts


def retention_overview(now=None) -> list[dict]:
    """Each kind's retention, why, and how many records are past it now."""
    now = now or timezone.now()
    return [
        {
            "kind": kind,
            "cutoff": now - datetime.timedelta(days=kind.days),
            "due": kind.due(now - datetime.timedelta(days=kind.days)).count(),
        }
        for kind in KINDS
    ]


def legacy_events_past(now=None) -> int:
    """Events written before redaction existed (hash version 1) older than the audit detail's
    retention: their hash covers their detail, so redacting it would break the chain."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=KINDS_BY_NAME["audit_detail"].days)
    return AuditEvent.objects.filter(hash_version=1, created_at__lt=cutoff).count()


def recent_runs(limit: int = 10):
    return RetentionRun.objects.all()[:limit]
