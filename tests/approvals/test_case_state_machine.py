"""The business-case workflow as a hypothesis state machine (issue 12, part 3).

A cast of eight (four of them applicants: a plain officer, a press officer, an acting sergeant
acting for their own sergeant by delegation, and a sergeant who is press office and acts for the
same sergeant) writes, submits, withdraws, decides, completes the set-up checklist, lodges login
details and confirms the set-up of business cases through approvals.services, in random order.
A refusal (PermissionDenied or a DomainError) is an answer; any other exception fails.

Who may do what and which step leads where are written down here from the guidance, not read
from the code (`MOVES`, `Workflow.may`); a plain test checks that the model declares the same
steps. After every action:
- no step is skipped: a case moves only along a step of `MOVES` for that action, from its state;
  a press-office decision only follows the supervisor's approval of the same submission; a
  registered case had its checklist completed, login details lodged and confirmed;
- a refused action writes nothing (no audit row, no decision, no state change);
- whoever succeeded may by the rules; never the applicant deciding their own case, never one
  person making both decisions of a submission;
- no two decisions at one stage of one submission;
- exactly one audit event per state change, naming it, its (from, to) and the person who acted;
- the audit chain verifies.

Every applicant meets every decision stage: `everyone_decides` takes an applicant and a stage,
finds (or walks, through the services) a case of theirs waiting there, and has every member of
the cast try to decide it, each try undone (a savepoint): exactly those the rules allow succeed.
Then one of them decides it for real, and everyone tries again with the form they had open or
none: nobody decides the same stage twice. (Hypothesis switches rules off at random for a whole
example, "swarm testing"; the few rules here each do much, so every example covers the cells.)

Each example runs inside its own savepoint, rolled back at teardown.
"""

from dataclasses import dataclass, field

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, rule

from approvals import services
from approvals.models import CASE_FIELDS, BusinessCase, CaseState, Decision, SetupChecklist
from audit.models import AuditEvent
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
from tests.state_machines import SavepointMachine, Tally, run_machine

S = CaseState
APPLICANTS = ["applicant", "press_applicant", "acting", "supervisor_press"]
# Those who supervise every applicant: the line sergeant, and two acting for them by delegation.
SUPERVISING = {"supervisor", "acting", "supervisor_press"}
PRESS = {"press", "press_applicant", "supervisor_press"}
CAST = [*APPLICANTS, "supervisor", "other_supervisor", "press", "auditor"]
STAGES = ["supervisor", "press_office"]
STAGE_AT = {S.SUBMITTED: "supervisor", S.SUPERVISOR_APPROVED: "press_office"}
WAITING_AT = {stage: state for state, stage in STAGE_AT.items()}
OUTCOMES = [o.value for o in Decision.Outcome]
TERMINAL = {S.REJECTED, S.WITHDRAWN, S.REGISTERED}

# The workflow as the guidance tells it: for each action, the state it moves a case from and to.
MOVES = {
    "submit": {S.DRAFT: S.SUBMITTED, S.RETURNED: S.SUBMITTED},
    "withdraw": {S.DRAFT: S.WITHDRAWN, S.SUBMITTED: S.WITHDRAWN, S.RETURNED: S.WITHDRAWN},
    "decide approved": {S.SUBMITTED: S.SUPERVISOR_APPROVED, S.SUPERVISOR_APPROVED: S.SIGNED_OFF},
    "decide returned": {S.SUBMITTED: S.RETURNED, S.SUPERVISOR_APPROVED: S.RETURNED},
    "decide rejected": {S.SUBMITTED: S.REJECTED, S.SUPERVISOR_APPROVED: S.REJECTED},
    "confirm": {S.SIGNED_OFF: S.REGISTERED},
}
ACTIONS = ["update", "submit", "withdraw", "decide", "checklist", "lodge", "confirm"]
# The audit action that records each state change.
STATE_ACTIONS = {
    "submit": "business_case.submitted",
    "withdraw": "business_case.withdrawn",
    "confirm": "business_case.registered",
}
TRANSITION_ACTIONS = {*STATE_ACTIONS.values()} | {
    f"business_case.{stage}_{outcome}" for stage in STAGES for outcome in OUTCOMES
}
TALLY = Tally()


