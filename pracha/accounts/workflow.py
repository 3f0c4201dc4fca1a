"""Pure rules for people's details: what a valid name, phone number or date of birth is.

No ORM here. Forms and services both call these, so a rule and its message live in one place.
Each function returns the cleaned value or raises InvalidInput naming the field.
"""

import datetime
import re
import unicodedata

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from pracha.core import phones
from pracha.core.errors import InvalidInput
from pracha.core.thai_dates import BUDDHIST_ERA_OFFSET
from pracha.registries.public import normalise_laser_code

NAME_MAX_LENGTH = 100
# Thai letters, vowels and tone marks (not Thai digits or the baht sign), words separated by one space.
THAI_NAME = re.compile(r"[\u0E01-\u0E3A\u0E40-\u0E4E]+(?: [\u0E01-\u0E3A\u0E40-\u0E4E]+)*")
# As on a passport: A to Z, with the spaces, hyphens, apostrophes and full stops some names carry.
ENGLISH_NAME = re.compile(r"[A-Za-z][A-Za-z .'\-]*")
LASER_CODE = re.compile(r"[A-Z]{2}\d{10}")
# A year above this is taken to be in the Buddhist era: Thai people write 2533 for 1990.
BUDDHIST_ERA_THRESHOLD = 2400
EARLIEST_BIRTH_YEAR = 1900

# What the population register vouches for: fixed once the identity is verified.
LOCKED_WHEN_VERIFIED = ("first_name_th", "last_name_th", "first_name_en", "last_name_en", "date_of_birth")

NAME_LABELS = {
    "first_name_th": _("First name in Thai"),
    "last_name_th": _("Last name in Thai"),
    "first_name_en": _("First name in English"),
    "last_name_en": _("Last name in English"),
}
NAME_REQUIRED = {
    "first_name_th": _("Enter your first name in Thai."),
    "last_name_th": _("Enter your last name in Thai."),
    "first_name_en": _("Enter your first name in English."),
    "last_name_en": _("Enter your last name in English."),
}


def _fail(field: str, message: object) -> InvalidInput:
    return InvalidInput(str(message), fields={field: [str(message)]})


# Control characters (NUL, escape codes...) and unpaired surrogates: PostgreSQL refuses NUL, and the
# others have no place in a name and can garble what is shown or logged. Tabs and line breaks never get
# here: callers fold whitespace into single spaces first.
FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cs"})


def check_plain_text(value: str, *, field: str, label: str | Promise) -> str:
    """The value itself, or InvalidInput naming the field if it holds control characters."""
    if any(unicodedata.category(ch) in FORBIDDEN_CATEGORIES for ch in value):
        raise _fail(field, _("%(label)s must not contain control characters.") % {"label": label})
    return value


def _clean_name(raw: str, *, field: str, pattern: re.Pattern[str], wrong_letters: str | Promise) -> str:
    value = " ".join((raw or "").split())
    label = NAME_LABELS[field]
    if not value:
        raise _fail(field, NAME_REQUIRED[field])
    if len(value) > NAME_MAX_LENGTH:
        raise _fail(field, _("%(label)s must be 100 characters or fewer.") % {"label": label})
    if not pattern.fullmatch(value):
        raise _fail(field, wrong_letters % {"label": label})
    return value


def clean_thai_name(raw: str, *, field: str) -> str:
    wrong_letters = _("%(label)s must be written in Thai letters only, for example สมชาย.")
    return _clean_name(raw, field=field, pattern=THAI_NAME, wrong_letters=wrong_letters)


def clean_english_name(raw: str, *, field: str) -> str:
    wrong_letters = _("%(label)s must use the letters A to Z only, as on the back of your ID card.")
    return _clean_name(raw, field=field, pattern=ENGLISH_NAME, wrong_letters=wrong_letters)


def clean_thai_mobile(raw: str, *, field: str = "phone") -> str:
    """0812345678 from "081-234-5678", "081 234 5678", "+66 81 234 5678" or any other common writing
    (pracha.core.phones): the home form people recognise as theirs."""
    value = phones.digits_of(raw)
    if not value:
        raise _fail(field, _("Enter your mobile phone number."))
    if not value.removeprefix("+").isascii() or not value.removeprefix("+").isdigit():
        raise _fail(
            field, _("Mobile phone number may contain only the digits 0 to 9, for example 081 234 5678.")
        )
    number = phones.thai_mobile(value)
    if number is None:
        raise _fail(
            field,
            _(
                "Enter a Thai mobile phone number: 10 digits starting with 06, 08 or 09, "
                "for example 081 234 5678."
            ),
        )
    return phones.national_mobile(number)


def clean_laser_code(raw: str, *, field: str = "laser_code") -> str:
    """JT1234567890 from "JT1-2345678-90" as printed on the back of the ID card."""
    value = normalise_laser_code(raw or "")
    if not value:
        raise _fail(field, _("Enter the laser code from the back of your ID card."))
    if not value.isascii() or not LASER_CODE.fullmatch(value):
        raise _fail(
            field,
            _(
                "The laser code is 2 letters and 10 digits, as on the back of your ID card, "
                "for example JT1-2345678-90."
            ),
        )
    return value


def date_of_birth_from_parts(day: str, month: str, year: str, *, today: datetime.date) -> datetime.date:
    """A date of birth from three typed parts; a year above 2400 is in the Buddhist era."""
    field = "date_of_birth"
    parts = [(part or "").strip() for part in (day, month, year)]
    if not any(parts):
        raise _fail(field, _("Enter your date of birth."))
    if not all(parts):
        raise _fail(field, _("Date of birth must include a day, a month and a year, for example 15 1 2533."))
    if not all(part.isascii() and part.isdigit() for part in parts):
        raise _fail(field, _("Date of birth must be written in numbers, for example 15 1 2533."))
    if len(parts[2]) != 4:
        raise _fail(field, _("Year of birth must have 4 digits, for example 2533 or 1990."))
    number_day, number_month, number_year = (int(part) for part in parts)
    if number_year > BUDDHIST_ERA_THRESHOLD:
        number_year -= BUDDHIST_ERA_OFFSET
    try:
        value = datetime.date(number_year, number_month, number_day)
    except ValueError:
        raise _fail(field, _("Date of birth must be a real date, for example 15 1 2533.")) from None
    return check_date_of_birth(value, today=today)


def check_date_of_birth(value: datetime.date, *, today: datetime.date) -> datetime.date:
    field = "date_of_birth"
    if value >= today:
        raise _fail(field, _("Date of birth must be in the past."))
    if value.year < EARLIEST_BIRTH_YEAR:
        raise _fail(field, _("Date of birth must be in 1900 (2443 in the Buddhist era) or later."))
    return value
