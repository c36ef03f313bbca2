"""core.dates draws dates as the template `date` filter does (the table rows built in Python
rely on it): in local time, across the clock change, for dates and for times."""

import datetime

import pytest
from django.template import Context, Template

from core.dates import short_date, time_tag

TAG = '<time datetime="{{ v|date:\'c\' }}">{{ v|date:"j M Y" }}</time>'
TAG_WITH_TIME = '<time datetime="{{ v|date:\'c\' }}">{{ v|date:"j M Y H:i" }}</time>'
DATE_FILTERS = Template(f'{TAG}|{{{{ v|date:"j M Y" }}}}')
TIME_FILTERS = Template(f'{TAG}|{TAG_WITH_TIME}|{{{{ v|date:"j M Y" }}}}')
UTC = datetime.UTC


@pytest.mark.parametrize(
    "value",
    [
        datetime.datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC),  # just before the clocks go forward
        datetime.datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        datetime.datetime(2026, 7, 1, 23, 30, 5, 123456, tzinfo=UTC),  # next day in London
        datetime.datetime(2026, 12, 31, 23, 59, tzinfo=UTC),
        datetime.date(2026, 1, 9),
    ],
)
def test_dates_are_drawn_as_the_date_filter_draws_them(value):
    with_time = isinstance(value, datetime.datetime)
    expected = (TIME_FILTERS if with_time else DATE_FILTERS).render(Context({"v": value}))
    drawn = "|".join(
        [str(time_tag(value))]
        + ([str(time_tag(value, with_time=True))] if with_time else [])
        + [short_date(value)]
    )
    assert drawn == expected


def test_no_date_is_drawn_as_nothing():
    assert short_date(None) == ""