@dataclass
class Case:
    """What the machine expects of one case, kept from the steps it saw succeed."""

    applicant: str
    state: str = S.DRAFT
    submission: int = 0
    decided: dict = field(default_factory=dict)  # (submission, stage) -> (who, outcome)
    checklist_done: bool = False
    lodged: bool = False


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


class Workflow(SavepointMachine):
    tally = TALLY

    def __init__(self):
        super().__init__()
        team = UnitFactory()
        supervisor = OfficerFactory(
            unit=team, rank="sergeant", roles=[Role.OFFICER, Role.SUPERVISOR]
        )
        people = {
            "applicant": OfficerFactory(unit=team, supervisor=supervisor),
            "press_applicant": OfficerFactory(
                unit=team, supervisor=supervisor, roles=[Role.OFFICER, Role.PRESS_OFFICE]
            ),
            # An acting sergeant: a constable of the team, acting for their own sergeant.
            "acting": OfficerFactory(
                unit=team, supervisor=supervisor, roles=[Role.OFFICER, Role.SUPERVISOR]
            ),
            # A sergeant in the press office, in the team and acting for its sergeant too.
            "supervisor_press": OfficerFactory(
                unit=team,
                supervisor=supervisor,
                rank="sergeant",
                roles=[Role.OFFICER, Role.SUPERVISOR, Role.PRESS_OFFICE],
            ),
            "supervisor": supervisor,
            "other_supervisor": OfficerFactory(
                rank="sergeant", roles=[Role.OFFICER, Role.SUPERVISOR]
            ),
            "press": OfficerFactory(rank="staff", roles=[Role.OFFICER, Role.PRESS_OFFICE]),
            "auditor": OfficerFactory(rank="staff", roles=[Role.AUDITOR]),
        }
        DelegationFactory(supervisor=supervisor, acting=people["acting"])
        DelegationFactory(supervisor=supervisor, acting=people["supervisor_press"])
        self.users = {name: officer.user for name, officer in people.items()}
        self.policy = PolicyVersionFactory()
        self.cases: dict[int, Case] = {}
        self.serial = 0
        self.last_sequence = self._max_sequence()

    # -- the rules of the guidance ----------------------------------------------------------

    def may(self, action: str, actor: str, case_id: int | None) -> bool:
        """Whether `actor` may do `action` to the case as it stands (other conditions aside)."""
        if actor == "auditor":
            return False
        if action == "create":
            return True
        case = self.cases[case_id]
        if action in ("update", "submit", "withdraw", "checklist"):
            return actor == case.applicant
        if action == "lodge":
            return actor == case.applicant or actor in PRESS
        if action == "confirm":
            return actor in PRESS - {case.applicant}
        stage = STAGE_AT.get(case.state)
        if stage == "supervisor":
            return actor in SUPERVISING - {case.applicant}
        if stage == "press_office":
            first = case.decided.get((case.submission, "supervisor"), (None,))[0]
            return actor in PRESS - {case.applicant, first}
        return False  # a case not waiting for a decision: nobody decides it

    def _describe(self, case_id) -> str:
        case = self.cases.get(case_id)
        return f"case {case_id} ({case.state}, {case.applicant}'s)" if case else "a new case"

    # -- one step -----------------------------------------------------------------------------

    def _attempt(
        self, action, actor, case_id, call, *, outcome=None, probe=False, exact=False, must=False
    ):
        """Run `call()`, `actor` doing `action` to `case_id`, and check what it did against the
        rules above; keep what it did unless it is a probe (the caller undoes it). `exact`: it
        must succeed exactly when the rules allow; `must`: it must succeed (a walk)."""
        case = self.cases.get(case_id)
        allowed = self.may(action, actor, case_id)
        last_decision = Decision.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        try:
            result = call()
        except (PermissionDenied, DomainError) as exc:
            refused, why = True, str(exc)
        else:
            refused, why = False, ""
        events = self._new_events()
        now = dict(BusinessCase.objects.filter(pk__in=self.cases).values_list("pk", "state"))
        moved = {
            pk: (self.cases[pk].state, state)
            for pk, state in now.items()
            if state != self.cases[pk].state
        }
        decisions = list(Decision.objects.filter(pk__gt=last_decision))
        kind = "probe" if probe else "action"
        self.tally[kind] += 1
        self.tally[f"{action} {kind}"] += 1
        what = f"{action} by {actor} on {self._describe(case_id)}"
        if refused:
            self.tally[f"{kind} refused"] += 1
            self.tally[f"{action} {kind} refused"] += 1
            assert not must, f"{what}: a step on the way was refused: {why}"
            assert not exact or not allowed, f"{what} was refused though the rules allow: {why}"
            assert not events, f"{what} was refused but wrote {[e.action for e in events]}"
            assert not moved, f"{what} was refused but moved {moved}"
            assert not decisions, f"{what} was refused but recorded {decisions}"
            return None
        assert allowed, f"{what} succeeded: the rules do not allow it"
        assert set(moved) <= {case_id}, f"{what} moved other cases: {moved}"
        key = f"decide {outcome}" if action == "decide" else action
        to = MOVES.get(key, {}).get(case.state) if case else None
        changes = [e for e in events if e.action in TRANSITION_ACTIONS]
        if to is None:
            assert not moved, f"{what}: {moved} is no step of {key}"
            assert not changes, f"{what} moved nothing but wrote {[e.action for e in changes]}"
            assert not decisions, f"{what} recorded a decision: {decisions}"
        else:
            assert moved.get(case_id) == (case.state, to), (
                f"{what} moved it {moved.get(case_id)}; the step is {case.state} -> {to}"
            )
            audit = STATE_ACTIONS.get(action) or f"business_case.{STAGE_AT[case.state]}_{outcome}"
            assert [
                (e.action, e.object_id, e.actor_id, e.changes.get("state")) for e in changes
            ] == [(audit, str(case_id), self.users[actor].pk, [case.state, to])], (
                f"{what} wrote {[(e.action, e.actor_label) for e in changes]}; one {audit} expected"
            )
            self.tally[f"{case.state} -> {to}"] += 1
        if action == "decide":
            stage = STAGE_AT[case.state]
            assert (case.submission, stage) not in case.decided, (
                f"{what}: the {stage} stage of submission {case.submission} was decided already"
            )
            if stage == "press_office":
                supervisor = case.decided.get((case.submission, "supervisor"), (None, None))
                assert supervisor[1] == "approved", f"{what}: the supervisor has not approved"
            assert [
                (d.case_id, d.submission, d.stage, d.outcome, d.decided_by_id) for d in decisions
            ] == [(case_id, case.submission, stage, outcome, self.users[actor].pk)], decisions
            self.tally[
                f"{stage} decided by {'the applicant' if actor == case.applicant else actor}"
            ] += 1
        if action == "confirm":
            assert case.checklist_done and case.lodged, f"{what}: the set-up is not complete"
        if probe:
            return result
        if action == "create":
            self.cases[result.pk] = Case(applicant=actor)
        elif to is not None:
            if action == "submit":
                case.submission += 1
            if action == "decide":
                case.decided[(case.submission, STAGE_AT[case.state])] = (actor, outcome)
            case.state = to
        return result

    # -- the services, one person at a time ---------------------------------------------------

    def _create(self, actor, handle, **kw):
        return self._attempt(
            "create",
            actor,
            None,
            lambda: services.business_case_create(actor=self.users[actor], data=_case_data(handle)),
            **kw,
        )

    def _decide(self, actor, case_id, outcome, comment, expected, **kw):
        return self._attempt(
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
            outcome=outcome,
            **kw,
        )

    def _do(self, action, actor, case_id, data, **kw):
        """`actor` does `action` (not a decision) to `case_id`, its details drawn from `data`."""
        user = self.users[actor]
        if action == "update":
            handle = data.draw(st.sampled_from(["AlphaWMP", "alphawmp", f"Upd{case_id}WMP"]))
            words = data.draw(st.text(max_size=20))
            call = lambda: services.business_case_update(  # noqa: E731
                actor=user, case_id=case_id, data={"handle": handle, "audience": words or "All."}
            )
        elif action == "submit":
            read = data.draw(st.booleans())
            call = lambda: services.business_case_submit(  # noqa: E731
                actor=user, case_id=case_id, policy_id=self.policy.pk, personal_use_read=read
            )
        elif action == "withdraw":
            call = lambda: services.business_case_withdraw(  # noqa: E731
                actor=user, case_id=case_id, reason="No longer needed."
            )
        elif action == "checklist":
            names = [name for name, _label in SetupChecklist.ITEMS]
            everything, done = data.draw(st.booleans()), data.draw(st.booleans())
            ticked = set(names) if everything else set(names[:-1])
            call = lambda: services.setup_checklist_update(  # noqa: E731
                actor=user, case_id=case_id, ticked=ticked, done=done
            )
        elif action == "lodge":
            account = BusinessCase.objects.get(pk=case_id).account
            if account is None:
                return None
            call = lambda: credential_lodge(  # noqa: E731
                actor=user,
                account=account,
                login=f"case{case_id}@police.example",
                password="Plaintext-Secret-x7!",
            )
        else:
            call = lambda: services.setup_confirm(actor=user, case_id=case_id)  # noqa: E731
        result = self._attempt(action, actor, case_id, call, **kw)
        if result is not None and not kw.get("probe"):
            if action == "checklist" and done and everything:
                self.cases[case_id].checklist_done = True
            if action == "lodge":
                self.cases[case_id].lodged = True
        return result

    def _case_at(self, applicant: str, state: str, data) -> int:
        """A case of `applicant`'s waiting in `state`: one there already, or a new one walked
        there through the services by people the rules allow (each step checked)."""
        there = sorted(
            pk for pk, c in self.cases.items() if (c.applicant, c.state) == (applicant, state)
        )
        if there:
            return data.draw(st.sampled_from(there))
        self.serial += 1
        case_id = self._create(applicant, f"Walk{self.serial}WMP", must=True).pk
        self._do("submit", applicant, case_id, _Always(True), must=True)
        if state == S.SUPERVISOR_APPROVED:
            decider = data.draw(st.sampled_from(sorted(SUPERVISING - {applicant})))
            self._decide(decider, case_id, "approved", "", None, must=True)
        return case_id

    # -- the rules ----------------------------------------------------------------------------

    @initialize()
    def a_draft_each(self):
        for name in APPLICANTS:
            self.serial += 1
            self._create(name, f"Draft{self.serial}WMP", must=True)

    @rule(data=st.data(), handle=st.sampled_from(["AlphaWMP", "alphawmp", "BravoWMP"]))
    def create(self, data, handle):
        self._create(data.draw(st.sampled_from(CAST)), handle)

    @rule(data=st.data(), action=st.sampled_from(ACTIONS))
    def act(self, data, action):
        """Anyone tries anything on any case (those the rules allow three times as often)."""
        case_id = data.draw(st.sampled_from(sorted(self.cases)))
        likely = sorted(a for a in CAST if self.may(action, a, case_id)) or CAST
        actor = data.draw(st.one_of(st.sampled_from(CAST), *[st.sampled_from(likely)] * 3))
        if action == "decide":
            case = BusinessCase.objects.get(pk=case_id)
            self._decide(
                actor,
                case_id,
                data.draw(st.sampled_from(OUTCOMES)),
                data.draw(st.sampled_from(["", "  ", "Say more about the audience."])),
                data.draw(st.sampled_from([None, case.version, "0-draft"])),
            )
        else:
            self._do(action, actor, case_id, data)

    @rule(data=st.data())
    def advance(self, data):
        """A case's next step towards registration, by someone the rules allow."""
        open_ = sorted(pk for pk, c in self.cases.items() if c.state not in TERMINAL)
        if not open_:
            return
        case_id = data.draw(st.sampled_from(open_))
        case = self.cases[case_id]
        if case.state in (S.DRAFT, S.RETURNED):
            action = "submit"
        elif case.state in STAGE_AT:
            outcome = data.draw(st.sampled_from(["approved", "approved", "returned", "rejected"]))
            actor = data.draw(
                st.sampled_from(sorted(a for a in CAST if self.may("decide", a, case_id)))
            )
            self._decide(actor, case_id, outcome, "Say more about the audience.", None)
            return
        elif not case.checklist_done:
            action = "checklist"
        elif not case.lodged:
            action = "lodge"
        else:
            action = "confirm"
        actor = data.draw(st.sampled_from(sorted(a for a in CAST if self.may(action, a, case_id))))
        self._do(action, actor, case_id, _Always(True))

    @rule(
        data=st.data(),
        applicant=st.sampled_from(APPLICANTS),
        stage=st.sampled_from(STAGES),
        outcome=st.sampled_from(OUTCOMES),
    )
    def everyone_decides(self, data, applicant, stage, outcome):
        """Everyone tries to decide a case of `applicant`'s at `stage` (each try undone): exactly
        those the rules allow succeed. One of them decides it; then the one who decided, another
        who could have and the applicant try again, with the form they had open or with none:
        nobody decides that stage of it a second time."""
        case_id = self._case_at(applicant, WAITING_AT[stage], data)
        opened = BusinessCase.objects.get(pk=case_id).version
        version = data.draw(st.sampled_from([None, opened]))
        for actor in CAST:
            with self.undone():
                self._decide(
                    actor, case_id, outcome, "Why: see the notes.", version, probe=True, exact=True
                )
        deciders = sorted(a for a in CAST if self.may("decide", a, case_id))
        first = data.draw(st.sampled_from(deciders))
        self._decide(first, case_id, outcome, "Why.", version, must=True)
        others = sorted(set(deciders) - {first}) or [first]
        for actor in [first, data.draw(st.sampled_from(others)), applicant]:
            again = data.draw(st.sampled_from(OUTCOMES))
            with self.undone():
                self._decide(
                    actor,
                    case_id,
                    again,
                    "Again.",
                    data.draw(st.sampled_from([None, opened])),
                    probe=True,
                )

    # -- what holds after every step ----------------------------------------------------------

    @invariant()
    def the_cases_are_where_the_steps_left_them(self):
        rows = BusinessCase.objects.filter(pk__in=self.cases).values_list(
            "pk", "state", "submission_count"
        )
        assert {pk: (state, n) for pk, state, n in rows} == {
            pk: (c.state, c.submission) for pk, c in self.cases.items()
        }

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
        doubled = (
            Decision.objects.values("case", "submission", "decided_by")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
        )
        assert not doubled.exists(), list(doubled)

    @invariant()
    def no_step_skipped(self):
        """Read from the database, not the machine: each case past a stage has the decisions
        of its present submission that lead there, and a registered one its confirmed set-up."""
        approved = {
            (case, stage)
            for case, stage in Decision.objects.filter(
                case__in=self.cases, submission=F("case__submission_count"), outcome="approved"
            ).values_list("case", "stage")
        }
        need = {
            S.SUPERVISOR_APPROVED: ["supervisor"],
            S.SIGNED_OFF: STAGES,
            S.REGISTERED: STAGES,
        }
        for pk, state in BusinessCase.objects.filter(pk__in=self.cases).values_list("pk", "state"):
            for stage in need.get(state, []):
                assert (pk, stage) in approved, (
                    f"case {pk} is {state} without the {stage}'s approval"
                )
        for case in BusinessCase.objects.filter(pk__in=self.cases, state=S.REGISTERED):
            assert case.checklist.confirmed_at is not None and case.checklist.all_done
            assert Credential.objects.filter(account_id=case.account_id).exists()


