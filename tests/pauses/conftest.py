import pytest

from people.roles import Role
from tests.factories import OfficerFactory, SocialAccountFactory, UnitFactory


@pytest.fixture
def lpu(db):
    """A local policing unit with two teams under it, and a unit beside it."""
    return UnitFactory(name="Birmingham East", code="be", kind="lpu")


@pytest.fixture
def teams(lpu):
    return [
        UnitFactory(name="Stechford NT", code="be-stechford", parent=lpu),
        UnitFactory(name="Hodge Hill NT", code="be-hodge-hill", parent=lpu),
    ]


@pytest.fixture
def elsewhere(db):
    return UnitFactory(name="Wolverhampton NT", code="wv-central")


@pytest.fixture
def press(db):
    return OfficerFactory(rank="staff", roles=[Role.OFFICER, Role.PRESS_OFFICE])


@pytest.fixture
def owner(teams):
    return OfficerFactory(unit=teams[0])


@pytest.fixture
def suspendable(owner):
    return SocialAccountFactory(owner=owner, handle="PriyaSharmaWMP")


@pytest.fixture
def unit_accounts(lpu, teams, elsewhere):
    """Accounts of the LPU itself, of each of its teams (one closed), and one elsewhere; the
    Stechford officer posts to two of them."""
    busy = OfficerFactory(unit=teams[0])
    return {
        "lpu": SocialAccountFactory(owner=OfficerFactory(unit=lpu), unit=lpu, handle="BEastWMP"),
        "stechford_1": SocialAccountFactory(owner=busy, handle="StechfordWMP"),
        "stechford_2": SocialAccountFactory(owner=busy, handle="StechfordCopsWMP"),
        "hodge": SocialAccountFactory(owner=OfficerFactory(unit=teams[1]), handle="HodgeHillWMP"),
        "closed": SocialAccountFactory(
            owner=OfficerFactory(unit=teams[1]), handle="OldHodgeWMP", status="closed"
        ),
        "elsewhere": SocialAccountFactory(owner=OfficerFactory(unit=elsewhere), handle="WolvesWMP"),
    }
