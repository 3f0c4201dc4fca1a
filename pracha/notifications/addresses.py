"""Addresses messages go to: normalising what people type, and masking what officers and the audit log
see. Pure functions (no database), so the services and the selectors can both use them."""

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

from pracha.core import phones
from pracha.core.errors import InvalidInput
from pracha.notifications.kinds import EMAIL, SMS

EMAIL_MAX_LENGTH = 254
BAD_EMAIL = _("Enter an e-mail address in the format name@example.com.")
BAD_PHONE = _("Enter a Thai mobile number, for example 081 234 5678.")
BAD_CHANNEL = _("Choose e-mail or SMS.")


def _invalid(field: str, message: Any) -> InvalidInput:
    return InvalidInput(message, fields={field: [message]})


def normalise_address(channel: str, address: str, *, field: str = "address") -> str:
    """An e-mail address trimmed and lower-cased, or a Thai mobile number as +66812345678, whichever
    way it was written (pracha.core.phones); InvalidInput on `field` otherwise."""
    text = (address or "").replace("\x00", "").strip()
    if channel == EMAIL:
        text = text.lower()
        try:
            EmailValidator()(text)
        except ValidationError:
            raise _invalid(field, BAD_EMAIL) from None
        if len(text) > EMAIL_MAX_LENGTH:
            raise _invalid(field, BAD_EMAIL)
        return text
    if channel == SMS:
        number = phones.thai_mobile(text)
        if number is None:
            raise _invalid(field, BAD_PHONE)
        return number
    raise _invalid("channel", BAD_CHANNEL)


def masked_address(address: str, *, channel: str = "") -> str:
    """An e-mail address or a mobile number as an officer's list or the audit log shows it: enough to
    tell two apart and to recognise one a person reads out, not enough to contact anyone.
    "+66812345678" -> "+66 8x xxx 5678", "somchai@example.com" -> "s***@example.com". The channel is
    worked out from the address when not given."""
    address = (address or "").strip()
    if not address:
        return ""
    if channel == EMAIL or (not channel and "@" in address):
        local, at, domain = address.rpartition("@")
        if not at or not local:
            return "***"
        return f"{local[0]}***@{domain}"
    digits = "".join(character for character in address if character.isdigit())
    if address.startswith(phones.COUNTRY_CODE) and len(digits) == 11:
        national = digits[2:]  # the 9 digits of a Thai mobile number after the country code
        return f"{phones.COUNTRY_CODE} {national[0]}x xxx {national[-4:]}"
    if len(digits) <= 4:
        return "x" * len(digits)
    return "x" * (len(digits) - 4) + digits[-4:]


def address_forms(address: str) -> list[str]:
    """The ways an address may appear in another system's words: a mobile number in international
    form, without its plus sign, and in its home form; an e-mail address as it is. Longest first."""
    if not address:
        return []
    number = phones.thai_mobile(address) if "@" not in address else None
    if number is None:
        return [address]
    return [number, number[1:], phones.national_mobile(number)]


def without_address(text: str, address: str) -> str:
    """`text` (another system's error message, say) with every appearance of `address` masked."""
    masked = masked_address(address)
    for form in address_forms(address):
        text = re.sub(re.escape(form), masked, text, flags=re.IGNORECASE)
    return text
