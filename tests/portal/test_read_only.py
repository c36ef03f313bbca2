"""Read-only means read-only (issue 11). The auditor has an officer record but only the Auditor
role: every write answers 403 (the form and the POST), nothing is written, and no page offers a
link or button to write. The write rules ask for the Officer role, not just an officer record."""

import datetime
import re

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from approvals import services as approvals
from approvals.models import Decision
from audit.models import AuditEvent
from audit.selectors import verify_chain
from handovers import services as handovers
from incidents import services as incidents
from people.roles import Role
from reminders.models import Recertification
from tests.factories import (
    BusinessCaseFactory,
    CredentialFactory,
    DelegationFactory,
    OfficerFactory,
    PolicyVersionFactory,
    SocialAccountFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(officer, supervisor, press_officer, team):
    """A little of everything an officer, their supervisor and the press office write."""
    policy = PolicyVersionFactory(version="4.0")
    account = SocialAccountFactory(owner=officer, handle="PriyaSharmaWMP")
    CredentialFactory(account=account)
    draft = BusinessCaseFactory(applicant=officer, handle="DraftWMP")
    submitted = BusinessCaseFactory(applicant=officer, handle="SubmitWMP")
    approvals.business_case_submit(
        actor=officer.user, case_id=submitted.pk, policy_id=policy.pk, personal_use_read=True
    )
    signed_off = BusinessCaseFactory(applicant=officer, handle="SignedWMP")
    approvals.business_case_submit(
        actor=officer.user, case_id=signed_off.pk, policy_id=policy.pk, personal_use_read=True
    )
    for actor in (supervisor, press_officer):
        approvals.business_case_decide(
            actor=actor.user, case_id=signed_off.pk, outcome=Decision.Outcome.APPROVED
        )
    hacked = SocialAccountFactory(owner=officer, handle="HackedWMP")
    report, _ = incidents.incident_report(
        actor=officer.user,
        account_id=hacked.pk,
        what_happened="Posts I did not write.",
        noticed_at=timezone.now() - datetime.timedelta(hours=1),
        link_clicked="no",
        rogue_posts="",
    )
    successor = OfficerFactory(unit=team, supervisor=supervisor)
    moving = SocialAccountFactory(owner=officer, handle="MovingWMP")
    transition = handovers.transition_start(
        actor=officer.user,
        account_id=moving.pk,
        kind="handover",
        reason="Moving to Response",
        successor=successor,
        new_purpose="",
    )
    handovers.handover_respond(actor=successor.user, transition_id=transition.pk, accept=True)
    transition.refresh_from_db()  # now waiting for the supervisor
    submitted.refresh_from_db()
    recert = Recertification.objects.create(account=account, due_on=timezone.localdate())
    return {
        "officer": officer,
        "account": account,
        "draft": draft,
        "submitted": submitted,
        "signed_off": signed_off,
        "incident": report.incident,
        "transition": transition,
        "recert": recert,
        "policy": policy,
    }


def _write_urls(w) -> list[tuple[str, str, dict]]:
    """(method, url, data) of every write in the portal an auditor might try. GET for the pages
    that show a write form; POST for every write, with data the form would accept."""
    a, inc, t = w["account"].pk, w["incident"].pk, w["transition"].pk
    case_data = {
        "platform": "x",
        "kind": "individual",
        "handle": "AuditorCaseWMP",
        "display_name": "Auditor",
        "policing_purpose": "p",
        "audience": "a",
        "attracting_audience": "a",
        "benefits_force": "b",
        "benefits_public": "b",
        "expected_outcomes": "e",
        "communications_plan": "c",
        "hours_per_week": "2",
        "is_event_or_campaign": "no",
        "hashtag_alternative": "h",
    }
    report = {
        "platform": "x",
        "handle": "PriyaSharmaWMP",
        "what_happened": "I think it is hacked.",
        "noticed_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "link_clicked": "no",
        "rogue_posts": "",
    }
    today = timezone.localdate().isoformat()
    forms = [  # pages that show a form: GET and POST are both refused
        (reverse("approvals:create"), case_data),
        (reverse("approvals:edit", args=[w["draft"].pk]), case_data),
        (
            reverse("approvals:submit", args=[w["draft"].pk]),
            {"policy": w["policy"].pk, "read_policy": "on", "read_personal_use": "on"},
        ),
        (reverse("approvals:policy_publish"), {"title": "P", "version": "9", "text": "t"}),
        (reverse("approvals:delegations"), {"reason": "Leave"}),
        (reverse("accounts:register"), {"handle": "NewWMP", "reason": "r"}),
        (reverse("accounts:import", args=["register"]), {}),
        (reverse("accounts:import", args=["activity"]), {}),
        (reverse("custody:lodge", args=[a]), {"login": "l", "password": "p4ssw0rd-long"}),
        (reverse("custody:rotate", args=[a]), {"login": "l", "password": "p", "reason": "r"}),
        (reverse("custody:reveal", args=[a]), {"reason": "r"}),
        (reverse("custody:reauth"), {"password": "x"}),
        (reverse("incidents:report"), report),
        (reverse("incidents:report_account", args=[a]), report),
        (reverse("handovers:start", args=[a]), {"kind": "closure", "reason": "r"}),
        (reverse("handovers:leavers"), {"mark": "1"}),
        (
            reverse("reminders:leave"),
            {"officer": w["officer"].pk, "starts_on": today, "ends_on": today},
        ),
        (
            reverse("reminders:recertify", args=[w["recert"].pk]),
            {"still_needed": "yes", "statement": "Still used."},
        ),
        (reverse("people:roles"), {}),
    ]
    posts = [  # POST-only actions
        (reverse("approvals:withdraw", args=[w["draft"].pk]), {"reason": "r"}),
        (
            reverse("approvals:decide", args=[w["submitted"].pk]),
            {"outcome": "approved", "comment": "", "version": w["submitted"].version},
        ),
        (reverse("approvals:setup", args=[w["signed_off"].pk]), {"done": "1"}),
        (reverse("approvals:setup_confirm", args=[w["signed_off"].pk]), {}),
        (
            reverse("approvals:policy"),
            {"policy": w["policy"].pk, "read_policy": "on", "read_personal_use": "on"},
        ),
        (reverse("accounts:check_in", args=[a]), {"last_post_on": timezone.localdate()}),
        (reverse("incidents:step", args=[inc]), {"step": "password_changed", "version": "x"}),
        (reverse("incidents:note", args=[inc]), {"text": "A note."}),
        (reverse("incidents:lessons", args=[inc]), {"lessons": "L"}),
        (reverse("incidents:contain", args=[inc]), {}),
        (reverse("incidents:resolve", args=[inc]), {}),
        (reverse("handovers:respond", args=[t]), {"answer": "accept", "version": "x"}),
        (
            reverse("handovers:decide", args=[t]),
            {"outcome": "approved", "version": w["transition"].version},
        ),
        (reverse("handovers:complete", args=[t]), {"version": w["transition"].version}),
        (reverse("handovers:withdraw", args=[t]), {"reason": "r"}),
    ]
    return [("get", url, {}) for url, _ in forms] + [
        ("post", url, data) for url, data in forms + posts
    ]


WRITTEN = [
    "approvals.BusinessCase",
    "approvals.Decision",
    "approvals.PolicyVersion",
    "approvals.PolicyAcknowledgement",
    "approvals.SetupChecklist",
    "accounts.SocialAccount",
    "accounts.ActivityObservation",
    "accounts.ImportJob",
    "custody.Credential",
    "incidents.Incident",
    "incidents.Report",
    "incidents.IncidentStep",
    "incidents.TimelineEntry",
    "handovers.AccountTransition",
    "handovers.TransitionDecision",
    "people.Leave",
    "people.Delegation",
    "people.RoleGrantRequest",
    "notifications.Notification",
    "audit.AuditEvent",
]


def _counts() -> dict:
    return {label: apps.get_model(label).objects.count() for label in WRITTEN}


def _states(w) -> dict:
    w["account"].refresh_from_db()
    return {
        "cases": sorted(
            apps.get_model("approvals.BusinessCase").objects.values_list("pk", "state")
        ),
        "account": (w["account"].status, w["account"].last_post_at),
        "incident": apps.get_model("incidents.Incident").objects.get(pk=w["incident"].pk).state,
        "transition": apps.get_model("handovers.AccountTransition")
        .objects.get(pk=w["transition"].pk)
        .state,
        "recert": Recertification.objects.get(pk=w["recert"].pk).owner_confirmed_at,
    }


def test_the_auditor_is_refused_every_write_and_nothing_is_written(
    client, login, auditor, world, django_capture_on_commit_callbacks
):
    login(auditor)
    before, states = _counts(), _states(world)
    answers = {}
    with django_capture_on_commit_callbacks(execute=True):
        for method, url, data in _write_urls(world):
            answers[f"{method.upper()} {url}"] = getattr(client, method)(url, data).status_code
    assert {k: v for k, v in answers.items() if v != 403} == {}
    assert _counts() == before
    assert _states(world) == states
    assert verify_chain()[1] is None


def test_an_officer_is_still_let_in_to_the_same_forms(client, login, world):
    """The test above can fail: the Officer role opens the officer's own forms."""
    login(world["officer"])
    for name, args in [
        ("approvals:create", []),
        ("approvals:edit", [world["draft"].pk]),
        ("incidents:report", []),
        ("incidents:report_account", [world["account"].pk]),
        ("reminders:leave", []),
        ("handovers:start", [world["account"].pk]),
        ("custody:lodge", [world["account"].pk]),
        ("reminders:recertify", [world["recert"].pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 200, name


def _offered(html: str) -> set[str]:
    """Every address a page links to or posts to."""
    return set(re.findall(r'(?:href|action)="([^"?#]+)', html))


def test_no_page_offers_the_auditor_a_write(client, login, auditor, world):
    login(auditor)
    # The policy page is read by everyone; only its POST (accepting it) is a write.
    writes = {url for _method, url, _data in _write_urls(world)} - {reverse("approvals:policy")}
    pages = [
        reverse("home"),
        reverse("accounts:list"),
        reverse("accounts:detail", args=[world["account"].pk]),
        reverse("approvals:detail", args=[world["draft"].pk]),
        reverse("approvals:detail", args=[world["submitted"].pk]),
        reverse("approvals:detail", args=[world["signed_off"].pk]),
        reverse("approvals:policy"),
        reverse("incidents:list"),
        reverse("incidents:mine"),
        reverse("incidents:detail", args=[world["incident"].pk]),
        reverse("handovers:queues"),
        reverse("handovers:detail", args=[world["transition"].pk]),
        reverse("reports:index"),
        reverse("audit:trail"),
        reverse("me"),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert _offered(html) & writes == set(), page
        for words in ("Write a business case", "Report a hacked account", "Record activity"):
            assert words not in html, (page, words)
    menu = [item["label"] for item in client.get(reverse("home")).context["nav_items"]]
    assert "Audit trail" in menu and "Accounts" in menu
    assert not {"My cases", "Report a hack", "Leave", "Acting supervisors", "Roles"} & set(menu)
    mine = client.get(reverse("me")).content.decode()
    for words in ("Write a business case", "Report a hacked account", "Leave", "Acting"):
        assert words not in mine, words


def test_the_officer_is_offered_what_the_auditor_is_not(client, login, world):
    login(world["officer"])
    home = client.get(reverse("home")).content.decode()
    assert reverse("approvals:create") in _offered(home)
    page = client.get(reverse("accounts:detail", args=[world["account"].pk])).content.decode()
    assert {
        reverse("incidents:report_account", args=[world["account"].pk]),
        reverse("accounts:check_in", args=[world["account"].pk]),
        reverse("handovers:start", args=[world["account"].pk]),
    } <= _offered(page)
    menu = [item["label"] for item in client.get(reverse("home")).context["nav_items"]]
    assert {"My cases", "Your account"} <= set(menu)
    mine = client.get(reverse("me")).content.decode()
    assert {reverse("incidents:report"), reverse("reminders:leave")} <= _offered(mine)


# The rules themselves: an officer record without the Officer role writes nothing, even where
# the record makes the person an owner, a supervisor, an applicant or a successor.

WRITE_PERMS_ON = {
    "account": [
        "accounts.check_in_socialaccount",
        "custody.lodge_credential",
        "handovers.start_transition",
    ],
    "case": [
        "approvals.change_businesscase",
        "approvals.submit_businesscase",
        "approvals.withdraw_businesscase",
        "approvals.complete_setup",
    ],
    "team_case": ["approvals.decide_as_supervisor"],
    "offered": ["handovers.respond_as_successor"],
    "team_handover": ["handovers.decide_as_supervisor"],
    "incident": ["incidents.add_note", "incidents.record_step"],
    "recert": ["reminders.confirm_recert_as_owner"],
    "self": ["people.record_leave"],
    "member": ["people.record_leave"],
    "none": [
        "approvals.add_businesscase",
        "approvals.acknowledge_policy",
        "incidents.report_incident",
        "people.use_leave_page",
    ],
}


@pytest.mark.parametrize("roles", [[Role.AUDITOR], [Role.ADMINISTRATOR], [Role.SUPERVISOR], []])
@pytest.mark.parametrize("with_officer_role", [False, True])
def test_an_officer_record_writes_only_with_the_officer_role(roles, with_officer_role, team):
    person = OfficerFactory(unit=team, roles=[*roles, Role.OFFICER] if with_officer_role else roles)
    member = OfficerFactory(unit=team, supervisor=person)
    account = SocialAccountFactory(owner=person)
    policy = PolicyVersionFactory()
    case = BusinessCaseFactory(applicant=person)
    team_case = BusinessCaseFactory(applicant=member)
    approvals.business_case_submit(
        actor=member.user, case_id=team_case.pk, policy_id=policy.pk, personal_use_read=True
    )
    member_account = SocialAccountFactory(owner=member)
    offered = handovers.transition_start(
        actor=member.user,
        account_id=member_account.pk,
        kind="handover",
        reason="Moving",
        successor=person,
        new_purpose="",
    )
    other = OfficerFactory(unit=team, supervisor=person)
    team_handover = handovers.transition_start(
        actor=member.user,
        account_id=SocialAccountFactory(owner=member).pk,
        kind="handover",
        reason="Moving",
        successor=other,
        new_purpose="",
    )
    handovers.handover_respond(actor=other.user, transition_id=team_handover.pk, accept=True)
    team_handover.refresh_from_db()  # waiting for the owner's supervisor: the person
    incident, _ = incidents.incident_report(
        actor=member.user,
        account_id=SocialAccountFactory(owner=person).pk,
        what_happened="Hacked.",
        noticed_at=timezone.now(),
        link_clicked="no",
        rogue_posts="",
    )
    objects = {
        "account": account,
        "case": case,
        "team_case": team_case,
        "offered": offered,
        "team_handover": team_handover,
        "incident": incident.incident,
        "recert": Recertification.objects.create(account=account, due_on=timezone.localdate()),
        "self": person,
        "member": member,
        "none": None,
    }
    for key, perms in WRITE_PERMS_ON.items():
        for perm in perms:
            allowed = person.user.has_perm(perm, objects[key])
            assert allowed == with_officer_role, (perm, key)


def test_a_delegation_is_ended_only_by_an_officer_who_gave_it(supervisor, auditor):
    delegation = DelegationFactory(supervisor=supervisor)
    assert supervisor.user.has_perm("people.revoke_delegation", delegation)
    supervisor.user.groups.remove(*supervisor.user.groups.filter(name=Role.OFFICER))
    supervisor.user.__dict__.pop("_portal_roles", None)
    assert not supervisor.user.has_perm("people.revoke_delegation", delegation)
    assert not auditor.user.has_perm("people.revoke_delegation", delegation)


def test_only_a_serving_officer_or_the_press_office_reports_a_hack(
    officer, press_officer, auditor, administrator
):
    press_only = OfficerFactory(roles=[Role.PRESS_OFFICE])
    assert officer.user.has_perm("incidents.report_incident")
    assert press_officer.user.has_perm("incidents.report_incident")
    assert press_only.user.has_perm("incidents.report_incident")
    assert not auditor.user.has_perm("incidents.report_incident")
    assert not administrator.user.has_perm("incidents.report_incident")
    assert AuditEvent.objects.count() == 0


@pytest.fixture
def administrator(db):
    return OfficerFactory(rank="staff", roles=[Role.ADMINISTRATOR])
