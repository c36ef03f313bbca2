"""The subject access export (privacy/selectors.subject_data, privacy/views.subject_access):
everything held about one officer as one JSON file, for administrators only, never a secret,
never another officer's records, and itself audited."""

import json

import pytest
from allauth.mfa.models import Authenticator

from approvals.models import Decision
from audit.models import AuditEvent
from audit.services import audit_record
from notifications.models import Notification
from people.roles import Role
from tests.factories import (
    AccountTransitionFactory,
    BusinessCaseFactory,
    CredentialFactory,
    IncidentReportFactory,
    OfficerFactory,
    SocialAccountFactory,
)

pytestmark = pytest.mark.django_db
URL = "/privacy/subject-access/"
TOTP_SECRET = "JBSWY3DPEHPK3PXPTOTPSECRET"


def _records(officer, marker, supervisor):
    case = BusinessCaseFactory(applicant=officer, policing_purpose=f"{marker} purpose")
    Decision.objects.create(
        case=case,
        submission=1,
        stage="supervisor",
        outcome="returned",
        comment=f"{marker} decision comment",
        decided_by=supervisor.user,
        decided_by_label=str(supervisor),
    )
    account = SocialAccountFactory(owner=officer, handle=f"{marker}WMP")
    credential = CredentialFactory(account=account, password=f"{marker}-Plaintext-Pw-1!")
    Notification.objects.create(
        recipient=officer.user, email=officer.user.email, subject=f"{marker} note", body="b"
    )
    IncidentReportFactory(
        incident__account=SocialAccountFactory(owner=officer),
        what_happened=f"{marker} hack report",
    )
    AccountTransitionFactory(account=account, reason=f"{marker} handover reason")
    audit_record(
        actor=None,
        action="sign_in.failed",
        obj=officer.user,
        changes={"address": "198.51.100.7", "user_agent": f"{marker} browser"},
    )
    audit_record(actor=officer.user, action="business_case.submitted", obj=case)
    return credential


@pytest.fixture
def people(officer, supervisor, other_officer, other_supervisor):
    admin = OfficerFactory(rank="staff", roles=[Role.ADMINISTRATOR])
    credential = _records(officer, "ALPHAMARK", supervisor)
    _records(other_officer, "BRAVOMARK", other_supervisor)
    Authenticator.objects.create(
        user=officer.user, type=Authenticator.Type.TOTP, data={"secret": TOTP_SECRET}
    )
    return {"admin": admin, "officer": officer, "credential": credential, "other": other_officer}


def test_the_export_holds_the_officers_data_and_no_one_elses_and_no_secret(people, login):
    officer = people["officer"]
    response = login(people["admin"]).post(URL, {"staff_number": officer.staff_number})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert officer.surname not in response["Content-Disposition"]
    text = response.content.decode()
    data = json.loads(text)
    assert data["officer"]["staff_number"] == officer.staff_number
    assert data["login"]["username"] == officer.user.username
    for marker_text in (
        "ALPHAMARK purpose",
        "ALPHAMARK decision comment",
        "ALPHAMARKWMP",
        "ALPHAMARK note",
        "ALPHAMARK hack report",
        "ALPHAMARK handover reason",
        "ALPHAMARK browser",
    ):
        assert marker_text in text, marker_text
    assert [c["decisions"][0]["comment"] for c in data["business_cases"]] == [
        "ALPHAMARK decision comment"
    ]
    assert data["sign_in_events"][0]["action"] == "sign_in.failed"
    assert [t["officer"]["id"] for t in data["training"]] == [officer.pk]  # the factory's
    assert {e["action"] for e in data["audit_events"]} >= {"business_case.submitted"}
    # Credentials stay in custody: the export says they exist, never what they are.
    owned = next(a for a in data["accounts"] if a["handle"] == "ALPHAMARKWMP")
    assert owned["login_details"]["held_in_custody"] is True
    assert data["login"]["second_factors"][0]["secret"] == "held, not included"
    credential = people["credential"]
    for secret in (
        "ALPHAMARK-Plaintext-Pw-1!",
        TOTP_SECRET,
        officer.user.password,  # the password hash
        credential.ciphertext.hex(),
        "ciphertext",
        "nonce",
    ):
        assert secret not in text, secret
    # Another officer's records, however they are linked, are not there.
    assert "BRAVOMARK" not in text
    assert people["other"].staff_number not in text


def test_the_export_is_audited_with_who_whom_and_counts_only(people, login):
    admin, officer = people["admin"], people["officer"]
    login(admin).post(URL, {"staff_number": officer.staff_number})

    event = AuditEvent.objects.get(action="subject_access.exported")
    assert event.actor_id == admin.user_id
    assert (event.object_type, event.object_id) == ("people.officer", str(officer.pk))
    assert event.changes["records"]["business_cases"] == 1
    assert event.changes["records"]["notifications"] == 1
    assert "ALPHAMARK" not in json.dumps(event.changes)


def test_an_unknown_staff_number_is_a_message_and_no_export(people, login):
    response = login(people["admin"]).post(URL, {"staff_number": "NOSUCH1"})
    assert response.status_code == 400
    assert "No officer has that staff or collar number." in response.content.decode()
    assert not AuditEvent.objects.filter(action="subject_access.exported").exists()


@pytest.mark.parametrize("who", ["officer", "supervisor", "press_officer", "auditor"])
def test_no_one_but_an_administrator_may_export_even_their_own(who, people, login, request, client):
    person = request.getfixturevalue(who)
    me = login(person)
    officer = people["officer"]
    assert me.get(URL).status_code == 403
    response = me.post(URL, {"staff_number": officer.staff_number})
    assert response.status_code == 403
    assert "ALPHAMARK" not in response.content.decode()
    assert me.get("/privacy/retention/").status_code == 403
    assert not AuditEvent.objects.filter(action="subject_access.exported").exists()


def test_signed_out_is_sent_to_sign_in(client, people):
    response = client.post(URL, {"staff_number": people["officer"].staff_number})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_administrators_see_the_retention_table(people, login, settings):
    response = login(people["admin"]).get("/privacy/retention/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f"{settings.RETENTION_DAYS['sign_in_events']} days" in body
    assert "Limitation Act 1980" in body
