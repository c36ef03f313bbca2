"""factory_boy factories for every model; tests build exactly the people they need."""

import datetime
import json

import factory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import ActivityObservation, ImportJob, SocialAccount
from custody import crypto
from custody.models import Credential
from people.models import Delegation, Officer, Training, Unit
from people.roles import Role, ensure_role_groups

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@test.wmp.example")
    password = factory.django.Password(PASSWORD)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"Team {n}")
    code = factory.Sequence(lambda n: f"team-{n}")
    kind = Unit.Kind.TEAM
    parent = None


class OfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Officer
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    staff_number = factory.Sequence(lambda n: f"{10000 + n}")
    first_name = factory.Faker("first_name")
    surname = factory.Faker("last_name")
    rank = Officer.Rank.PC
    unit = factory.SubFactory(UnitFactory)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """The person's roles, exactly: OfficerFactory() holds the Officer role;
        OfficerFactory(roles=[Role.OFFICER, Role.SUPERVISOR]) a sergeant; and
        OfficerFactory(roles=[Role.AUDITOR]) an auditor who has an officer record but not the
        Officer role, as in the demo force (so the auditor cannot write)."""
        if not create:
            return
        groups = ensure_role_groups()
        roles = [Role.OFFICER] if extracted is None else extracted
        self.user.groups.add(*(groups[r] for r in roles))

    @factory.post_generation
    def trained(self, create, extracted, **kwargs):
        """The force's social media training, in date (completed a year ago, valid for ten so
        that tests moving the clock keep it), unless OfficerFactory(trained=False): a supervisor
        approves only a trained applicant."""
        if not create or extracted is False:
            return
        today = timezone.localdate()
        Training.objects.create(
            officer=self,
            course=settings.TRAINING_COURSE,
            completed_on=today - datetime.timedelta(days=365),
            expires_on=today + datetime.timedelta(days=3650),
            source=Training.Source.RECORDED,
            recorded_by=self.user,
        )


class DelegationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delegation

    supervisor = factory.SubFactory(OfficerFactory)
    acting = factory.SubFactory(OfficerFactory)
    starts_on = factory.LazyFunction(timezone.localdate)
    ends_on = factory.LazyFunction(timezone.localdate)
    reason = "Annual leave"
    created_by = factory.LazyAttribute(lambda d: d.supervisor.user)


class SocialAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SocialAccount

    platform = SocialAccount.Platform.X
    handle = factory.Sequence(lambda n: f"Officer{n}WMP")
    display_name = factory.LazyAttribute(lambda a: a.handle)
    kind = SocialAccount.Kind.INDIVIDUAL
    owner = factory.SubFactory(OfficerFactory)
    unit = factory.LazyAttribute(lambda a: a.owner.unit)
    status = SocialAccount.Status.ACTIVE
    activated_on = factory.LazyAttribute(
        lambda a: (
            None
            if a.status == SocialAccount.Status.PENDING_SETUP
            else timezone.localdate() - datetime.timedelta(days=200)
        )
    )


class LeaveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "people.Leave"

    officer = factory.SubFactory(OfficerFactory)
    starts_on = factory.LazyFunction(timezone.localdate)
    ends_on = factory.LazyFunction(timezone.localdate)
    reason = "Annual leave"
    created_by = factory.LazyAttribute(lambda leave: leave.officer.user)


class PolicyVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "approvals.PolicyVersion"

    title = "Social media policy"
    version = factory.Sequence(lambda n: f"1.{n}")
    text = "Every message serves a policing purpose. Crime cannot be reported through social media."
    published_on = factory.LazyFunction(timezone.localdate)
    published_by = factory.SubFactory(UserFactory)


class BusinessCaseFactory(factory.django.DjangoModelFactory):
    """A draft case; move it on through approvals.services, never by setting `state`."""

    class Meta:
        model = "approvals.BusinessCase"

    applicant = factory.SubFactory(OfficerFactory)
    unit = factory.LazyAttribute(lambda c: c.applicant.unit)
    platform = SocialAccount.Platform.X
    kind = SocialAccount.Kind.INDIVIDUAL
    handle = factory.Sequence(lambda n: f"Case{n}WMP")
    display_name = factory.LazyAttribute(lambda c: f"PC {c.applicant.surname}")
    policing_purpose = "Raise trust and confidence in the neighbourhood."
    audience = "Residents of the ward and local businesses."
    attracting_audience = "Follow local groups; tell residents at ward meetings."
    benefits_force = "Direct contact with the community."
    benefits_public = "Know what their team is doing about local priorities."
    expected_outcomes = "More information from the public about anti-social behaviour."
    communications_plan = "Three posts a week; the team covers leave."
    hours_per_week = 3
    is_event_or_campaign = False
    hashtag_alternative = "The account is for continuing neighbourhood engagement, not an event."


class PolicyAcknowledgementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "approvals.PolicyAcknowledgement"

    officer = factory.SubFactory(OfficerFactory)
    policy = factory.SubFactory(PolicyVersionFactory)
    personal_use_read = True


class ActivityObservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityObservation

    account = factory.SubFactory(SocialAccountFactory)
    source = ActivityObservation.Source.CHECK_IN
    observed_at = factory.LazyFunction(timezone.now)
    last_post_at = factory.LazyFunction(timezone.now)
    followers = None


class ImportJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportJob

    kind = ImportJob.Kind.REGISTER
    filename = "accounts.csv"
    content = "handle,display_name,owner_staff_number\n"
    reason = "Day-one load"
    created_by = factory.SubFactory(UserFactory)


class CredentialFactory(factory.django.DjangoModelFactory):
    """Sealed exactly as the service seals it; pass login= and password= to choose them."""

    class Meta:
        model = Credential
        exclude = ("login", "password", "notes", "sealed")

    account = factory.SubFactory(SocialAccountFactory)
    login = factory.LazyAttribute(lambda c: f"{c.account.handle.lower()}@police.example")
    password = factory.Sequence(lambda n: f"Plaintext-Secret-{n}-x7!")
    notes = ""
    sealed = factory.LazyAttribute(
        lambda c: crypto.seal(
            json.dumps({"login": c.login, "password": c.password, "notes": c.notes}).encode(),
            account_id=c.account.pk,
        )
    )
    key_id = factory.LazyAttribute(lambda c: c.sealed.key_id)
    nonce = factory.LazyAttribute(lambda c: c.sealed.nonce)
    ciphertext = factory.LazyAttribute(lambda c: c.sealed.ciphertext)
    lodged_by = factory.LazyAttribute(lambda c: c.account.owner.user)
    lodged_at = factory.LazyFunction(timezone.now)
    encrypted_at = factory.LazyFunction(timezone.now)


# Incidents (issue 7). Open incidents are normally made through `incident_report`; these build
# rows directly for list and selector tests.
class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "incidents.Incident"

    account = factory.SubFactory(SocialAccountFactory, status=SocialAccount.Status.COMPROMISED)
    reported_by = factory.LazyAttribute(lambda i: i.account.owner.user)
    reported_at = factory.LazyFunction(timezone.now)
    credentials_required_since = factory.LazyAttribute(lambda i: i.reported_at)
    state_changed_at = factory.LazyAttribute(lambda i: i.reported_at)


class IncidentReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "incidents.Report"

    incident = factory.SubFactory(IncidentFactory)
    reported_by = factory.LazyAttribute(lambda r: r.incident.reported_by)
    what_happened = "Posts I did not write appeared after I clicked a link in a message."
    noticed_at = factory.LazyFunction(timezone.now)
    link_clicked = "yes"


class IncidentStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "incidents.IncidentStep"

    incident = factory.SubFactory(IncidentFactory)
    step = "password_changed"
    done_by = factory.LazyAttribute(lambda s: s.incident.account.owner.user)
    done_at = factory.LazyFunction(timezone.now)


class TimelineEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "incidents.TimelineEntry"

    incident = factory.SubFactory(IncidentFactory)
    kind = "note"
    text = "Checked the applications page."
    actor_label = "system"


class AccountTransitionFactory(factory.django.DjangoModelFactory):
    """A handover waiting for its successor; move it on through handovers.services, never by
    setting `state` (pass state= only to build a fixture directly in a later state)."""

    class Meta:
        model = "handovers.AccountTransition"

    account = factory.SubFactory(SocialAccountFactory)
    kind = "handover"
    state = "awaiting_successor"
    owner = factory.LazyAttribute(lambda t: t.account.owner)
    successor = factory.SubFactory(OfficerFactory)
    reason = "Moving to Response"
    started_by = factory.LazyAttribute(lambda t: t.owner.user)
    old_handle = factory.LazyAttribute(lambda t: t.account.handle)
    old_display_name = factory.LazyAttribute(lambda t: t.account.display_name)


class TransitionDecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "handovers.TransitionDecision"

    transition = factory.SubFactory(AccountTransitionFactory)
    stage = "successor"
    outcome = "accepted"
    decided_by = factory.LazyAttribute(lambda d: d.transition.successor.user)
    decided_by_label = "Successor"


class ChecklistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "handovers.Checklist"

    transition = factory.SubFactory(AccountTransitionFactory)


class CredentialDestructionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "handovers.CredentialDestruction"

    account = factory.SubFactory(SocialAccountFactory)
    lodged_at = factory.LazyFunction(timezone.now)
    key_id = "k1"
    destroyed_by = factory.SubFactory(UserFactory)
