"""Thai 13-digit identifiers: the national ID number and the juristic person number.

Both end with a mod-11 check digit over the first twelve digits (weights 13 down to 2).
"""

from django.utils.translation import gettext_lazy as _

from pracha.core.errors import InvalidInput

ID_LENGTH = 13


def check_digit(first_twelve: str) -> int:
    total = sum(int(digit) * weight for digit, weight in zip(first_twelve, range(13, 1, -1), strict=True))
    return (11 - total % 11) % 10


def normalise_id(raw: str) -> str:
    """Drop the spaces and dashes people type between groups (1-2345-67890-12-3)."""
    return "".join(ch for ch in raw if ch not in " -\u00a0")


def _validate(raw: str, *, field: str, kind: str) -> str:
    value = normalise_id(raw or "")
    if not value:
        raise InvalidInput(
            _("Enter the %(kind)s.") % {"kind": kind}, fields={field: [_("This is required.")]}
        )
    if not value.isascii() or not value.isdigit():
        message = _("The %(kind)s may contain only the digits 0 to 9.") % {"kind": kind}
        raise InvalidInput(message, fields={field: [message]})
    if len(value) != ID_LENGTH:
        message = _("The %(kind)s must have exactly 13 digits; you entered %(count)d.") % {
            "kind": kind,
            "count": len(value),
        }
        raise InvalidInput(message, fields={field: [message]})
    if check_digit(value[:12]) != int(value[12]):
        message = _("The %(kind)s is not valid: the last digit does not match. Please check each digit.") % {
            "kind": kind
        }
        raise InvalidInput(message, fields={field: [message]})
    return value


def validate_national_id(raw: str, *, field: str = "national_id") -> str:
    """Return the 13 digits of a valid national ID number or raise InvalidInput naming what is wrong."""
    value = _validate(raw, field=field, kind=str(_("national ID number")))
    if value[0] == "0":
        message = _("A national ID number cannot start with 0.")
        raise InvalidInput(message, fields={field: [message]})
    return value


def validate_juristic_number(raw: str, *, field: str = "juristic_number") -> str:
    """Return the 13 digits of a valid juristic person number or raise InvalidInput."""
    return _validate(raw, field=field, kind=str(_("juristic person number")))


def format_thai_id(value: str) -> str:
    """Group 13 digits as printed on the card: 1-2345-67890-12-3."""
    if len(value) != ID_LENGTH:
        return value
    return f"{value[0]}-{value[1:5]}-{value[5:10]}-{value[10:12]}-{value[12]}"


def make_valid_id(first_twelve: str) -> str:
    """Complete twelve digits with their check digit (used to make synthetic test identities)."""
    return first_twelve + str(check_digit(first_twelve))
