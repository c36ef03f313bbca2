"""The business-case workflow as a hypothesis state machine (issue 12, part 3).

Random people from a small cast try every action of approvals.services (and the lodging of login
details the set-up needs) on random cases, in random order. A refusal (PermissionDenied or a
DomainError) is an answer; any other exception fails. After every step:
- no step is skipped: a case's state moves only along a transition the model declares, and only
  the transition the action names (a decision never registers a case);
- a refused action writes nothing (no audit row, no decision, no state change);
- no self-approval: the applicant never decides their own case, and of one submission's two
  decisions no person makes both;
- no two decisions at one stage of one submission;
- exactly one audit event per transition, naming it and its (from, to) states;
- whoever succeeded is someone the rules say may (the other team's supervisor and the auditor
  never change anything; only the applicant edits, submits, withdraws and ticks the checklist);
- the audit chain verifies.

Each example runs inside its own savepoint, rolled back at teardown, so examples never leak into
one another.
"""

from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from approvals import services
from approvals.models import CASE_FIELDS, BusinessCase, CaseState, Decision, SetupChecklist
from audit.models import AuditEvent
from audit.selectors import verify_chain
from core.errors import DomainError
from custody.models import Credential
from custody.services import credential_lodge
from people.roles import Role
from tests.factories import (
    BusinessCaseFactory,
    DelegationFactory,
    OfficerFactory,
    PolicyVersionFactory,
    UnitFactory,
)
from tests.state_machines import SavepointMachine

# Every transition the model declares, by (from, to); each pair names exactly one transition.
FSM = {}
for _t in BusinessCase._meta.get_field("state").get_all_transitions(BusinessCase):
    assert (_t.source, _t.target) not in FSM, "two transitions share (from, to)"
    FSM[(_t.source, _t.target)] = _t.name

# The audit action each transition writes.
TRANSITION_ACTIONS = {
    "submit": "business_case.submitted",
    "withdraw": "business_case.withdrawn",
    "register": "business_case.registered",
    **{
        name: f"business_case.{stage}_{outcome}"
        for (stage, outcome), name in services.DECISION_TRANSITIONS.items()
    },
}
assert set(TRANSITION_ACTIONS) == set(FSM.values())

CAST = [
    "applicant",  # an officer; line supervisor "supervisor"
    "press_applicant",  # an officer in the press office, also supervised by "supervisor"
    "supervisor",
    "other_supervisor",  # another team's
    "acting",  # acting for "supervisor" by a delegation in force
    "supervisor_press",  # supervisor and press office, also acting for "supervisor"
    "press",
    "auditor",
]
REASONS: Counter = Counter()
SEEN: Counter = Counter()  # what the runs reached, printed at the end (pytest -s)
HANDLES = ["AlphaWMP", "alphawmp", "BravoWMP", "CharlieWMP"]


def _case_data(handle: str) -> dict:
    data = {
        "platform": "x",
        "kind": "individual",
        "handle": handle,
        "display_name": f"Team {handle}",
        "hours_per_week": 3,
        "is_event_or_campaign": False,
        "hashtag_alternative": "",
    }
    for name in CASE_FIELDS:
        data.setdefault(name, "Serve the ward: tell residents what the team is doing.")
    return data


