import datetime

import pytest
from django.utils import translation

from pracha.core.thai_dates import buddhist_year, format_date, format_datetime

UTC = datetime.UTC
# Typed independently of the module: the full and abbreviated Thai month names, January to December.
THAI_MONTHS = [
    ("มกราคม", "ม.ค."),
    ("กุมภาพันธ์", "ก.พ."),
    ("มีนาคม", "มี.ค."),
    ("เมษายน", "เม.ย."),
    ("พฤษภาคม", "พ.ค."),
    ("มิถุนายน", "มิ.ย."),
    ("กรกฎาคม", "ก.ค."),
    ("สิงหาคม", "ส.ค."),
    ("กันยายน", "ก.ย."),
    ("ตุลาคม", "ต.ค."),
    ("พฤศจิกายน", "พ.ย."),
    ("ธันวาคม", "ธ.ค."),
]


def test_buddhist_year_is_543_years_ahead():
    assert buddhist_year(datetime.date(2026, 11, 24)) == 2569
    assert buddhist_year(datetime.date(2027, 1, 1)) == 2570
    assert buddhist_year(datetime.datetime(1999, 12, 31, 23, 59, tzinfo=UTC)) == 2542


@pytest.mark.parametrize(("month", "names"), list(enumerate(THAI_MONTHS, start=1)))
def test_every_month_in_thai(month, names):
    full, short = names
    day = datetime.date(2026, month, 15)
    assert format_date(day, lang="th") == f"15 {full} 2569"
    assert format_date(day, short=True, lang="th") == f"15 {short} 2569"


def test_thai_uses_the_buddhist_era_and_english_the_common_era():
    day = datetime.date(2026, 11, 24)
    assert format_date(day, lang="th") == "24 พฤศจิกายน 2569"
    assert format_date(day, short=True, lang="th") == "24 พ.ย. 2569"
    assert format_date(day, lang="en") == "24 November 2026"
    assert format_date(day, short=True, lang="en") == "24 Nov 2026"


def test_a_leap_day():
    assert format_date(datetime.date(2024, 2, 29), lang="th") == "29 กุมภาพันธ์ 2567"


def test_the_active_language_is_used_when_none_is_given():
    day = datetime.date(2026, 5, 1)
    with translation.override("th"):
        assert format_date(day) == "1 พฤษภาคม 2569"
    with translation.override("en"):
        assert format_date(day) == "1 May 2026"
        assert format_date(day, lang="th") == "1 พฤษภาคม 2569"


def test_aware_datetimes_are_shown_in_bangkok_time():
    # 20:00 UTC on New Year's Eve is already 03:00 on 1 January in Bangkok (UTC+7): a new BE year too.
    moment = datetime.datetime(2026, 12, 31, 20, 0, tzinfo=UTC)
    assert format_date(moment, lang="th") == "1 มกราคม 2570"
    assert format_date(moment, lang="en") == "1 January 2027"
    assert format_datetime(moment, lang="th") == "1 มกราคม 2570 เวลา 03:00 น."
    assert format_datetime(moment, lang="en") == "1 January 2027 at 03:00"


def test_an_hour_earlier_it_is_still_the_old_year_in_bangkok():
    moment = datetime.datetime(2026, 12, 31, 16, 59, tzinfo=UTC)
    assert format_datetime(moment, lang="th") == "31 ธันวาคม 2569 เวลา 23:59 น."


def test_a_datetime_in_another_zone_is_converted_too():
    tokyo = datetime.timezone(datetime.timedelta(hours=9))
    moment = datetime.datetime(2026, 6, 1, 8, 30, tzinfo=tokyo)  # 06:30 in Bangkok
    assert format_datetime(moment, lang="en") == "1 June 2026 at 06:30"


def test_naive_values_are_taken_as_they_are():
    assert format_date(datetime.datetime(2026, 12, 31, 23, 0), lang="th") == "31 ธันวาคม 2569"
    assert format_datetime(datetime.datetime(2026, 3, 9, 7, 5), lang="th") == "9 มีนาคม 2569 เวลา 07:05 น."
