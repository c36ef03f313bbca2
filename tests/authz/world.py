"""One shared world for the authorization matrix: two teams, each with a case at every stage,
accounts (one with lodged login details, one hacked), handovers at each stage, an incident, a
re-certification, a notification and a delegation; plus the force-wide objects (an import job,
a role request, a parked e-mail). Built once per test module through the services, so every
object is in a state the product itself would reach.

Every object of a team carries that team's marker (ALPHAMARK, BRAVOMARK) in its visible text:
no page a principal gets may show the other team's marker (tests/authz/test_matrix.py). The
team's people and unit are named Alpha and Bravo instead: the force's people and units are in
pick lists open to every officer (naming a successor or an acting supervisor anywhere in the
force, filtering the register by unit), which is the product's rule, not a leak."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from accounts.models import ImportJob
from approvals import services as approvals
from approvals.models import Decision, SetupChecklist
from handovers import editors
from handovers import services as handovers
from incidents import services as incidents
from notifications.models import Notification
from notifications.services import chat_channel_create
from pauses import services as pauses
from people.models import RoleGrantRequest
from people.roles import Role
from people.services import role_grant_refuse
from reminders.models import Recertification
from tests.factories import (
    ActivityObservationFactory,
    BusinessCaseFactory,
    CredentialDestructionFactory,
    CredentialFactory,
    DelegationFactory,
    LeaveFactory,
    OfficerFactory,
    PolicyVersionFactory,
    SocialAccountFactory,
    UnitFactory,
)


@dataclass
class Team:
    marker: str
    unit: object = None
    supervisor: object = None
    officer: object = None
    successor: object = None
    objects: dict = field(default_factory=dict)


@dataclass
class World:
    a: Team
    b: Team
    users: dict  # principal name -> User (None for anonymous)
    shared: dict  # force-wide objects by name
    policy: object = None
    tokens: dict = field(default_factory=dict)  # principal -> API token (a client they own)


def _team(marker: str, policy, press_user) -> Team:
    tag = marker[:4].title()
    name = marker[:5].title()  # Alpha, Bravo: people and units (see the module's docstring)
    team = Team(marker=marker)
    team.unit = UnitFactory(name=f"{name} Neighbourhood Team", code=marker.lower())
    team.supervisor = OfficerFactory(
        unit=team.unit,
        rank="sergeant",
        surname=f"{name} Sergeant",
        roles=[Role.OFFICER, Role.SUPERVISOR],
    )
    team.officer = OfficerFactory(
        unit=team.unit, supervisor=team.supervisor, first_name="Pat", surname=name
    )
    team.successor = OfficerFactory(
        unit=team.unit, supervisor=team.supervisor, surname=f"{name} Successor"
    )
    owner, o = team.officer, team.objects

    def account(n, **kwargs):
        return SocialAccountFactory(
            owner=owner, handle=f"{tag}Acc{n}WMP", display_name=f"{marker} account {n}", **kwargs
        )

    # The register: an active account with login details lodged (custody, check-in, start,
    # report a hack); one hacked, with its incident; three in a handover at each stage.
    o["account"] = account(1)
    CredentialFactory(account=o["account"])
    hacked = account(2)
    CredentialFactory(account=hacked)
    report, _ = incidents.incident_report(
        actor=owner.user,
        account_id=hacked.pk,
        what_happened=f"{marker}: posts I did not write appeared.",
        noticed_at=timezone.now() - datetime.timedelta(hours=2),
        link_clicked="yes",
        rogue_posts=f"{marker} rogue post",
    )
    o["incident"] = report.incident

    def handover(n):
        acc = account(n)
        CredentialFactory(account=acc)
        return handovers.transition_start(
            actor=owner.user,
            account_id=acc.pk,
            kind="handover",
            reason=f"{marker} is moving to Response",
            successor=team.successor,
        )

    o["handover_successor"] = handover(3)  # awaiting the successor
    t = handover(4)
    handovers.handover_respond(actor=team.successor.user, transition_id=t.pk, accept=True)
    o["handover_supervisor"] = t  # awaiting the supervisor
    t = handover(5)
    handovers.handover_respond(actor=team.successor.user, transition_id=t.pk, accept=True)
    handovers.transition_decide(actor=team.supervisor.user, transition_id=t.pk, approve=True)
    o["handover_press"] = t  # awaiting the press office

    # A suspended account (pauses): its owner is told and has not acknowledged yet.
    o["pause"] = pauses.account_suspend(
        actor=press_user,
        account_id=account(6).pk,
        reason=f"{marker}: posted about a live case",
        review_on=timezone.localdate() + datetime.timedelta(days=14),
    )

    # Business cases at each stage.
    def case(n):
        return BusinessCaseFactory(
            applicant=owner, handle=f"{tag}Case{n}WMP", display_name=f"{marker} case {n}"
        )

    def submitted(n):
        c = case(n)
        return approvals.business_case_submit(
            actor=owner.user, case_id=c.pk, policy_id=policy.pk, personal_use_read=True
        )

    def decide(c, user):
        approvals.business_case_decide(
            actor=user, case_id=c.pk, outcome=Decision.Outcome.APPROVED, comment=marker
        )
        c.refresh_from_db()
        return c

    o["case_draft"] = case(1)
    o["case_submitted"] = submitted(2)
    o["case_press"] = decide(submitted(3), team.supervisor.user)
    o["case_setup"] = decide(decide(submitted(4), team.supervisor.user), press_user)
    c = decide(decide(submitted(5), team.supervisor.user), press_user)
    checklist = SetupChecklist.objects.get(case=c)
    approvals.setup_checklist_update(
        actor=owner.user, case_id=c.pk, ticked=set(checklist.item_names), done=True
    )
    o["case_confirm"] = c

    o["recertification"] = Recertification.objects.create(
        account=o["account"], due_on=timezone.localdate()
    )
    # For the lists: leave recorded, and an orphan (an account whose owner has moved post).
    LeaveFactory(officer=owner, reason=f"{marker} leave")
    mover = OfficerFactory(
        unit=team.unit,
        supervisor=team.supervisor,
        surname=f"{name} Mover",
        status="moved",
        status_changed_on=timezone.localdate(),
    )
    SocialAccountFactory(owner=mover, handle=f"{tag}Orph1WMP", display_name=f"{marker} orphan")

    # A team account with an editor asked for (the successor): shared accounts' pages.
    o["shared_account"] = account(7, kind="team")
    o["editor_requested"] = editors.editor_request(
        actor=owner.user,
        account_id=o["shared_account"].pk,
        officer_id=team.successor.pk,
        reason=f"{marker} weekend cover",
    )

    for obj in o.values():  # as the services left them (versions, states)
        obj.refresh_from_db()
    o["notification"] = Notification.objects.create(
        recipient=owner.user,
        email=owner.user.email,
        subject=f"{marker} notification",
        body=f"{marker} body",
        link="/",
        kind="test",
    )
    return team


def build_world() -> World:
    policy = PolicyVersionFactory(version="9.0")
    press = OfficerFactory(rank="staff", roles=[Role.OFFICER, Role.PRESS_OFFICE])
    auditor = OfficerFactory(rank="staff", roles=[Role.AUDITOR])
    admin = OfficerFactory(rank="staff", roles=[Role.ADMINISTRATOR])
    admin.user.is_staff = admin.user.is_superuser = True
    admin.user.save(update_fields=["is_staff", "is_superuser"])
    admin2 = OfficerFactory(rank="staff", roles=[Role.ADMINISTRATOR])

    a = _team("ALPHAMARK", policy, press.user)
    b = _team("BRAVOMARK", policy, press.user)
    acting = OfficerFactory(unit=a.unit, supervisor=a.supervisor, surname="Acting")
    for team, deputy in ((a, acting), (b, b.successor)):
        team.objects["delegation"] = DelegationFactory(
            supervisor=team.supervisor,
            acting=deputy,
            ends_on=timezone.localdate() + datetime.timedelta(days=7),
            reason=f"{team.marker} leave",
        )

    # A row of every model the admin shows, so each admin object page opens a real one.
    ActivityObservationFactory(account=a.objects["account"])
    CredentialDestructionFactory(account=a.objects["account"], destroyed_by=press.user)
    refused = RoleGrantRequest.objects.create(
        user=b.officer.user, role=Role.ADMINISTRATOR, reason="ALPHAMARK", requested_by=admin2.user
    )
    role_grant_refuse(actor=admin.user, request_id=refused.pk, comment="Not needed")

    shared = {
        "import_job": ImportJob.objects.create(
            kind=ImportJob.Kind.REGISTER,
            filename="ALPHAMARK-register.csv",
            content="handle,display_name,owner_staff_number\n",
            reason="Day-one load",
            created_by=press.user,
        ),
        "role_request": RoleGrantRequest.objects.create(
            user=a.officer.user,
            role=Role.PRESS_OFFICE,
            reason="ALPHAMARK joins the press office",
            requested_by=admin2.user,
        ),
        "chat_channel": chat_channel_create(
            name="Force alerts channel", url="https://alpha.webhook.office.com/webhookb2/secret"
        ),
        "failed_mail": Notification.objects.create(
            recipient=a.officer.user,
            email=a.officer.user.email,
            subject="ALPHAMARK parked mail",
            body="ALPHAMARK",
            kind="test",
            failed_at=timezone.now(),
            last_error="550 mailbox unavailable",
        ),
    }
    # The API: a client of each signed-in principal's own, with every scope (a call acts with
    # its owner's rights), and one more for the clients page to revoke.
    import datetime as _dt

    from api.models import Scope
    from api.services import api_client_create

    def api_client(owner, name):
        return api_client_create(
            actor=admin2.user,
            name=name,
            owner=owner,
            scopes=list(Scope.values),
            expires_at=timezone.now() + _dt.timedelta(days=30),
        )

    shared["api_client"] = api_client(press.user, "ALPHAMARK feed")[0]
    users = {
        "anonymous": None,
        "officer": a.officer.user,
        "supervisor": a.supervisor.user,
        "other_supervisor": b.supervisor.user,
        "press": press.user,
        "auditor": auditor.user,
        "admin": admin.user,
        "acting": acting.user,
    }
    tokens = {name: api_client(user, f"{name} client")[1] for name, user in users.items() if user}
    return World(a=a, b=b, users=users, shared=shared, policy=policy, tokens=tokens)
