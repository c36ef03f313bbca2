"""The monthly summary of times to contain and resolve."""

import datetime

import pytest

from incidents.selectors import times_by_month
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def _incident(reported, contain_h=None, resolve_h=None):
    return IncidentFactory(
        reported_at=reported,
        contained_at=reported + datetime.timedelta(hours=contain_h) if contain_h else None,
        resolved_at=reported + datetime.timedelta(hours=resolve_h) if resolve_h else None,
    )


def test_median_and_mean_by_month_over_the_incidents_that_got_there():
    march = datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC)
    april = datetime.datetime(2026, 4, 2, 8, tzinfo=datetime.UTC)
    _incident(march, contain_h=1, resolve_h=10)
    _incident(march, contain_h=2, resolve_h=20)
    _incident(march, contain_h=9, resolve_h=None)  # contained, not resolved
    _incident(april)  # still reported
    assert times_by_month() == [
        {
            "month": "2026-04",
            "count": 1,
            "contain_median": None,
            "contain_mean": None,
            "resolve_median": None,
            "resolve_mean": None,
        },
        {
            "month": "2026-03",
            "count": 3,
            "contain_median": 2.0,
            "contain_mean": 4.0,
            "resolve_median": 15.0,
            "resolve_mean": 15.0,
        },
    ]
