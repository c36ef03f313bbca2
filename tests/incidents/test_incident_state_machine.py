"""The incident workflow as a hypothesis state machine (issue 12, part 3).

A cast (the account's owner, their supervisor, another team's supervisor, an officer, the press
office, an auditor) reports, records steps and lessons, lodges new login details, contains and
resolves incidents on one account, in random order. A refusal (PermissionDenied or a
DomainError) is an answer; any other exception fails. After every step: an incident moves only
along a declared transition, with exactly one audit event naming it; a refused action writes
nothing; only the press office contains or resolves; the auditor changes nothing; at most one
incident of the account is open; each checklist step is recorded at most once; the audit chain
verifies. Each example runs in its own savepoint, rolled back at teardown."""

from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule, run_state_machine_as_test

from accounts.models import SocialAccount
from audit.models import AuditEvent
from audit.selectors import verify_chain
from core.errors import DomainError
from custody.services import credential_lodge
from incidents import services
from incidents.models import OPEN_STATES, PRESS_OFFICE_STEPS, Incident, IncidentStep, Step
from people.roles import Role
from tests.factories import OfficerFactory, SocialAccountFactory, UnitFactory
from tests.state_machines import SavepointMachine

FSM = {
    (t.source, t.target): t.name
    for t in Incident._meta.get_field("state").get_all_transitions(Incident)
}
TRANSITION_ACTIONS = {"contain": "incident.contained", "resolve": "incident.resolved"}
assert set(FSM.values()) == set(TRANSITION_ACTIONS)
CAST = ["owner", "supervisor", "other_supervisor", "officer", "press", "auditor"]
PRESS = {"press"}
SEEN: Counter = Counter()  # what the runs reached, printed at the end (pytest -s)


