"""factory_boy factories for every model; tests build exactly the people they need."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Delegation, Officer, SocialAccount, Unit
from accounts.roles import Role

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
        """OfficerFactory(roles=[Role.SUPERVISOR]); every officer also has the Officer role."""
        if not create:
            return
        names = {Role.OFFICER.value, *(r.value for r in (extracted or []))}
        self.user.groups.add(*Group.objects.filter(name__in=names))


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


class LeaveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.Leave"

    officer = factory.SubFactory(OfficerFactory)
    starts_on = factory.LazyFunction(timezone.localdate)
    ends_on = factory.LazyFunction(timezone.localdate)
    reason = "Annual leave"
    created_by = factory.LazyAttribute(lambda leave: leave.officer.user)
