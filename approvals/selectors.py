"""Reads of cases, filtered by who may see them, with what their pages need loaded."""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower

from accounts.handles import suggest_handles
from accounts.models import SocialAccount
from approvals.models import (
    OPEN_STATES,
    BusinessCase,
    CaseState,
    Decision,
    PolicyAcknowledgement,
    PolicyVersion,
    Stage,
)
from people.models import Delegation, Officer
from people.predicates import officer_of, sees_everything
from people.selectors import supervised_officer_ids


def _cases() -> QuerySet:
    return BusinessCase.objects.select_related(
        "applicant", "applicant__user", "applicant__supervisor", "unit", "account"
    )


def cases_visible_to(user) -> QuerySet:
    """The applicant's own cases, their team's for a supervisor (or acting one), every case for
    the press office, auditors and administrators."""
    qs = _cases()
    if sees_everything(user):
        return qs
    me = officer_of(user)
    if me is None:
        return qs.none()
    return qs.filter(Q(applicant=me) | Q(applicant_id__in=supervised_officer_ids(user)))


def my_cases(user) -> QuerySet:
    me = officer_of(user)
    if me is None:
        return BusinessCase.objects.none()
    return _cases().filter(applicant=me).order_by("-updated_at", "-pk")


def cases_waiting_for_supervisor(user) -> QuerySet:
    """Submitted cases of the officers `user` supervises or acts for, oldest first."""
    if officer_of(user) is None:
        return BusinessCase.objects.none()
    # The team's ids as values (with a subquery PostgreSQL walks every submitted case in the
    # force, oldest first).
    team = supervised_officer_ids(user)
    return (
        _cases()
        .waiting(Stage.SUPERVISOR)
        .filter(applicant_id__in=team)
        .exclude(applicant__user=user)
        .order_by("state_changed_at", "pk")
    )


def cases_waiting_for_press_office() -> QuerySet:
    """Cases the supervisor approved, and signed-off cases whose set-up checklist the officer has
    completed: both wait on the press office. Oldest first."""
    return _cases().waiting(Stage.PRESS_OFFICE).order_by("state_changed_at", "pk")


def decisions_for(case):
    return case.decisions.select_related("decided_by", "acting_for")


def handles_taken(handles, platform: str, exclude_case=None) -> set[str]:
    """Which of `handles` the register or another open case holds (lower-cased, any case)."""
    lowered = {h.lower() for h in handles if h}
    if not lowered:
        return set()
    in_register = (
        SocialAccount.objects.annotate(h=Lower("handle"))
        .filter(platform=platform, h__in=lowered)
        .values_list("h", flat=True)
    )
    open_cases = BusinessCase.objects.annotate(h=Lower("handle")).filter(
        platform=platform, h__in=lowered, state__in=OPEN_STATES
    )
    if exclude_case is not None and exclude_case.pk:
        open_cases = open_cases.exclude(pk=exclude_case.pk)
    return set(in_register) | set(open_cases.values_list("h", flat=True))


def handle_is_taken(handle: str, platform: str, exclude_case=None) -> bool:
    return bool(handles_taken([handle], platform, exclude_case))


def handle_suggestions_for(officer: Officer, platform: str, exclude_case=None) -> list[str]:
    """Valid, free handles for this officer, in the order the guidance prefers."""
    candidates = suggest_handles(officer.first_name, officer.surname, platform=platform, limit=20)
    taken = handles_taken(candidates, platform, exclude_case)
    return suggest_handles(
        officer.first_name, officer.surname, platform=platform, taken=taken, limit=4
    )


def current_policy():
    return PolicyVersion.current()


def acknowledgement_of(officer: Officer, policy):
    """The officer's record of having read `policy` and the personal-use guidance, or None."""
    if officer is None or policy is None:
        return None
    return PolicyAcknowledgement.objects.filter(
        officer=officer, policy=policy, personal_use_read=True
    ).first()


def last_return(case):
    """The decision that returned `case` for changes, while it waits for them; else None."""
    if case.state != CaseState.RETURNED:
        return None
    return (
        Decision.objects.filter(case=case, outcome=Decision.Outcome.RETURNED)
        .order_by("-decided_at", "-pk")
        .first()
    )


def policy_to_accept(officer: Officer):
    """The version in force today when `officer` owns a live account and has not accepted that
    version yet, else None: one query."""
    if officer is None:
        return None
    policy = (
        PolicyVersion.in_force()
        .annotate(
            accepted=Exists(
                PolicyAcknowledgement.objects.filter(officer=officer, policy=OuterRef("pk"))
            ),
            owns=Exists(
                SocialAccount.objects.filter(owner=officer).exclude(
                    status=SocialAccount.Status.CLOSED
                )
            ),
        )
        .first()
    )
    return policy if policy is not None and policy.owns and not policy.accepted else None


def has_acknowledged(officer: Officer, policy) -> bool:
    if officer is None or policy is None:
        return False
    return PolicyAcknowledgement.objects.filter(officer=officer, policy=policy).exists()


def account_owners() -> QuerySet:
    """Officers who own an account that is not closed."""
    return (
        Officer.objects.filter(
            social_accounts__status__in=[
                s for s in SocialAccount.Status.values if s != SocialAccount.Status.CLOSED
            ]
        )
        .distinct()
        .select_related("user", "unit")
    )


def owners_yet_to_acknowledge(policy) -> QuerySet:
    """Account owners who have not accepted `policy`."""
    if policy is None:
        return Officer.objects.none()
    return (
        account_owners()
        .exclude(policy_acknowledgements__policy=policy)
        .order_by("surname", "first_name")
    )


def delegations_given_by(user) -> QuerySet:
    me = officer_of(user)
    if me is None:
        return Delegation.objects.none()
    return Delegation.objects.filter(supervisor=me).select_related("acting", "acting__user")


def delegations_held_by(user) -> QuerySet:
    me = officer_of(user)
    if me is None:
        return Delegation.objects.none()
    return Delegation.objects.filter(acting=me).select_related("supervisor")
