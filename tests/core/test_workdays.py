"""The one working-day calendar (moved here from the reminders and reports tests, assertions
kept), now correct for years no one typed in."""

import datetime

import pytest

from core import workdays
from core.workdays import working_days_before, working_days_between

D = datetime.date


@pytest.fixture(autouse=True)
def fresh_calendar():
    workdays._calendar.cache_clear()
    yield
    workdays._calendar.cache_clear()


def test_working_days_skip_weekends_and_bank_holidays():  # from tests/reminders
    assert working_days_before(D(2026, 11, 5), 3) == D(2026, 11, 2)
    assert working_days_before(D(2026, 11, 9), 1) == D(2026, 11, 6)
    # 25 and 28 December 2026 are bank holidays.
    assert working_days_before(D(2026, 12, 29), 1) == D(2026, 12, 24)


def test_working_days_between_skip_weekends_and_bank_holidays():  # from tests/reports
    friday, monday = D(2026, 11, 20), D(2026, 11, 23)
    assert working_days_between(friday, monday) == 1
    # Christmas Day (Fri) and the Boxing Day substitute (Mon 28th) are bank holidays.
    assert working_days_between(D(2026, 12, 24), D(2026, 12, 29)) == 1
    assert working_days_between(monday, friday) == 0


@pytest.mark.parametrize(
    "holiday",
    [
        # England and Wales, 2028: New Year's Day falls on a Saturday, so Monday 3 January.
        D(2028, 1, 3),
        D(2028, 4, 14),  # Good Friday
        D(2028, 4, 17),  # Easter Monday
        D(2028, 5, 1),
        D(2028, 5, 29),
        D(2028, 8, 28),
        D(2028, 12, 25),
        D(2028, 12, 26),
        # 2029
        D(2029, 1, 1),
        D(2029, 3, 30),  # Good Friday
        D(2029, 4, 2),  # Easter Monday
        D(2029, 5, 7),
        D(2029, 5, 28),
        D(2029, 8, 27),
        D(2029, 12, 25),
        D(2029, 12, 26),
    ],
)
def test_bank_holidays_of_2028_and_2029_are_not_working_days(holiday):
    assert holiday.weekday() < 5
    assert not workdays.is_working_day(holiday)
    # The working day before a bank holiday's next day skips the holiday itself.
    assert working_days_before(holiday + datetime.timedelta(days=1), 1) != holiday


def test_ages_across_easter_2028_and_christmas_2029():
    # Thursday 13 April 2028 to Tuesday 18 April: Good Friday, the weekend and Easter Monday
    # are skipped, so only Tuesday counts.
    assert working_days_between(D(2028, 4, 13), D(2028, 4, 18)) == 1
    assert working_days_before(D(2028, 4, 18), 1) == D(2028, 4, 13)
    # Monday 24 December 2029 to Thursday 27 December: Christmas and Boxing Day skipped.
    assert working_days_between(D(2029, 12, 24), D(2029, 12, 27)) == 1
    # New Year 2028 is observed on Monday 3 January: Friday 31 Dec 2027 to Tuesday 4 Jan = 1.
    assert working_days_between(D(2027, 12, 31), D(2028, 1, 4)) == 1


def test_force_closure_days_come_from_settings(settings):
    an_ordinary_wednesday = D(2028, 6, 14)
    assert workdays.is_working_day(an_ordinary_wednesday)
    settings.FORCE_CLOSURE_DAYS = ["2028-06-14"]
    assert not workdays.is_working_day(an_ordinary_wednesday)
    assert working_days_between(D(2028, 6, 13), D(2028, 6, 15)) == 1


def _walked(start, end):
    """The count as the calendar used to walk it, a day at a time."""
    days, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        if workdays.is_working_day(day):
            days += 1
    return days


def test_working_days_between_counts_what_a_day_by_day_walk_counts(settings):
    settings.FORCE_CLOSURE_DAYS = ["2026-06-03", "2027-01-02", "2026-08-01"]  # Wed, Sat, Sat
    starts = [D(2025, 12, 20) + datetime.timedelta(days=n) for n in range(0, 400, 9)]
    for start in starts:
        for span in (0, 1, 2, 5, 6, 7, 8, 13, 14, 30, 61, 365, 800):
            end = start + datetime.timedelta(days=span)
            assert working_days_between(start, end) == _walked(start, end), (start, end)
    assert working_days_between(D(2026, 6, 2), D(2026, 6, 3)) == 0  # the closure day
