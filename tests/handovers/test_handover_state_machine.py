"""The handover workflow as a hypothesis state machine (issue 12, part 3).

A cast of eight starts handovers, repurposings and closures of accounts, answers as the named
successor, decides as the owner's supervisor (in person, or acting by delegation), completes
with the press office's checklist, lodges new login details and withdraws, through
handovers.services, in random order; the successor is drawn from the cast, so the acting
supervisor or a press officer is at times the one receiving the account, and accounts are
owned by a constable, the acting sergeant and a press-office sergeant. A refusal
(PermissionDenied or a DomainError) is an answer; any other exception fails.

Who may do what and which step leads where are written here (`MOVES`, `Handovers.may`), not
read from the code. After every action:
- no step is skipped: a handover moves only along a step of `MOVES` for that action; one at the
  press office has the successor's acceptance (a handover) and the supervisor's approval, and a
  completed one the press office's completion as well;
- a refused action writes nothing (no audit row, no decision, no state or account change);
- no self-approval: never the owner or the successor deciding or completing it, never the
  supervisor who approved it completing it;
- no two decisions at one stage;
- exactly one audit event per state change, naming it, its (from, to) and the person who acted;
- the account's status follows (handover pending while a handover or closure is open; closed
  after a closure; the successor's, under the new handle, after a handover);
- the audit chain verifies.

`everyone_tries` takes a kind and a state, finds (or walks, through the services) a handover of
that kind waiting there, and has every member of the cast try one step (the way on, a refusal,
a withdrawal, or a step not open from there), and the owner and the successor every decision,
each try undone: exactly those the rules allow succeed. Then one of them takes the way on, and
the one who did, another who could have and the owner try again: nobody decides one stage twice.

Each example runs inside its own savepoint, rolled back at teardown.
"""

from dataclasses import dataclass, field

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.utils import timezone
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule

from accounts.models import SocialAccount
from core.errors import DomainError
from custody.services import credential_lodge
from handovers import services
from handovers.models import AccountTransition, Checklist, State, TransitionDecision
from people.roles import Role
from tests.factories import DelegationFactory, OfficerFactory, SocialAccountFactory, UnitFactory
from tests.state_machines import SavepointMachine, Tally, run_machine

AS, ASUP, AP = State.AWAITING_SUCCESSOR, State.AWAITING_SUPERVISOR, State.AWAITING_PRESS_OFFICE
OPEN = {AS, ASUP, AP}
KINDS = ["handover", "repurpose", "closure"]
# Everyone the line sergeant supervises (so every account owner and successor); the sergeant
# and two of them who act for the sergeant by delegation decide for each other.
SUPERVISED = ["owner", "colleague", "acting", "supervisor_press", "press"]
SUPERVISING = {"supervisor", "acting", "supervisor_press"}
PRESS = {"press", "supervisor_press"}
CAST = [*SUPERVISED, "supervisor", "other_supervisor", "auditor"]
OWNERS = ["owner", "acting", "supervisor_press"]

# The workflow as the guidance tells it: for each action, the state it moves a handover from and
# to ("start" from nothing).
MOVES = {
    "start handover": {None: AS},
    "start repurpose": {None: ASUP},
    "start closure": {None: ASUP},
    "accept": {AS: ASUP},
    "decline": {AS: State.DECLINED},
    "approve": {ASUP: AP},
    "reject": {ASUP: State.REJECTED, AP: State.REJECTED},
    "complete": {AP: State.COMPLETED},
    "withdraw": {AS: State.WITHDRAWN, ASUP: State.WITHDRAWN},
}
# A consolidation someone else started waits for its owner first (issue 16 part 3; its steps are
# walked by every member of a cast in tests/handovers/test_consolidation.py).
AO = State.AWAITING_OWNER
CONSOLIDATION_MOVES = {
    "agree as owner": {AO: ASUP},
    "decline as owner": {AO: State.DECLINED_BY_OWNER},
    "withdraw": {AO: State.WITHDRAWN},
}
STEP_AT = {AS: "accept", ASUP: "approve", AP: "complete"}
STEPS = ["accept", "decline", "approve", "reject", "complete", "withdraw"]
DECISIONS = ["approve", "reject", "complete"]
STAGE_OF = {"accept": "successor", "decline": "successor", "complete": "press_office"}
OUTCOME = {
    "accept": "accepted",
    "decline": "declined",
    "approve": "approved",
    "reject": "rejected",
    "complete": "completed",
}
ACTIONS = ["accept", "decline", "approve", "reject", "complete", "withdraw", "lodge"]


