import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from pracha.core.thai_dates import buddhist_year
from pracha.core.working_days import (
    add_working_days,
    due_date,
    is_working_day,
    local_today,
    thai_days_off,
    working_days_between,
    working_days_left,
)

D = datetime.date
NO_DAYS_OFF: frozenset[datetime.date] = frozenset()


def test_weekend_is_never_a_working_day():
    assert is_working_day(D(2026, 3, 6), days_off=NO_DAYS_OFF)  # Friday
    assert not is_working_day(D(2026, 3, 7), days_off=NO_DAYS_OFF)  # Saturday
    assert not is_working_day(D(2026, 3, 8), days_off=NO_DAYS_OFF)  # Sunday
    assert add_working_days(D(2026, 3, 6), 1, days_off=NO_DAYS_OFF) == D(2026, 3, 9)
    assert add_working_days(D(2026, 3, 6), 5, days_off=NO_DAYS_OFF) == D(2026, 3, 13)
    assert working_days_between(D(2026, 3, 6), D(2026, 3, 9), days_off=NO_DAYS_OFF) == 1


def test_songkran_2026_falls_on_weekdays_so_it_has_no_day_in_lieu():
    april = sorted(day for day in thai_days_off([2026]) if day.month == 4)
    assert april == [D(2026, 4, 6), D(2026, 4, 13), D(2026, 4, 14), D(2026, 4, 15)]  # Chakri Day, Songkran
    # Friday before Songkran: the next working day is the Thursday after it.
    assert due_date(D(2026, 4, 10), 1) == D(2026, 4, 16)
    assert due_date(D(2026, 4, 10), 2) == D(2026, 4, 17)
    assert working_days_left(D(2026, 4, 10), D(2026, 4, 20)) == 3


def test_songkran_2028_on_a_saturday_gives_the_monday_in_lieu():
    april = sorted(day for day in thai_days_off([2028]) if day.month == 4)
    assert april == [D(2028, 4, 6), D(2028, 4, 13), D(2028, 4, 14), D(2028, 4, 15), D(2028, 4, 17)]
    assert due_date(D(2028, 4, 12), 1) == D(2028, 4, 18)


def test_new_year_across_the_buddhist_era_change_from_2569_to_2570():
    start = D(2026, 12, 30)  # Wednesday, 30 December 2569
    assert buddhist_year(start) == 2569
    days_off = thai_days_off([2026, 2027])
    assert D(2026, 12, 31) in days_off  # New Year's Eve
    assert D(2027, 1, 1) in days_off  # New Year's Day
    # 31 Dec and 1 Jan are holidays, 2-3 Jan 2570 a weekend: the next working day is Monday 4 Jan 2570.
    assert due_date(start, 1) == D(2027, 1, 4)
    assert buddhist_year(due_date(start, 1)) == 2570
    assert due_date(D(2026, 12, 31), 3) == D(2027, 1, 6)
    assert working_days_left(start, D(2027, 1, 6)) == 3


def test_kings_birthday_28_july_joins_asarnha_bucha_and_buddhist_lent():
    assert {D(2026, 7, 28), D(2026, 7, 29), D(2026, 7, 30)} <= thai_days_off([2026])
    assert D(2026, 7, 27) not in thai_days_off([2026])
    assert due_date(D(2026, 7, 27), 1) == D(2026, 7, 31)
    assert due_date(D(2026, 7, 27), 2) == D(2026, 8, 3)


def test_government_only_day_off_and_cabinet_bridge_day_are_included():
    days_off = thai_days_off([2026])
    assert D(2026, 5, 13) in days_off  # Royal Ploughing Ceremony: a day off for the civil service
    assert D(2026, 1, 2) in days_off  # bridge day between New Year and the weekend
    assert D(2026, 12, 7) in days_off  # King Bhumibol's Birthday (Saturday 5 Dec), in lieu


def test_extra_configured_day_off_takes_effect_and_is_undone_with_the_setting():
    friday = D(2026, 3, 6)
    assert due_date(friday, 1) == D(2026, 3, 9)
    with override_settings(PRACHA_EXTRA_HOLIDAYS=["2026-03-09"]):
        assert due_date(friday, 1) == D(2026, 3, 10)
        assert working_days_left(friday, D(2026, 3, 10)) == 1
        assert D(2026, 3, 9) in thai_days_off([2026])
        assert D(2026, 3, 9) not in thai_days_off([2027])
    # Only the package's holidays are cached, per year: nothing stale is left behind.
    assert due_date(friday, 1) == D(2026, 3, 9)
    assert D(2026, 3, 9) not in thai_days_off([2026])


@override_settings(PRACHA_EXTRA_HOLIDAYS=["2026-03-09", "9/3/2569"])
def test_extra_day_off_that_is_not_an_iso_date_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured) as raised:
        due_date(D(2026, 3, 6), 1)
    assert str(raised.value) == (
        "PRACHA_EXTRA_HOLIDAYS must be ISO dates (YYYY-MM-DD): Invalid isoformat string: '9/3/2569'"
    )


def test_working_days_between_is_negative_when_overdue():
    # Due Friday 6 March 2026; on Tuesday 10 March it is two working days overdue.
    assert working_days_between(D(2026, 3, 10), D(2026, 3, 6), days_off=NO_DAYS_OFF) == -2
    assert working_days_left(D(2026, 3, 10), D(2026, 3, 6)) == -2
    # The weekend after the due date does not make it overdue yet.
    assert working_days_left(D(2026, 3, 8), D(2026, 3, 6)) == 0
    assert working_days_left(D(2026, 3, 6), D(2026, 3, 6)) == 0
    # Songkran does not count against the office: due Friday 10 April, on Thursday 16 April only 1 overdue.
    assert working_days_left(D(2026, 4, 16), D(2026, 4, 10)) == -1


def test_zero_days_from_a_saturday_is_the_next_working_day():
    assert add_working_days(D(2026, 3, 7), 0, days_off=NO_DAYS_OFF) == D(2026, 3, 9)
    assert add_working_days(D(2026, 3, 9), 0, days_off=NO_DAYS_OFF) == D(2026, 3, 9)
    # Saturday 11 April 2026: Sunday, then Songkran Monday to Wednesday.
    assert due_date(D(2026, 4, 11), 0) == D(2026, 4, 16)


def test_negative_days_are_refused():
    with pytest.raises(ValueError, match=r"^days must not be negative, got -1$"):
        add_working_days(D(2026, 3, 6), -1, days_off=NO_DAYS_OFF)


def test_local_today_is_the_bangkok_date(monkeypatch):
    # 17:30 UTC on 31 December 2026 is already 00:30 on 1 January 2027 (2570) in Bangkok.
    instant = datetime.datetime(2026, 12, 31, 17, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: instant)
    with timezone.override("UTC"):
        assert local_today() == D(2027, 1, 1)


@settings(max_examples=300, deadline=None)
@given(start=st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 31)), n=st.integers(0, 60))
def test_adding_then_counting_working_days_gives_back_the_same_number(start, n):
    days_off = thai_days_off(range(2020, 2032))
    due = add_working_days(start, n, days_off=days_off)
    assert is_working_day(due, days_off=days_off)
    if n > 0:
        assert working_days_between(start, due, days_off=days_off) == n
        assert working_days_between(due, start, days_off=days_off) == -n
