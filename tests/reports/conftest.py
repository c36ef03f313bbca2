import datetime

import pytest
from django.utils import timezone

from accounts.models import SocialAccount
from approvals import services as approvals_services
from people.models import Officer
from reminders.models import Recertification
from tests.factories import (
    AccountTransitionFactory,
    BusinessCaseFactory,
    CredentialFactory,
    IncidentFactory,
    OfficerFactory,
    PolicyVersionFactory,
    SocialAccountFactory,
)

SECRET = "Plaintext-Secret-Do-Not-Show-9!"
LOGIN = "secret-login@police.example"


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def force(officer, supervisor, other_officer, other_supervisor, press_officer):
    """Two teams: the supervisor's (Stechford) and the other supervisor's. Each has accounts at
    different dormancy levels, an orphan, a case waiting, credentials missing or out of date,
    an overdue re-certification and an open incident."""
    today = timezone.localdate()
    mine = {
        "current": SocialAccountFactory(
            owner=officer, handle="CurrentWMP", last_post_at=days_ago(1)
        ),
        "stale": SocialAccountFactory(owner=officer, handle="StaleWMP", last_post_at=days_ago(90)),
        "closed": SocialAccountFactory(
            owner=officer,
            handle="ClosedWMP",
            last_post_at=days_ago(300),
            status=SocialAccount.Status.CLOSED,
        ),
    }
    theirs = {
        "dormant": SocialAccountFactory(
            owner=other_officer, handle="DormantWMP", last_post_at=days_ago(30)
        ),
        "unknown": SocialAccountFactory(owner=other_officer, handle="UnknownWMP"),
    }
    # Orphans: one mover in each team.
    mover = OfficerFactory(
        unit=officer.unit,
        supervisor=supervisor,
        status=Officer.Status.MOVED,
        status_changed_on=today - datetime.timedelta(days=10),
    )
    leaver = OfficerFactory(
        unit=other_officer.unit,
        supervisor=other_supervisor,
        status=Officer.Status.LEFT,
        status_changed_on=today - datetime.timedelta(days=40),
    )
    mine["orphan"] = SocialAccountFactory(owner=mover, handle="MoverWMP", last_post_at=days_ago(2))
    theirs["orphan"] = SocialAccountFactory(
        owner=leaver, handle="LeaverWMP", last_post_at=days_ago(2)
    )
    # Credentials: current on CurrentWMP, out of date on DormantWMP, none elsewhere.
    CredentialFactory(account=mine["current"], login=LOGIN, password=SECRET)
    SocialAccount.objects.filter(pk=theirs["dormant"].pk).update(
        credentials_required_since=days_ago(5)
    )
    CredentialFactory(
        account=theirs["dormant"], login=LOGIN, password=SECRET, lodged_at=days_ago(20)
    )
    SocialAccount.objects.filter(pk=mine["orphan"].pk).update(credentials_required_since=None)
    for account in (mine["stale"], mine["orphan"], theirs["unknown"], theirs["orphan"]):
        CredentialFactory(account=account, login=LOGIN, password=SECRET)
    # Cases waiting: a business case for the supervisor, a handover for the other supervisor.
    policy = PolicyVersionFactory(version="9.0")
    draft = BusinessCaseFactory(applicant=officer, handle="NewCaseWMP")
    case = approvals_services.business_case_submit(
        actor=officer.user, case_id=draft.pk, policy_id=policy.pk, personal_use_read=True
    )
    transition = AccountTransitionFactory(
        account=theirs["unknown"], state="awaiting_supervisor", state_changed_at=days_ago(8)
    )
    # Overdue re-certifications.
    Recertification.objects.create(account=mine["stale"], due_on=today - datetime.timedelta(days=5))
    Recertification.objects.create(
        account=theirs["dormant"], due_on=today - datetime.timedelta(days=12)
    )
    # Incidents: one open in each team, one resolved.
    open_mine = IncidentFactory(
        account=SocialAccountFactory(
            owner=officer, handle="HackedWMP", status=SocialAccount.Status.COMPROMISED
        ),
        reported_at=days_ago(3),
    )
    open_theirs = IncidentFactory(
        account=SocialAccountFactory(
            owner=other_officer, handle="HackedTooWMP", status=SocialAccount.Status.COMPROMISED
        ),
        reported_at=days_ago(6),
    )
    reported = days_ago(1)
    resolved = IncidentFactory(
        account=SocialAccountFactory(owner=other_officer, handle="RecoveredWMP"),
        reported_at=reported - datetime.timedelta(hours=10),
        contained_at=reported - datetime.timedelta(hours=6),
        resolved_at=reported,
        state="resolved",
    )
    return {
        "mine": mine,
        "theirs": theirs,
        "case": case,
        "transition": transition,
        "open_mine": open_mine,
        "open_theirs": open_theirs,
        "resolved": resolved,
    }
