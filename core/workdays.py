"""The one working-day calendar: Monday to Friday, less the bank holidays of the force's
nation (the `holidays` package: `WORKING_DAYS_COUNTRY`, `WORKING_DAYS_SUBDIVISION`, England
by default, whose bank holidays are also Wales's) and the force's own closure days
(`FORCE_CLOSURE_DAYS`). Every age or deadline in working days is counted here."""

import datetime
import functools

import holidays
from django.conf import settings


@functools.cache
def _calendar(country: str, subdivision: str, closures: tuple[str, ...]) -> holidays.HolidayBase:
    calendar = holidays.country_holidays(country, subdiv=subdivision or None)
    calendar.update({datetime.date.fromisoformat(day): "Force closure" for day in closures})
    return calendar


def closed_days() -> holidays.HolidayBase:
    """Bank holidays and closure days; it grows by itself to whatever year is asked about."""
    return _calendar(
        settings.WORKING_DAYS_COUNTRY,
        settings.WORKING_DAYS_SUBDIVISION,
        tuple(sorted(settings.FORCE_CLOSURE_DAYS)),
    )


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in closed_days()


def working_days_before(day: datetime.date, days: int) -> datetime.date:
    """The date `days` working days before `day`."""
    left = days
    while left > 0:
        day -= datetime.timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (0 when `end` is not later): the
    count `working_days_before` walks back. Counted, not walked: the weekdays in the span less
    the closed weekdays in it (a report page asks this of fifty cases, some years old)."""
    if end <= start:
        return 0
    calendar = closed_days()
    for year in range(start.year, end.year + 1):
        _ = datetime.date(year, 1, 1) in calendar  # asking fills in the year's closed days
    closed = sum(1 for day in calendar if start < day <= end and day.weekday() < 5)
    return _weekdays_between(start, end) - closed


def _weekdays_between(start: datetime.date, end: datetime.date) -> int:
    """Mondays to Fridays after `start` up to and including `end`."""
    weeks, rest = divmod((end - start).days, 7)
    first = start.weekday()
    return weeks * 5 + sum(1 for i in range(1, rest + 1) if (first + i) % 7 < 5)
