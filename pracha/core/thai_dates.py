"""Dates for people: Buddhist era with Thai month names in Thai, the Common Era in English."""

import datetime

from django.utils import timezone, translation

BUDDHIST_ERA_OFFSET = 543

THAI_MONTHS = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
THAI_MONTHS_SHORT = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
ENGLISH_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def buddhist_year(value: datetime.date) -> int:
    return value.year + BUDDHIST_ERA_OFFSET


def _local(value: datetime.date | datetime.datetime) -> datetime.date | datetime.datetime:
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def format_date(
    value: datetime.date | datetime.datetime, *, short: bool = False, lang: str | None = None
) -> str:
    """24 พฤศจิกายน 2569 in Thai, 24 November 2026 in English."""
    value = _local(value)
    lang = lang or translation.get_language() or "th"
    if lang.startswith("th"):
        months = THAI_MONTHS_SHORT if short else THAI_MONTHS
        return f"{value.day} {months[value.month - 1]} {buddhist_year(value)}"
    month = ENGLISH_MONTHS[value.month - 1]
    return f"{value.day} {month[:3] if short else month} {value.year}"


def format_datetime(value: datetime.datetime, *, lang: str | None = None) -> str:
    """24 พฤศจิกายน 2569 เวลา 14:05 น. in Thai, 24 November 2026 at 14:05 in English (Bangkok time)."""
    local = _local(value)
    lang = lang or translation.get_language() or "th"
    if lang.startswith("th"):
        return f"{format_date(local, lang=lang)} เวลา {local:%H:%M} น."
    return f"{format_date(local, lang=lang)} at {local:%H:%M}"