class _Always:
    """Stands for `st.data()` where a step's details are fixed: every draw gives `value`."""

    def __init__(self, value):
        self.value = value

    def draw(self, _strategy):
        return self.value


@pytest.mark.django_db
def test_business_case_workflow_state_machine():
    run_machine(Workflow, "business-case machine", examples=12, steps=15)


def test_the_model_declares_the_workflow_the_guidance_describes():
    """The machine checks moves against `MOVES`; the model must declare exactly those steps."""
    declared = {
        (t.source, t.target)
        for t in BusinessCase._meta.get_field("state").get_all_transitions(BusinessCase)
    }
    assert declared == {(a, b) for moves in MOVES.values() for a, b in moves.items()}


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


@pytest.mark.django_db
def test_a_null_character_in_a_change_is_a_message_not_a_server_error(officer):
    """Found by the machine above (its text strategy drew "\\x00"): forms refuse it, but the
    service let PostgreSQL's refusal escape as a ValueError for any other caller."""
    case = BusinessCaseFactory(applicant=officer, handle="AlphaWMP", audience="Residents.")
    events = AuditEvent.objects.count()
    with pytest.raises(DomainError, match="null character"):
        services.business_case_update(
            actor=officer.user, case_id=case.pk, data={"audience": "Residents\x00 of Stechford"}
        )
    case.refresh_from_db()
    assert case.audience == "Residents."
    assert AuditEvent.objects.count() == events
