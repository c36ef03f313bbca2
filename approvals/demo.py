"""Demo business cases for `manage.py seed_demo`: a published policy and a few cases in different
states, made through the services so they carry their audit rows. Runs once: when the demo
officer already has a case, it changes nothing."""

from approvals import services
from approvals.models import BusinessCase, PolicyVersion
from approvals.selectors import handle_suggestions_for

POLICY_TEXT = (
    "Every message must serve a policing purpose. Do not post anything you would not say to the"
    " public or would not want to see printed in the media. Crime cannot be reported through"
    " social media: point people to 101, or 999 in an emergency. Lodge your login details with"
    " the press office. On personal accounts, do not say you work for the force and check your"
    " security settings."
)


def _case(applicant, handle, display_name, kind="individual"):
    return {
        "platform": "x",
        "kind": kind,
        "handle": handle,
        "display_name": display_name,
        "policing_purpose": "Raise trust and confidence in the neighbourhood and tell residents"
        " what the team is doing about the priorities they set at ward meetings.",
        "audience": "Residents, local businesses and community groups in the ward.",
        "attracting_audience": "Follow residents' groups and schools; cards at ward meetings;"
        " promotion by the LPU account.",
        "benefits_force": "A direct line to the community and early information about local"
        " problems.",
        "benefits_public": "Hear about operations and results in their street, and ask questions.",
        "expected_outcomes": "More information about anti-social behaviour; better attended"
        " ward meetings.",
        "communications_plan": "Three posts a week, answers within a shift; a colleague covers"
        " leave.",
        "hours_per_week": 3,
        "is_event_or_campaign": False,
        "hashtag_alternative": "The account is for continuing neighbourhood engagement, not a"
        " single event or campaign.",
    }


def seed_demo_cases(*, officer, supervisor, admin, colleague) -> int:
    """Returns how many records it created (0 when the demo already has its cases)."""
    created = 0
    policy = PolicyVersion.objects.filter(version="1.0").first()
    if policy is None:
        policy = services.policy_publish(
            actor=admin.user, title="Social media policy", version="1.0", text=POLICY_TEXT
        )
        created += 1
    if BusinessCase.objects.filter(applicant=officer).exists():
        return created

    # The demo officer: one case with the supervisor, one draft for the team.
    waiting = services.business_case_create(
        actor=officer.user, data=_case(officer, "PriyaSharmaWMP", "PC Priya Sharma")
    )
    services.business_case_submit(
        actor=officer.user, case_id=waiting.pk, policy_id=policy.pk, personal_use_read=True
    )
    services.business_case_create(
        actor=officer.user,
        data=_case(officer, "StechfordNPT_WMP", "Stechford Police", kind="team"),
    )
    created += 2
    # A colleague's case the supervisor approved: it waits for the press office.
    if colleague is not None and not BusinessCase.objects.filter(applicant=colleague).exists():
        handle = handle_suggestions_for(colleague, "x")[0]
        case = services.business_case_create(
            actor=colleague.user,
            data=_case(colleague, handle, f"PC {colleague.first_name} {colleague.surname}"),
        )
        services.business_case_submit(
            actor=colleague.user, case_id=case.pk, policy_id=policy.pk, personal_use_read=True
        )
        services.business_case_decide(
            actor=supervisor.user,
            case_id=case.pk,
            outcome="approved",
            comment="Good plan; the ward panel asked for it.",
        )
        created += 1
    return created
