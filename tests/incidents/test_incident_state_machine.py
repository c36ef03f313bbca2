"""The incident workflow as a hypothesis state machine (issue 12, part 3).

A cast (the accounts' owner, their supervisor, another team's supervisor, an officer, the press
office, an auditor) reports, records steps and lessons, lodges new login details, contains and
resolves incidents, in random order, on five accounts that stand differently when hacked: active
(with a start date, and registered without one, as the register form allows), pending set-up,
in a handover (handover pending) and being repurposed (active). A refusal (PermissionDenied or a
DomainError) is an answer; any other exception fails. After every step: an incident moves only
along a declared transition, with exactly one audit event naming it and the person who acted; a
refused action writes nothing; only the press office contains or resolves; the auditor changes
nothing; at most one incident of an account is open; each checklist step is recorded at most
once; an account is compromised exactly while it has an open incident; the audit chain verifies.

`see_it_through` takes an account and drives its incident (reporting one if none is open) to
resolution, each step by someone the rules allow and checked like any other; at resolution every
checklist step is recorded once, the lessons are written, and the account is back to what it was
before the hack: handover pending while a handover or closure is under way, pending set-up if it
never went live, otherwise active (`status_after`, written here from the guidance).

Each example runs in its own savepoint, rolled back at teardown."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.utils import timezone
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule

from accounts.models import SocialAccount
from core.errors import DomainError
from custody.services import credential_lodge
from handovers import services as handovers
from handovers.models import AccountTransition
from incidents import services
from incidents.models import OPEN_STATES, PRESS_OFFICE_STEPS, Incident, IncidentStep, Step
from people.roles import Role
from tests.factories import OfficerFactory, SocialAccountFactory, UnitFactory
from tests.state_machines import SavepointMachine, Tally, run_machine

FSM = {
    (t.source, t.target): t.name
    for t in Incident._meta.get_field("state").get_all_transitions(Incident)
}
TRANSITION_ACTIONS = {"contain": "incident.contained", "resolve": "incident.resolved"}
assert set(FSM.values()) == set(TRANSITION_ACTIONS)
CAST = ["owner", "supervisor", "other_supervisor", "officer", "press", "auditor"]
PRESS = {"press"}
# How each account stands when the runs begin.
ACCOUNTS = ["active", "active_undated", "pending_setup", "in_handover", "repurposing"]
Status = SocialAccount.Status
TALLY = Tally()


class IncidentWorkflow(SavepointMachine):
    tally = TALLY

    def __init__(self):
        super().__init__()
        team = UnitFactory()
        supervisor = OfficerFactory(
            unit=team, rank="sergeant", roles=[Role.OFFICER, Role.SUPERVISOR]
        )
        people = {
            "owner": OfficerFactory(unit=team, supervisor=supervisor),
            "supervisor": supervisor,
            "other_supervisor": OfficerFactory(
                rank="sergeant", roles=[Role.OFFICER, Role.SUPERVISOR]
            ),
            "officer": OfficerFactory(),
            "press": OfficerFactory(rank="staff", roles=[Role.OFFICER, Role.PRESS_OFFICE]),
            "auditor": OfficerFactory(rank="staff", roles=[Role.AUDITOR]),
        }
        self.users = {name: officer.user for name, officer in people.items()}
        owner = people["owner"]
        made = {
            "active": SocialAccountFactory(owner=owner),
            # Registered as active without the date it started (the date is optional).
            "active_undated": SocialAccountFactory(owner=owner, activated_on=None),
            "pending_setup": SocialAccountFactory(owner=owner, status=Status.PENDING_SETUP),
            "in_handover": SocialAccountFactory(owner=owner),
            "repurposing": SocialAccountFactory(owner=owner),
        }
        self.accounts = {name: account.pk for name, account in made.items()}
        handovers.transition_start(
            actor=owner.user,
            account_id=made["in_handover"].pk,
            kind="closure",
            reason="The team is merging.",
        )
        handovers.transition_start(
            actor=owner.user,
            account_id=made["repurposing"].pk,
            kind="repurpose",
            reason="New post.",
            new_purpose="Posts about the new role.",
        )
        self.statuses = self._statuses()
        self.before_hack: dict[int, str] = {}  # account -> its status when its incident opened
        self.states: dict[int, str] = {}
        self.last_sequence = self._max_sequence()

    def _statuses(self) -> dict[int, str]:
        rows = SocialAccount.objects.filter(pk__in=self.accounts.values())
        return dict(rows.values_list("pk", "status"))

    def _open(self, account_id: int) -> Incident | None:
        return Incident.objects.filter(account_id=account_id, state__in=OPEN_STATES).first()

    def status_after(self, account_id: int) -> str:
        """What an account goes back to when its incident is resolved (the guidance)."""
        under_way = AccountTransition.objects.filter(
            account_id=account_id,
            state__in=["awaiting_successor", "awaiting_supervisor", "awaiting_press_office"],
            kind__in=["handover", "closure"],
        ).exists()
        if under_way:
            return Status.HANDOVER_PENDING
        if self.before_hack[account_id] == Status.PENDING_SETUP:
            return Status.PENDING_SETUP
        return Status.ACTIVE

    def _attempt(self, action: str, actor: str, account_id: int, call, allowed=None, must=False):
        expected_after = None
        incident = self._open(account_id)
        if action == "resolve" and incident is not None:
            expected_after = self.status_after(account_id)
        try:
            call()
        except (PermissionDenied, DomainError) as exc:
            refused, why = True, str(exc)
        else:
            refused, why = False, ""
        new_events = self._new_events()
        now = dict(
            Incident.objects.filter(account_id__in=self.accounts.values()).values_list(
                "pk", "state"
            )
        )
        moved = {pk: (self.states.get(pk), state) for pk, state in now.items()}
        moved = {pk: m for pk, m in moved.items() if m[0] != m[1]}
        statuses = self._statuses()
        self.tally["action"] += 1
        self.tally[f"{action} {'refused' if refused else 'done'}"] += 1
        what = f"{action} by {actor}"
        if refused:
            self.tally["action refused"] += 1
            assert not must, f"{what}: a step on the way was refused: {why}"
            assert not new_events, f"{what} was refused but wrote {new_events}"
            assert not moved, f"{what} was refused but moved {moved}"
            assert statuses == self.statuses, f"{what} was refused but changed an account"
            return
        assert actor != "auditor", f"the auditor's {action} succeeded"
        if allowed is not None:
            assert actor in allowed, f"{what} succeeded; only {allowed} may"
        transition_events = [e for e in new_events if e.action in TRANSITION_ACTIONS.values()]
        expected = dict(self.statuses)
        for pk, (before, after) in moved.items():
            if before is None:
                assert action == "report" and after == "reported"
                assert [e.object_id for e in new_events if e.action == "incident.reported"] == [
                    str(pk)
                ]
                self.before_hack[account_id] = self.statuses[account_id]
                expected[account_id] = Status.COMPROMISED
                continue
            name = FSM.get((before, after))
            self.tally[f"transition {name}"] += 1
            assert name == action, f"{action}: {before} -> {after} is not {action}"
            assert [
                (e.action, e.object_id, e.actor_id, e.changes["state"]) for e in transition_events
            ] == [(TRANSITION_ACTIONS[name], str(pk), self.users[actor].pk, [before, after])]
            if name == "resolve":
                self._check_resolution(pk, account_id, expected_after, new_events, actor)
                expected[account_id] = expected_after
                self.tally[f"recovered to {expected_after}"] += 1
        if not any(before for before, _after in moved.values()):
            assert not transition_events, f"{action} moved nothing but wrote {transition_events}"
        assert statuses == expected, f"{what}: the accounts are {statuses}, not {expected}"
        self.statuses = statuses
        self.states = now

    def _check_resolution(self, pk, account_id, status, new_events, actor):
        """A resolved incident has its whole checklist, once each, and its lessons; the account
        went back to `status` with one audit event by the person who resolved it."""
        incident = Incident.objects.get(pk=pk)
        steps = list(IncidentStep.objects.filter(incident=incident).values_list("step", flat=True))
        assert sorted(steps) == sorted(Step.values), f"resolved with steps {steps}"
        assert incident.lessons.strip() and incident.contained_at and incident.resolved_at
        assert incident.resolved_at >= incident.contained_at >= incident.reported_at
        recovered = [e for e in new_events if e.action == "socialaccount.recovered"]
        assert [(e.object_id, e.actor_id, e.changes["status"]) for e in recovered] == [
            (str(account_id), self.users[actor].pk, [Status.COMPROMISED, status])
        ], f"the account should go back to {status}: {[e.changes for e in recovered]}"

    def _actor(self, data, likely: set[str]) -> str:
        likely_ones = st.sampled_from(sorted(likely))
        return data.draw(st.one_of(st.sampled_from(CAST), likely_ones, likely_ones))

    def _account(self, data) -> int:
        return self.accounts[data.draw(st.sampled_from(ACCOUNTS))]

    def _report(self, actor, account_id, what, **kw):
        self._attempt(
            "report",
            actor,
            account_id,
            lambda: services.incident_report(
                actor=self.users[actor],
                account_id=account_id,
                what_happened=what,
                noticed_at=timezone.now(),
                link_clicked="yes",
            ),
            **kw,
        )

    def _step(self, actor, account_id, step, **kw):
        incident = self._open(account_id)
        self._attempt(
            "record_step",
            actor,
            account_id,
            lambda: services.incident_record_step(
                actor=self.users[actor], incident_id=incident.pk, step=step
            ),
            **kw,
        )

    def _lessons(self, actor, account_id, lessons, **kw):
        incident = self._open(account_id)
        self._attempt(
            "record_lessons",
            actor,
            account_id,
            lambda: services.incident_record_lessons(
                actor=self.users[actor], incident_id=incident.pk, lessons=lessons
            ),
            allowed=PRESS,
            **kw,
        )

    def _lodge(self, actor, account_id, **kw):
        account = SocialAccount.objects.get(pk=account_id)
        self._attempt(
            "lodge",
            actor,
            account_id,
            lambda: credential_lodge(
                actor=self.users[actor],
                account=account,
                login="team@police.example",
                password="Plaintext-Secret-x7!",
            ),
            allowed={"owner", "press"},
            **kw,
        )

    def _move(self, actor, account_id, name, incident_id, **kw):
        call = services.incident_contain if name == "contain" else services.incident_resolve
        self._attempt(
            name,
            actor,
            account_id,
            lambda: call(actor=self.users[actor], incident_id=incident_id),
            allowed=PRESS,
            **kw,
        )

    # -- the rules ----------------------------------------------------------------------------

    @rule(data=st.data(), what=st.sampled_from(["", "Posts I did not write.", "pw: hunter2"]))
    def report(self, data, what):
        self._report(self._actor(data, {"owner"}), self._account(data), what)

    @rule(data=st.data(), step=st.sampled_from(Step.values))
    def record_step(self, data, step):
        account_id = self._account(data)
        if self._open(account_id) is not None:
            self._step(self._actor(data, {"owner", "press"}), account_id, step)

    @rule(data=st.data(), lessons=st.sampled_from(["", "Do not click links in messages."]))
    def record_lessons(self, data, lessons):
        account_id = self._account(data)
        if self._open(account_id) is not None:
            self._lessons(self._actor(data, PRESS), account_id, lessons)

    @rule(data=st.data())
    def lodge(self, data):
        self._lodge(self._actor(data, {"owner", "press"}), self._account(data))

    @rule(data=st.data(), name=st.sampled_from(["contain", "resolve"]))
    def move(self, data, name):
        account_id = self._account(data)
        incident = Incident.objects.filter(account_id=account_id).order_by("-pk").first()
        if incident is not None:
            self._move(self._actor(data, PRESS), account_id, name, incident.pk)

    @rule(data=st.data())
    def see_it_through(self, data):
        """An account's incident (reported now if none is open) to resolution, each step by
        someone the rules allow, in an order the rules allow; the checks of every step apply."""
        account_id = self._account(data)
        if self._open(account_id) is None:
            self._report("owner", account_id, "Posts I did not write.", must=True)
        incident = self._open(account_id)
        if incident.fresh_credential() is None:
            self._lodge(data.draw(st.sampled_from(["owner", "press"])), account_id, must=True)
        done = set(incident.steps.values_list("step", flat=True))
        todo = [step for step in Step.values if step not in done]
        for step in data.draw(st.permutations(todo)):
            actor = (
                "press"
                if step in PRESS_OFFICE_STEPS
                else data.draw(st.sampled_from(["owner", "press", "supervisor"]))
            )
            self._step(actor, account_id, step, must=True)
        if incident.state == "reported":
            self._move("press", account_id, "contain", incident.pk, must=True)
        if not incident.lessons:
            self._lessons("press", account_id, "Do not click links in messages.", must=True)
        self._move("press", account_id, "resolve", incident.pk, must=True)

    @rule(data=st.data())
    def withdraw_the_handover(self, data):
        """The owner withdraws the closure or the repurposing (while hacked or not)."""
        name = data.draw(st.sampled_from(["in_handover", "repurposing"]))
        transition = AccountTransition.objects.filter(account_id=self.accounts[name]).first()
        try:
            handovers.transition_withdraw(
                actor=self.users["owner"], transition_id=transition.pk, reason="Not now."
            )
        except DomainError:
            return
        self._new_events()
        statuses = self._statuses()
        if self.statuses[self.accounts[name]] == Status.COMPROMISED or name == "repurposing":
            assert statuses == self.statuses
        else:
            assert statuses[self.accounts[name]] == Status.ACTIVE
        self.statuses = statuses
        self.tally[f"withdrew {name}"] += 1

    # -- what holds after every step ----------------------------------------------------------

    @invariant()
    def at_most_one_open_incident_and_compromised_while_open(self):
        open_ = list(
            Incident.objects.filter(state__in=OPEN_STATES).values_list("account_id", flat=True)
        )
        assert len(open_) == len(set(open_))
        compromised = {pk for pk, s in self._statuses().items() if s == Status.COMPROMISED}
        assert compromised == set(open_)

    @invariant()
    def each_step_recorded_once(self):
        doubled = (
            IncidentStep.objects.values("incident", "step").annotate(n=Count("pk")).filter(n__gt=1)
        )
        assert not doubled.exists(), list(doubled)


@pytest.mark.django_db
def test_incident_workflow_state_machine():
    run_machine(IncidentWorkflow, "incident machine", examples=12, steps=20)