class CaseWorkflow(SavepointMachine):
    cases = Bundle("cases")

    def __init__(self):
        super().__init__()
        team = UnitFactory()
        supervisor = OfficerFactory(
            unit=team, rank="sergeant", roles=[Role.OFFICER, Role.SUPERVISOR]
        )
        acting = OfficerFactory(rank="sergeant", roles=[Role.OFFICER, Role.SUPERVISOR])
        both = OfficerFactory(
            rank="sergeant", roles=[Role.OFFICER, Role.SUPERVISOR, Role.PRESS_OFFICE]
        )
        DelegationFactory(supervisor=supervisor, acting=acting)
        DelegationFactory(supervisor=supervisor, acting=both)
        people = {
            "applicant": OfficerFactory(unit=team, supervisor=supervisor),
            "press_applicant": OfficerFactory(
                unit=team, supervisor=supervisor, roles=[Role.OFFICER, Role.PRESS_OFFICE]
            ),
            "supervisor": supervisor,
            "other_supervisor": OfficerFactory(
                rank="sergeant", roles=[Role.OFFICER, Role.SUPERVISOR]
            ),
            "acting": acting,
            "supervisor_press": both,
            "press": OfficerFactory(rank="staff", roles=[Role.OFFICER, Role.PRESS_OFFICE]),
            "auditor": OfficerFactory(rank="staff", roles=[Role.AUDITOR]),
        }
        self.users = {name: officer.user for name, officer in people.items()}
        self.name_of = {user.pk: name for name, user in self.users.items()}
        self.policy = PolicyVersionFactory()
        self.steering = False
        self.states: dict[int, str] = {}  # the state each case was left in by the last step
        self.last_sequence = self._max_sequence()

    # -- the step every rule takes -------------------------------------------------------------

    def _attempt(self, action: str, actor: str, case_id: int | None, call, allowed: set[str]):
        """Run `call()` as one step: a refusal changes nothing; a success is by someone in
        `allowed`, and moves `case_id` along at most one declared transition of `action`."""
        decisions_before = Decision.objects.count()
        try:
            result = call()
        except (PermissionDenied, DomainError) as exc:
            REASONS[f"{action}: {str(exc)[:60]}"] += 1
            result = None
            refused = True
            SEEN[f"{action} refused"] += 1
        else:
            refused = False
        new_events = list(
            AuditEvent.objects.filter(sequence__gt=self.last_sequence).order_by("sequence")
        )
        self.last_sequence = self._max_sequence()
        now = dict(BusinessCase.objects.filter(pk__in=self.states).values_list("pk", "state"))
        moved = {pk: (self.states[pk], now[pk]) for pk in self.states if now[pk] != self.states[pk]}
        if refused:
            assert not new_events, f"{action} by {actor} was refused but wrote {new_events}"
            assert not moved, f"{action} by {actor} was refused but moved {moved}"
            assert Decision.objects.count() == decisions_before
            return None
        assert actor in allowed, f"{action} by {actor} succeeded; only {allowed} may"
        assert set(moved) <= {case_id}, f"{action} on case {case_id} moved others: {moved}"
        transition_events = [e for e in new_events if e.action in TRANSITION_ACTIONS.values()]
        if moved:
            before, after = moved[case_id]
            name = FSM.get((before, after))
            assert name is not None, f"{action}: {before} -> {after} is no declared transition"
            assert name in ACTION_TRANSITIONS[action], f"{action} fired {name}"
            assert [(e.action, e.object_id) for e in transition_events] == [
                (TRANSITION_ACTIONS[name], str(case_id))
            ], f"{name} wrote {[e.action for e in transition_events]}"
            assert transition_events[0].changes["state"] == [before, after]
            assert transition_events[0].actor_id == self.users[actor].pk
            self.states[case_id] = after
            SEEN[f"transition {name}"] += 1
        else:
            assert not transition_events, f"{action} moved nothing but wrote {transition_events}"
        return result

    # -- the rules --------------------------------------------------------------------------------

    @initialize(target=cases)
    def first_cases(self):
        """A draft for each applicant: one a plain officer, one in the press office (who must
        never sign off their own case)."""
        made = []
        for name, handle in (("applicant", "AlphaWMP"), ("press_applicant", "BravoWMP")):
            case = BusinessCaseFactory(applicant=self.users[name].officer, handle=handle)
            self.states[case.pk] = case.state
            made.append(case.pk)
        return multiple(*made)

    @rule(target=cases, data=st.data(), handle=st.sampled_from(HANDLES))
    def create(self, data, handle):
        allowed = set(CAST) - {"auditor"}
        actor = self._actor(data, {"applicant", "press_applicant"})
        case = self._attempt(
            "create",
            actor,
            None,
            lambda: services.business_case_create(actor=self.users[actor], data=_case_data(handle)),
            allowed=allowed,
        )
        if case is None:
            return multiple()
        assert case.state == CaseState.DRAFT
        self.states[case.pk] = case.state
        return case.pk

    def _actor(self, data, likely: set[str]) -> str:
        """Anyone in the cast, or (three times as often) one of those `likely` to be allowed, so
        that runs reach the later states as well as the refusals; only those when `advance`
        steers."""
        likely_ones = st.sampled_from(sorted(likely) or CAST)
        if self.steering:
            return data.draw(likely_ones)
        return data.draw(st.one_of(st.sampled_from(CAST), likely_ones, likely_ones, likely_ones))

    @rule(data=st.data(), case_id=cases)
    def advance(self, data, case_id):
        """The case's next step on the way to registration, by someone likely to be allowed (the
        other rules try everything else): without it few runs would get past the supervisor."""
        case = BusinessCase.objects.get(pk=case_id)
        self.steering = True
        try:
            if case.state in (CaseState.DRAFT, CaseState.RETURNED):
                self.submit(data, case_id, True)
            elif case.decision_stage is not None:
                outcome = data.draw(
                    st.sampled_from(["approved", "approved", "returned", "rejected"])
                )
                self.decide(data, case_id, outcome, "Say more about the audience.", "current")
            elif case.state == CaseState.SIGNED_OFF:
                checklist = SetupChecklist.objects.get(case=case)
                if checklist.completed_at is None:
                    self.checklist(data, case_id, True, True)
                elif not Credential.objects.filter(account_id=case.account_id).exists():
                    self.lodge(data, case_id)
                else:
                    self.confirm(data, case_id)
        finally:
            self.steering = False

    def _applicant(self, case_id: int) -> str:
        return self.name_of[BusinessCase.objects.get(pk=case_id).applicant.user_id]

    @rule(data=st.data(), case_id=cases, handle=st.sampled_from(HANDLES), words=st.text())
    def update(self, data, case_id, handle, words):
        allowed = {self._applicant(case_id)}
        actor = self._actor(data, allowed)
        self._attempt(
            "update",
            actor,
            case_id,
            lambda: services.business_case_update(
                actor=self.users[actor],
                case_id=case_id,
                data={"handle": handle, "audience": words or "Residents."},
            ),
            allowed=allowed,
        )

    @rule(data=st.data(), case_id=cases, personal_use_read=st.booleans())
    def submit(self, data, case_id, personal_use_read):
        allowed = {self._applicant(case_id)}
        actor = self._actor(data, allowed)
        self._attempt(
            "submit",
            actor,
            case_id,
            lambda: services.business_case_submit(
                actor=self.users[actor],
                case_id=case_id,
                policy_id=self.policy.pk,
                personal_use_read=personal_use_read,
            ),
            allowed=allowed,
        )

    @rule(data=st.data(), case_id=cases)
    def withdraw(self, data, case_id):
        allowed = {self._applicant(case_id)}
        actor = self._actor(data, allowed)
        self._attempt(
            "withdraw",
            actor,
            case_id,
            lambda: services.business_case_withdraw(
                actor=self.users[actor], case_id=case_id, reason="No longer needed."
            ),
            allowed=allowed,
        )

    @rule(
        data=st.data(),
        case_id=cases,
        outcome=st.sampled_from(["approved", *Decision.Outcome.values]),
        comment=st.sampled_from(["", "  ", "Say more about the audience.", "Fine."]),
        version=st.sampled_from(["none", "current", "stale"]),
    )
    def decide(self, data, case_id, outcome, comment, version):
        case = BusinessCase.objects.get(pk=case_id)
        expected = {"none": None, "current": case.version, "stale": "0-draft"}[version]
        applicant = self._applicant(case_id)
        if case.decision_stage == Decision.Stage.SUPERVISOR:
            allowed = {"supervisor", "acting", "supervisor_press"} - {applicant}
        elif case.decision_stage == Decision.Stage.PRESS_OFFICE:
            allowed = {"press", "press_applicant", "supervisor_press"} - {applicant}
        else:
            allowed = set()
        actor = self._actor(data, allowed)
        self._attempt(
            "decide",
            actor,
            case_id,
            lambda: services.business_case_decide(
                actor=self.users[actor],
                case_id=case_id,
                outcome=outcome,
                comment=comment,
                expected_version=expected,
            ),
            allowed=allowed,
        )

    @rule(data=st.data(), case_id=cases, everything=st.booleans(), done=st.booleans())
    def checklist(self, data, case_id, everything, done):
        names = [name for name, _label in SetupChecklist.ITEMS]
        ticked = set(names) if everything else set(names[:-1])
        allowed = {self._applicant(case_id)}
        actor = self._actor(data, allowed)
        self._attempt(
            "checklist",
            actor,
            case_id,
            lambda: services.setup_checklist_update(
                actor=self.users[actor], case_id=case_id, ticked=ticked, done=done
            ),
            allowed=allowed,
        )

    @rule(data=st.data(), case_id=cases)
    def lodge(self, data, case_id):
        case = BusinessCase.objects.select_related("account").get(pk=case_id)
        if case.account is None:
            return
        allowed = {self._applicant(case_id), "press", "press_applicant", "supervisor_press"}
        actor = self._actor(data, allowed)
        self._attempt(
            "lodge",
            actor,
            case_id,
            lambda: credential_lodge(
                actor=self.users[actor],
                account=case.account,
                login=f"{case.handle.lower()}@police.example",
                password="Plaintext-Secret-x7!",
            ),
            allowed=allowed,
        )

    @rule(data=st.data(), case_id=cases)
    def confirm(self, data, case_id):
        allowed = {"press", "press_applicant", "supervisor_press"} - {self._applicant(case_id)}
        actor = self._actor(data, allowed)
        self._attempt(
            "confirm",
            actor,
            case_id,
            lambda: services.setup_confirm(actor=self.users[actor], case_id=case_id),
            allowed=allowed,
        )

    # -- what holds after every step --------------------------------------------------------------

    @invariant()
    def states_match_the_steps(self):
        now = dict(BusinessCase.objects.filter(pk__in=self.states).values_list("pk", "state"))
        assert now == self.states

    @invariant()
    def nobody_decides_their_own_case(self):
        own = Decision.objects.filter(case__applicant__user=F("decided_by"))
        assert not own.exists(), list(own.values("case", "stage", "decided_by"))

    @invariant()
    def one_decision_per_stage_per_submission(self):
        doubled = (
            Decision.objects.values("case", "submission", "stage")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
        )
        assert not doubled.exists(), list(doubled)

    @invariant()
    def two_people_make_a_submissions_two_decisions(self):
        deciders: dict[tuple[int, int], list[int]] = {}
        for case, submission, by in Decision.objects.values_list(
            "case", "submission", "decided_by"
        ):
            deciders.setdefault((case, submission), []).append(by)
        for key, people in deciders.items():
            assert len(set(people)) == len(people), f"one person made both decisions: {key}"

    @invariant()
    def audit_chain_verifies(self):
        _checked, broken, why = verify_chain()
        assert broken is None, why


