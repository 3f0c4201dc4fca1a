"""Thai mobile numbers, however people write them.

A Thai mobile number is 06, 08 or 09 followed by eight more digits when dialled at home
(0812345678), or +66 and the same number without its leading 0 in international form
(+66812345678). People write it with spaces, hyphens, dots or brackets ("081-234-5678",
"(081) 234.5678", "+66 81 234 5678"), with the country code and no plus sign ("66812345678"), with
the international call prefix ("0066812345678"), with the country code and the home 0 left in
("+66 (0)81 234 5678"), and sometimes in Thai digits ("๐๘๑๒๓๔๕๖๗๘").

`thai_mobile` turns every one of these into the international form, +66 and nine digits, and anything else
(a landline, a foreign number, a digit too many or too few, "00812345678") into None; callers turn None
into their own message for the field at fault. `national_mobile` gives the home form back.
"""

import re

# What people put between digits: spaces of any kind, hyphens, dots, brackets.
DECORATION = re.compile(r"[\s\-.()]")
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# The nine digits after +66 of a mobile number: 6, 8 or 9 and eight more.
SUBSCRIBER = re.compile(r"[689]\d{8}", re.ASCII)
COUNTRY_CODE = "+66"


def digits_of(raw: str) -> str:
    """The number as typed, without decoration and with Thai digits as 0-9 (a leading + is kept)."""
    return DECORATION.sub("", (raw or "").translate(THAI_DIGITS))


def thai_mobile(raw: str) -> str | None:
    """The number in international form ("+66812345678") when `raw` is a Thai mobile number written
    any common way, else None."""
    text = digits_of(raw)
    if text.startswith("+66"):
        rest = text[3:]
    elif text.startswith("0066"):
        rest = text[4:]
    elif text.startswith("66") and len(text) in (11, 12):
        rest = text[2:]
    elif text.startswith("0"):
        rest = text[1:]
        if not SUBSCRIBER.fullmatch(rest):  # a home number has exactly one leading 0
            return None
    else:
        return None
    if len(rest) == 10 and rest.startswith("0"):
        rest = rest[1:]  # "+66 (0)81 234 5678": the home 0 written after the country code
    return f"{COUNTRY_CODE}{rest}" if SUBSCRIBER.fullmatch(rest) else None


def national_mobile(number: str) -> str:
    """The home form ("0812345678") of a number `thai_mobile` gave ("+66812345678"). ValueError for
    anything else."""
    if not number.startswith(COUNTRY_CODE) or not SUBSCRIBER.fullmatch(number[len(COUNTRY_CODE) :]):
        raise ValueError(f"not a Thai mobile number in international form: {number!r}")
    return "0" + number[len(COUNTRY_CODE) :]