class IncidentWorkflow(SavepointMachine):
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
        self.account = SocialAccountFactory(owner=people["owner"], unit=team)
        self.states: dict[int, str] = {}
        self.last_sequence = self._max_sequence()

    def _open(self) -> Incident | None:
        return Incident.objects.filter(account=self.account, state__in=OPEN_STATES).first()

    def _attempt(self, action: str, actor: str, call, allowed: set[str] | None = None):
        try:
            call()
        except (PermissionDenied, DomainError):
            refused = True
        else:
            refused = False
        new_events = list(AuditEvent.objects.filter(sequence__gt=self.last_sequence))
        self.last_sequence = self._max_sequence()
        now = dict(Incident.objects.filter(account=self.account).values_list("pk", "state"))
        moved = {pk: (self.states.get(pk), state) for pk, state in now.items()}
        moved = {pk: m for pk, m in moved.items() if m[0] != m[1]}
        SEEN[f"{action} {'refused' if refused else 'done'}"] += 1
        if refused:
            assert not new_events, f"{action} by {actor} was refused but wrote {new_events}"
            assert not moved, f"{action} by {actor} was refused but moved {moved}"
            return
        assert actor != "auditor", f"the auditor's {action} succeeded"
        if allowed is not None:
            assert actor in allowed, f"{action} by {actor} succeeded; only {allowed} may"
        transition_events = [e for e in new_events if e.action in TRANSITION_ACTIONS.values()]
        for pk, (before, after) in moved.items():
            if before is None:
                assert action == "report" and after == "reported"
                assert [e.object_id for e in new_events if e.action == "incident.reported"] == [
                    str(pk)
                ]
                continue
            name = FSM.get((before, after))
            SEEN[f"transition {name}"] += 1
            assert name == action, f"{action}: {before} -> {after} is not {action}"
            assert [(e.action, e.object_id) for e in transition_events] == [
                (TRANSITION_ACTIONS[name], str(pk))
            ]
            assert transition_events[0].changes["state"] == [before, after]
        if not any(before for before, _after in moved.values()):
            assert not transition_events, f"{action} moved nothing but wrote {transition_events}"
        self.states = now

    def _actor(self, data, likely: set[str]) -> str:
        likely_ones = st.sampled_from(sorted(likely))
        return data.draw(st.one_of(st.sampled_from(CAST), likely_ones, likely_ones))

    @rule(data=st.data(), what=st.sampled_from(["", "Posts I did not write.", "pw: hunter2"]))
    def report(self, data, what):
        actor = self._actor(data, {"owner"})
        self._attempt(
            "report",
            actor,
            lambda: services.incident_report(
                actor=self.users[actor],
                account_id=self.account.pk,
                what_happened=what,
                noticed_at=timezone.now(),
                link_clicked="yes",
            ),
        )

    @rule(data=st.data(), step=st.sampled_from(Step.values))
    def record_step(self, data, step):
        incident = self._open()
        if incident is None:
            return
        actor = self._actor(data, {"owner", "press"})
        self._attempt(
            "record_step",
            actor,
            lambda: services.incident_record_step(
                actor=self.users[actor], incident_id=incident.pk, step=step
            ),
        )

    @rule()
    def work_through_the_checklist(self):
        """Every step not yet recorded, by the owner (the press office's by the press office),
        each one a step of its own: without it few runs would reach resolution."""
        incident = self._open()
        if incident is None:
            return
        if incident.fresh_credential() is None:
            self.lodge(_Chosen("owner"))
        done = set(incident.steps.values_list("step", flat=True))
        for step in Step.values:
            if step not in done:
                actor = "press" if step in PRESS_OFFICE_STEPS else "owner"
                self._attempt(
                    "record_step",
                    actor,
                    lambda step=step, actor=actor: services.incident_record_step(
                        actor=self.users[actor], incident_id=incident.pk, step=step
                    ),
                )
            self.audit_chain_verifies()

    @rule(data=st.data(), lessons=st.sampled_from(["", "Do not click links in messages."]))
    def record_lessons(self, data, lessons):
        incident = self._open()
        if incident is None:
            return
        actor = self._actor(data, PRESS)
        self._attempt(
            "record_lessons",
            actor,
            lambda: services.incident_record_lessons(
                actor=self.users[actor], incident_id=incident.pk, lessons=lessons
            ),
            allowed=PRESS,
        )

    @rule(data=st.data())
    def lodge(self, data):
        actor = self._actor(data, {"owner", "press"})
        account = SocialAccount.objects.get(pk=self.account.pk)
        self._attempt(
            "lodge",
            actor,
            lambda: credential_lodge(
                actor=self.users[actor],
                account=account,
                login="team@police.example",
                password="Plaintext-Secret-x7!",
            ),
            allowed={"owner", "press"},
        )

    @rule(data=st.data(), name=st.sampled_from(["contain", "resolve"]))
    def move(self, data, name):
        incident = Incident.objects.filter(account=self.account).order_by("-pk").first()
        if incident is None:
            return
        actor = self._actor(data, PRESS)
        call = services.incident_contain if name == "contain" else services.incident_resolve
        self._attempt(
            name,
            actor,
            lambda: call(actor=self.users[actor], incident_id=incident.pk),
            allowed=PRESS,
        )

    @invariant()
    def at_most_one_open_incident(self):
        assert Incident.objects.filter(account=self.account, state__in=OPEN_STATES).count() <= 1

    @invariant()
    def each_step_recorded_once(self):
        doubled = (
            IncidentStep.objects.values("incident", "step").annotate(n=Count("pk")).filter(n__gt=1)
        )
        assert not doubled.exists(), list(doubled)

    @invariant()
    def audit_chain_verifies(self):
        _checked, broken, why = verify_chain()
        assert broken is None, why


class _Chosen:
    """Stands for `st.data()` when a rule is taken as part of another, its actor chosen."""

    def __init__(self, actor: str):
        self.actor = actor

    def draw(self, _strategy):
        return self.actor


@pytest.mark.django_db
def test_incident_workflow_state_machine():
    run_state_machine_as_test(
        IncidentWorkflow,
        settings=settings(
            max_examples=30,
            stateful_step_count=25,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
    print(sorted(SEEN.items()))
