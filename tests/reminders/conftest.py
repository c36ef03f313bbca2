import datetime

import pytest

from tests.factories import PolicyVersionFactory


@pytest.fixture
def policy(db):
    """Published well before the dates these tests travel to."""
    return PolicyVersionFactory(version="3.0", published_on=datetime.date(2026, 1, 5))