# The transitions each action may fire (none for the rest).
ACTION_TRANSITIONS = {
    "submit": {"submit"},
    "withdraw": {"withdraw"},
    "decide": set(services.DECISION_TRANSITIONS.values()),
    "confirm": {"register"},
}
for _action in ("create", "update", "checklist", "lodge"):
    ACTION_TRANSITIONS[_action] = set()


@pytest.mark.django_db
def test_business_case_workflow_state_machine():
    run_state_machine_as_test(
        CaseWorkflow,
        settings=settings(
            max_examples=30,
            stateful_step_count=20,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
    print(sorted(SEEN.items()))
    print(REASONS.most_common(25))


@pytest.mark.django_db
def test_a_returned_case_changed_to_a_handle_another_open_case_holds_is_refused(
    officer, supervisor
):
    """Found while building the machine above: the form checks the handle, but the service let
    the database's unique constraint escape as an IntegrityError (a server error) when a returned
    case took the handle of another open case, e.g. one submitted after the form was checked."""
    policy = PolicyVersionFactory()
    first = BusinessCaseFactory(applicant=officer, handle="AlphaWMP")
    second = BusinessCaseFactory(applicant=officer, handle="BravoWMP")
    for case in (first, second):
        services.business_case_submit(
            actor=officer.user, case_id=case.pk, policy_id=policy.pk, personal_use_read=True
        )
    services.business_case_decide(
        actor=supervisor.user, case_id=second.pk, outcome="returned", comment="Say more."
    )
    events = AuditEvent.objects.count()
    with pytest.raises(DomainError, match="already proposed by another open case"):
        services.business_case_update(
            actor=officer.user, case_id=second.pk, data={"handle": "alphawmp"}
        )
    second.refresh_from_db()
    assert second.handle == "BravoWMP"
    assert AuditEvent.objects.count() == events
