"""Money is an integer number of satang (1 baht = 100 satang); never a float."""

import re

from django.utils import translation
from pythainlp.util import num_to_thaiword

SATANG_PER_BAHT = 100


def format_baht(satang: int, *, lang: str | None = None) -> str:
    """12,345.50 บาท in Thai, THB 12,345.50 in English."""
    sign = "-" if satang < 0 else ""
    baht, rest = divmod(abs(satang), SATANG_PER_BAHT)
    figures = f"{sign}{baht:,}.{rest:02d}"
    lang = lang or translation.get_language() or "th"
    return f"{figures} บาท" if lang.startswith("th") else f"THB {figures}"


def satang_to_decimal_text(satang: int) -> str:
    """30000 -> "300.00": baht with two decimals and no separators, as machines exchange amounts."""
    sign = "-" if satang < 0 else ""
    baht, rest = divmod(abs(satang), SATANG_PER_BAHT)
    return f"{sign}{baht}.{rest:02d}"


def bahttext(satang: int) -> str:
    """The amount in Thai words as written on cheques and receipts: หนึ่งร้อยบาทถ้วน, ห้าสิบสตางค์."""
    if satang < 0:
        return "ลบ" + bahttext(-satang)
    baht, rest = divmod(satang, SATANG_PER_BAHT)
    if baht == 0 and rest == 0:
        return "ศูนย์บาทถ้วน"
    words = f"{num_to_thaiword(baht)}บาท" if baht else ""
    return words + (f"{num_to_thaiword(rest)}สตางค์" if rest else "ถ้วน")


# 1234, 1,234 or 1,234,567 baht, then up to two digits of satang; ASCII digits only.
AMOUNT_PATTERN = re.compile(r"(?P<whole>\d{1,3}(?:,\d{3})+|\d+)?(?:\.(?P<fraction>\d{0,2}))?", re.ASCII)


def baht_to_satang(text: str) -> int:
    """Parse "1,234.5" or "1234.50" typed by a person into satang, exactly."""
    cleaned = text.replace("บาท", "").strip()
    match = AMOUNT_PATTERN.fullmatch(cleaned)
    if match is None or not (match["whole"] or match["fraction"]):
        raise ValueError(f"not an amount of baht: {text!r}")
    whole = int((match["whole"] or "0").replace(",", ""))
    return whole * SATANG_PER_BAHT + int(((match["fraction"] or "") + "00")[:2])
