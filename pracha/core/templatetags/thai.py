"""Template filters for Thai display: dates in the Buddhist era, money, ID numbers."""

import datetime

from django import template

from pracha.core.money import bahttext as amount_in_words
from pracha.core.money import format_baht
from pracha.core.thai_dates import format_date, format_datetime
from pracha.core.thai_ids import format_thai_id

register = template.Library()


@register.filter
def thaidate(value: datetime.date | datetime.datetime | None, style: str = "") -> str:
    """{{ user.date_of_birth|thaidate }} or {{ entry.at|thaidate:"short" }}."""
    if value is None:
        return ""
    return format_date(value, short=style == "short")


@register.filter
def thaidatetime(value: datetime.datetime | None) -> str:
    return "" if value is None else format_datetime(value)


@register.filter
def baht(satang: int | None) -> str:
    return "" if satang is None else format_baht(int(satang))


@register.filter
def bahttext(satang: int | None) -> str:
    return "" if satang is None else amount_in_words(int(satang))


@register.filter
def thai_id(value: str | None) -> str:
    return "" if not value else format_thai_id(value)