def _audit_action(kind: str, action: str, state: str) -> str:
    if action == "start":
        return f"{kind}.started"
    if action in ("accept", "decline"):
        return f"handover.{OUTCOME[action]}"
    if action in ("approve", "reject"):
        stage = "supervisor" if state == ASUP else "press_office"
        return f"{kind}.{stage}_{OUTCOME[action]}"
    return f"{kind}.{OUTCOME.get(action, 'withdrawn')}"


TRANSITION_ACTIONS = {
    _audit_action(kind, action, state)
    for kind in KINDS
    for action in ["start", "accept", "decline", "approve", "reject", "complete", "withdraw"]
    for state in (ASUP, AP)
}
TALLY = Tally()


@dataclass
class Handover:
    """What the machine expects of one handover, kept from the steps it saw succeed."""

    kind: str
    account: int
    owner: str
    successor: str | None
    starter: str
    state: str
    decided: dict = field(default_factory=dict)  # stage -> (who, outcome)


class Handovers(SavepointMachine):
    tally = TALLY

    def __init__(self):
        super().__init__()
        team = UnitFactory()
        supervisor = OfficerFactory(
            unit=team, rank="sergeant", roles=[Role.OFFICER, Role.SUPERVISOR]
        )
        roles = {
            "owner": [Role.OFFICER],
            "colleague": [Role.OFFICER],
            "acting": [Role.OFFICER, Role.SUPERVISOR],  # an acting sergeant
            "supervisor_press": [Role.OFFICER, Role.SUPERVISOR, Role.PRESS_OFFICE],
            "press": [Role.OFFICER, Role.PRESS_OFFICE],
        }
        people = {
            name: OfficerFactory(unit=team, supervisor=supervisor, roles=given)
            for name, given in roles.items()
        }
        people["supervisor"] = supervisor
        people["other_supervisor"] = OfficerFactory(
            rank="sergeant", roles=[Role.OFFICER, Role.SUPERVISOR]
        )
        people["auditor"] = OfficerFactory(rank="staff", roles=[Role.AUDITOR])
        DelegationFactory(supervisor=supervisor, acting=people["acting"])
        DelegationFactory(supervisor=supervisor, acting=people["supervisor_press"])
        self.people = people
        self.users = {name: officer.user for name, officer in people.items()}
        self.name_of = {officer.pk: name for name, officer in people.items()}
        self.accounts: dict[int, str] = {}  # account -> the status expected
        self.handovers: dict[int, Handover] = {}
        for name in OWNERS:
            self._new_account(name)
        self.last_sequence = self._max_sequence()

    def _new_account(self, owner: str) -> int:
        account = SocialAccountFactory(owner=self.people[owner], unit=self.people[owner].unit)
        self.accounts[account.pk] = SocialAccount.Status.ACTIVE
        return account.pk

    def _owner(self, account_id: int) -> str:
        return self.name_of[SocialAccount.objects.get(pk=account_id).owner_id]

    # -- the rules of the guidance ----------------------------------------------------------

    def may(self, action: str, actor: str, handover: Handover | None, account_id=None) -> bool:
        """Whether `actor` may do `action` now (conditions other than who and when aside)."""
        if actor == "auditor":
            return False
        if action == "start":
            owner = self._owner(account_id)
            return actor == owner or actor in (SUPERVISING - {owner}) | PRESS
        if action == "lodge":
            return actor == self._owner(handover.account) or actor in PRESS
        if action in ("accept", "decline"):
            return handover.state == AS and actor == handover.successor
        if action == "withdraw":
            return handover.state in (AS, ASUP) and actor in {handover.owner, handover.starter}
        parties = {handover.owner, handover.successor}
        if handover.state == ASUP and action in ("approve", "reject"):
            return actor in SUPERVISING - parties
        if handover.state == AP and action == "reject":
            return actor in PRESS - parties
        if handover.state == AP and action == "complete":
            approved_by = handover.decided.get("supervisor", (None,))[0]
            return actor in PRESS - parties - {approved_by}
        return False

    # -- one step -----------------------------------------------------------------------------

    def _attempt(self, action, actor, pk, call, *, kind=None, probe=False, exact=False, must=False):
        handover = self.handovers.get(pk)
        allowed = self.may(action, actor, handover, account_id=pk if action == "start" else None)
        last_decision = (
            TransitionDecision.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        )
        try:
            result = call()
        except (PermissionDenied, DomainError) as exc:
            refused, why = True, str(exc)
        else:
            refused, why = False, ""
        events = self._new_events()
        states = dict(
            AccountTransition.objects.filter(pk__in=self.handovers).values_list("pk", "state")
        )
        moved = {
            p: (self.handovers[p].state, s)
            for p, s in states.items()
            if s != self.handovers[p].state
        }
        statuses = dict(
            SocialAccount.objects.filter(pk__in=self.accounts).values_list("pk", "status")
        )
        decisions = list(TransitionDecision.objects.filter(pk__gt=last_decision))
        kind_ = "probe" if probe else "action"
        self.tally[kind_] += 1
        self.tally[f"{action} {kind_}"] += 1
        what = f"{action} by {actor} on " + (
            f"{handover.kind} {pk} ({handover.state}; owner {handover.owner},"
            f" successor {handover.successor})"
            if handover
            else f"account {pk}"
        )
        if refused:
            self.tally[f"{kind_} refused"] += 1
            assert not must, f"{what}: a step on the way was refused: {why}"
            assert not exact or not allowed, f"{what} was refused though the rules allow: {why}"
            assert not events, f"{what} was refused but wrote {[e.action for e in events]}"
            assert not moved, f"{what} was refused but moved {moved}"
            assert statuses == self.accounts, f"{what} was refused but changed an account"
            assert not decisions, f"{what} was refused but recorded {decisions}"
            return None
        assert allowed, f"{what} succeeded: the rules do not allow it"
        changes = [e for e in events if e.action in TRANSITION_ACTIONS]
        if action == "start":
            assert not moved, f"{what} moved other handovers: {moved}"
            to = MOVES[f"start {kind}"][None]
            assert result.state == to and result.kind == kind
            target, before = result.pk, None
            audit = _audit_action(kind, "start", to)
        elif action == "lodge":
            assert not moved and not changes and not decisions, f"{what} moved a handover"
            return result
        else:
            target, before = pk, handover.state
            to = MOVES[action].get(before)
            assert to is not None, f"{what} succeeded; {action} is no step from {before}"
            assert set(moved) == {pk} and moved[pk] == (before, to), (
                f"{what} moved {moved}; the step is {before} -> {to}"
            )
            audit = _audit_action(handover.kind, action, before)
        assert [(e.action, e.object_id, e.actor_id, e.changes.get("state")) for e in changes] == [
            (audit, str(target), self.users[actor].pk, [before, to])
        ], f"{what} wrote {[(e.action, e.actor_label) for e in changes]}; one {audit} expected"
        self.tally[f"{before} -> {to}"] += 1
        if action in ("start", "withdraw"):
            assert not decisions, f"{what} recorded a decision"
        else:
            stage = STAGE_OF.get(action) or ("supervisor" if before == ASUP else "press_office")
            assert stage not in handover.decided, f"{what}: the {stage} stage was decided already"
            if stage == "press_office" and action == "complete":
                assert handover.decided.get("supervisor", (None, None))[1] == "approved"
            outcome = OUTCOME[action]
            assert [(d.transition_id, d.stage, d.outcome, d.decided_by_id) for d in decisions] == [
                (pk, stage, outcome, self.users[actor].pk)
            ], f"{what} recorded {decisions}"
        # What the account's status must now be.
        expected = dict(self.accounts)
        account = result.account_id if action == "start" else handover.account
        if action == "start" and kind in ("handover", "closure"):
            expected[account] = SocialAccount.Status.HANDOVER_PENDING
        elif to in (State.DECLINED, State.REJECTED, State.WITHDRAWN):
            expected[account] = SocialAccount.Status.ACTIVE
        elif to == State.COMPLETED:
            closing = handover.kind == "closure"
            expected[account] = (
                SocialAccount.Status.CLOSED if closing else SocialAccount.Status.ACTIVE
            )
        assert statuses == expected, f"{what}: the accounts are {statuses}, not {expected}"
        if to == State.COMPLETED and handover.kind == "handover":
            account_row = SocialAccount.objects.get(pk=account)
            assert self.name_of[account_row.owner_id] == handover.successor
            assert account_row.handle == f"New{pk}WMP"
            assert Checklist.objects.get(transition_id=pk).completed_by_id == self.users[actor].pk
        if probe:
            return result
        self.accounts = expected
        if action == "start":
            self.handovers[result.pk] = Handover(
                kind=kind,
                account=account,
                owner=self._owner(account),
                successor=self.name_of[result.successor_id] if result.successor_id else None,
                starter=actor,
                state=to,
            )
        else:
            if action not in ("withdraw",):
                handover.decided[stage] = (actor, outcome)
            handover.state = to
        return result

    # -- the services, one person at a time ---------------------------------------------------

    def _start(self, actor, account_id, kind, successor, **kw):
        return self._attempt(
            "start",
            actor,
            account_id,
            lambda: services.transition_start(
                actor=self.users[actor],
                account_id=account_id,
                kind=kind,
                reason="Moving to a new post.",
                successor=self.people[successor] if successor else None,
                new_purpose="Posts about the new role." if kind == "repurpose" else "",
            ),
            kind=kind,
            **kw,
        )

    def _step(self, action, actor, pk, version=None, comment="Not now: see the notes.", **kw):
        user, handover = self.users[actor], self.handovers[pk]
        if action in ("accept", "decline"):
            call = lambda: services.handover_respond(  # noqa: E731
                actor=user,
                transition_id=pk,
                accept=action == "accept",
                comment=comment,
                expected_version=version,
            )
        elif action in ("approve", "reject"):
            call = lambda: services.transition_decide(  # noqa: E731
                actor=user,
                transition_id=pk,
                approve=action == "approve",
                comment=comment,
                expected_version=version,
            )
        elif action == "withdraw":
            call = lambda: services.transition_withdraw(  # noqa: E731
                actor=user, transition_id=pk, reason="Staying after all."
            )
        elif action == "lodge":
            account = SocialAccount.objects.get(pk=handover.account)
            call = lambda: credential_lodge(  # noqa: E731
                actor=user,
                account=account,
                login="team@police.example",
                password="Plaintext-Secret-x7!",
            )
        elif handover.kind == "handover":
            items = {name for name, _label in Checklist.HANDOVER_ITEMS}
            call = lambda: services.handover_complete(  # noqa: E731
                actor=user,
                transition_id=pk,
                ticked=items,
                new_handle=f"New{pk}WMP",
                new_display_name="PC New Owner",
                expected_version=version,
            )
        elif handover.kind == "closure":
            items = {name for name, _label in Checklist.CLOSURE_ITEMS}
            call = lambda: services.closure_complete(  # noqa: E731
                actor=user,
                transition_id=pk,
                ticked=items,
                deactivated_on=timezone.localdate(),
                expected_version=version,
            )
        else:
            call = lambda: services.repurpose_complete(  # noqa: E731
                actor=user, transition_id=pk, expected_version=version
            )
        return self._attempt(action, actor, pk, call, **kw)

    def _free_account(self, data) -> int:
        """An active account with nothing under way: one of the first, or a new one."""
        busy = {h.account for h in self.handovers.values() if h.state in OPEN}
        free = sorted(
            pk
            for pk, status in self.accounts.items()
            if status == SocialAccount.Status.ACTIVE and pk not in busy
        )
        if free:
            return data.draw(st.sampled_from(free))
        return self._new_account(data.draw(st.sampled_from(OWNERS)))

    def _walk_to(self, kind: str, state: str, data) -> int:
        """A handover of `kind` waiting in `state`: one there already, or one started on a free
        account and walked there by people the rules allow (each step checked)."""
        there = sorted(p for p, h in self.handovers.items() if (h.kind, h.state) == (kind, state))
        if there:
            return data.draw(st.sampled_from(there))
        account_id = self._free_account(data)
        owner = self._owner(account_id)
        successor = data.draw(st.sampled_from([s for s in SUPERVISED if s != owner]))
        pk = self._start(
            owner, account_id, kind, successor if kind == "handover" else None, must=True
        ).pk
        for step in ("accept", "approve"):
            handover = self.handovers[pk]
            if handover.state == state:
                break
            if STEP_AT[handover.state] != step:
                continue
            actor = data.draw(
                st.sampled_from(sorted(a for a in CAST if self.may(step, a, handover)))
            )
            self._step(step, actor, pk, must=True)
        return pk

    # -- the rules ----------------------------------------------------------------------------

    @rule(data=st.data(), kind=st.sampled_from(KINDS))
    def start(self, data, kind):
        account_id = data.draw(st.sampled_from(sorted(self.accounts)))
        owner = self._owner(account_id)
        likely = sorted(a for a in CAST if self.may("start", a, None, account_id))
        actor = data.draw(st.one_of(st.sampled_from(CAST), *[st.sampled_from(likely)] * 3))
        successor = data.draw(st.sampled_from([s for s in SUPERVISED if s != owner]))
        self._start(actor, account_id, kind, successor if kind == "handover" else None)

    @rule(data=st.data(), action=st.sampled_from(ACTIONS), anything=st.booleans())
    def act(self, data, action, anything):
        """Anyone tries anything on any handover (those the rules allow three times as often);
        or, when not `anything`, an open handover's next step by someone the rules allow."""
        open_ = sorted(p for p, h in self.handovers.items() if h.state in OPEN)
        if not anything and open_:
            pk = data.draw(st.sampled_from(open_))
            handover = self.handovers[pk]
            action = STEP_AT[handover.state]
            if action == "complete" and handover.kind == "handover" and data.draw(st.booleans()):
                action = "lodge"
            allowed = sorted(a for a in CAST if self.may(action, a, handover))
            if allowed:
                self._step(action, data.draw(st.sampled_from(allowed)), pk)
            return
        if not self.handovers:
            return
        pk = data.draw(st.sampled_from(sorted(self.handovers)))
        likely = sorted(a for a in CAST if self.may(action, a, self.handovers[pk])) or CAST
        actor = data.draw(st.one_of(st.sampled_from(CAST), *[st.sampled_from(likely)] * 3))
        version = data.draw(
            st.sampled_from([None, AccountTransition.objects.get(pk=pk).version, 0])
        )
        comment = data.draw(st.sampled_from(["", "Not now: see the notes."]))
        self._step(action, actor, pk, version=version, comment=comment)

    @rule(data=st.data(), kind=st.sampled_from(KINDS), state=st.sampled_from([AS, ASUP, AP]))
    def everyone_tries(self, data, kind, state):
        """Everyone tries a step (the way on from `state` twice as often as each other, open
        from there or not) on a handover of `kind` waiting there, each try undone: exactly those
        the rules allow succeed. Then one of those allowed takes the way on; they, another who
        could have and the owner try again, with the form they had open or none."""
        if kind != "handover" and state == AS:
            state = ASUP
        pk = self._walk_to(kind, state, data)
        step = STEP_AT[state]
        handover = self.handovers[pk]
        if step == "complete" and kind == "handover":
            row = AccountTransition.objects.select_related("account").get(pk=pk)
            if not services.credentials_fresh_for(row, row.account):
                self._step("lodge", handover.owner, pk, must=True)  # what completion needs
        opened = AccountTransition.objects.get(pk=pk).version
        version = data.draw(st.sampled_from([None, opened]))
        tried = data.draw(st.sampled_from([step, *STEPS]))
        parties = {handover.owner, handover.successor}
        for actor in CAST:
            # The owner and the successor also try every decision: none may be theirs.
            for action in [tried, *(DECISIONS if actor in parties else [])]:
                with self.undone():
                    self._step(action, actor, pk, version=version, probe=True, exact=True)
        allowed = sorted(a for a in CAST if self.may(step, a, self.handovers[pk]))
        if not allowed:  # e.g. the two press officers are its owner and its successor
            return
        first = data.draw(st.sampled_from(allowed))
        self._step(step, first, pk, version=version, must=True)
        others = sorted(set(allowed) - {first}) or [first]
        for actor in [first, data.draw(st.sampled_from(others)), self.handovers[pk].owner]:
            again = data.draw(st.sampled_from([step, "reject", "decline"]))
            with self.undone():
                self._step(
                    again, actor, pk, version=data.draw(st.sampled_from([None, opened])), probe=True
                )

    # -- what holds after every step ----------------------------------------------------------

    @invariant()
    def handovers_and_accounts_are_where_the_steps_left_them(self):
        states = AccountTransition.objects.filter(pk__in=self.handovers).values_list("pk", "state")
        assert dict(states) == {p: h.state for p, h in self.handovers.items()}
        statuses = SocialAccount.objects.filter(pk__in=self.accounts).values_list("pk", "status")
        assert dict(statuses) == self.accounts

    @invariant()
    def one_decision_per_stage(self):
        doubled = (
            TransitionDecision.objects.values("transition", "stage")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
        )
        assert not doubled.exists(), list(doubled)

    @invariant()
    def no_self_approval_and_no_step_skipped(self):
        """Read from the database: who decided each stage, and which stages a handover that is
        past them has."""
        decided: dict[int, dict[str, tuple[int, str]]] = {}
        for pk, stage, outcome, by in TransitionDecision.objects.filter(
            transition__in=self.handovers
        ).values_list("transition", "stage", "outcome", "decided_by"):
            decided.setdefault(pk, {})[stage] = (by, outcome)
        for pk, handover in self.handovers.items():
            mine = decided.get(pk, {})
            parties = {self.users[handover.owner].pk}
            if handover.successor:
                parties.add(self.users[handover.successor].pk)
            for stage in ("supervisor", "press_office"):
                if stage in mine:
                    assert mine[stage][0] not in parties, f"{pk}: decided by its owner or successor"
            if "press_office" in mine and mine["press_office"][1] == "completed":
                assert mine["press_office"][0] != mine["supervisor"][0], f"{pk}: one person twice"
            need = []
            if handover.kind == "handover" and handover.state in (ASUP, AP, State.COMPLETED):
                need.append(("successor", "accepted"))
            if handover.state in (AP, State.COMPLETED):
                need.append(("supervisor", "approved"))
            if handover.state == State.COMPLETED:
                need.append(("press_office", "completed"))
            for stage, outcome in need:
                assert mine.get(stage, (None, None))[1] == outcome, f"{pk}: {stage} skipped"


@pytest.mark.django_db
def test_handover_workflow_state_machine():
    run_machine(Handovers, "handover machine", examples=10, steps=15)


def test_the_model_declares_the_workflow_the_guidance_describes():
    field_ = AccountTransition._meta.get_field("state")
    declared = {(t.source, t.target) for t in field_.get_all_transitions(AccountTransition)}
    spec = {
        (a, b)
        for name, moves in [*MOVES.items(), *CONSOLIDATION_MOVES.items()]
        if not name.startswith("start")
        for a, b in moves.items()
    }
    assert declared == spec
