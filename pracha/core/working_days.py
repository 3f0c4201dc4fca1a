"""Working days for SLA deadlines: Monday to Friday, minus Thai public holidays and declared days off.

The pure functions take the days off explicitly (any container of dates), so they can be tested without
settings. The wrappers below them use the configured calendar: the `holidays` package's Thai public and
government holidays, including its in-lieu days and cabinet bridge days, plus settings.PRACHA_EXTRA_HOLIDAYS.
"""

import datetime
from collections.abc import Container, Iterable
from functools import cache

import holidays
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from holidays.constants import GOVERNMENT, PUBLIC

SATURDAY = 5

DaysOff = Container[datetime.date]


def is_working_day(day: datetime.date, *, days_off: DaysOff) -> bool:
    return day.weekday() < SATURDAY and day not in days_off


def add_working_days(start: datetime.date, days: int, *, days_off: DaysOff) -> datetime.date:
    """The date `days` working days after `start` (start itself is not counted).

    With days=0: start if it is a working day, otherwise the next working day.
    """
    if days < 0:
        raise ValueError(f"days must not be negative, got {days}")
    day = start
    if days == 0:
        while not is_working_day(day, days_off=days_off):
            day += datetime.timedelta(days=1)
        return day
    remaining = days
    while remaining:
        day += datetime.timedelta(days=1)
        if is_working_day(day, days_off=days_off):
            remaining -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date, *, days_off: DaysOff) -> int:
    """Working days after start up to and including end; negative when end is before start.

    So a due date's own working day counts as "0 left" on the day, and -N means overdue by N working days.
    """
    if end < start:
        return -working_days_between(end, start, days_off=days_off)
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day, days_off=days_off):
            count += 1
    return count


@cache
def _holidays_of_year(year: int) -> frozenset[datetime.date]:
    # GOVERNMENT adds the civil service's own days off (the Royal Ploughing Ceremony): SLAs bind officers.
    return frozenset(holidays.Thailand(years=year, categories=(PUBLIC, GOVERNMENT)).keys())


def _extra_days_off() -> frozenset[datetime.date]:
    # Read on every use, not cached: the list is short and a changed setting must take effect at once.
    try:
        return frozenset(datetime.date.fromisoformat(value) for value in settings.PRACHA_EXTRA_HOLIDAYS)
    except ValueError as error:
        raise ImproperlyConfigured(f"PRACHA_EXTRA_HOLIDAYS must be ISO dates (YYYY-MM-DD): {error}") from None


def thai_days_off(years: Iterable[int]) -> frozenset[datetime.date]:
    """Every configured day off (public and government holidays plus extra days) in the given years."""
    wanted = set(years)
    package = frozenset().union(*(_holidays_of_year(year) for year in wanted))
    return package | {day for day in _extra_days_off() if day.year in wanted}


class _ConfiguredDaysOff:
    """The configured calendar as a container, loading each year only when a date in it is asked about."""

    def __init__(self) -> None:
        self._extra = _extra_days_off()

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, datetime.date):
            return False
        return day in self._extra or day in _holidays_of_year(day.year)


def due_date(start: datetime.date, days: int) -> datetime.date:
    return add_working_days(start, days, days_off=_ConfiguredDaysOff())


def working_days_left(today: datetime.date, due: datetime.date) -> int:
    """Working days left until due; negative: overdue by that many working days."""
    return working_days_between(today, due, days_off=_ConfiguredDaysOff())


def local_today() -> datetime.date:
    # The platform's zone, not any zone activated for a request: deadlines are Bangkok dates for everyone.
    return timezone.localdate(timezone=timezone.get_default_timezone())
