"""PromptPay QR payloads (EMVCo merchant-presented mode, as the Thai QR Payment standard uses it).

Builds the bill-payment form (tag 30) Pracha prints on every bill, the personal-transfer form (tag 29)
for completeness and for checking against published payloads, and parses either. Pure Python with no
Django, because the bank simulator, a separate process, parses with it too.

A payload is a run of fields, each a two-digit tag, a two-digit length and the value; tags 29 and 30
hold sub-fields in the same shape. Fields are written in ascending tag order (EMVCo only fixes tag 00
first and the CRC, tag 63, last); the parser accepts any order.
"""

import re
from dataclasses import dataclass
from typing import Literal

BILL_PAYMENT_AID = "A000000677010112"
PERSONAL_TRANSFER_AID = "A000000677010111"
THAI_BAHT = "764"
THAILAND = "TH"
STATIC = "11"  # the payer types the amount
DYNAMIC = "12"  # the amount is in the code
# Tag 54 holds at most 13 characters, so 9,999,999,999.99 baht is the largest amount a payload can carry.
MAX_AMOUNT_SATANG = 10**12 - 1

BILLER_ID = re.compile(r"\d{15}", re.ASCII)
REFERENCE = re.compile(r"[A-Z0-9]{1,20}", re.ASCII)
THAI_MOBILE = re.compile(r"0\d{8,9}", re.ASCII)
THIRTEEN_DIGITS = re.compile(r"\d{13}", re.ASCII)
AMOUNT = re.compile(r"(\d{1,10})(?:\.(\d{1,2}))?", re.ASCII)
CRC_DIGITS = re.compile(r"[0-9A-Fa-f]{4}", re.ASCII)
TWO_DIGITS = re.compile(r"\d\d", re.ASCII)

REQUIRED_TAGS = {"00": "payload format indicator", "53": "currency", "58": "country"}


class PayloadError(ValueError):
    """A payload that is not a well-formed PromptPay payload; the message says what is wrong."""


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial 0xFFFF, no reflection, no final XOR."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
        crc &= 0xFFFF
    return crc


def _field(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"the value of tag {tag} is {len(value)} characters long; at most 99 fit")
    return f"{tag}{len(value):02d}{value}"


def _amount_text(amount_satang: int) -> str:
    if isinstance(amount_satang, bool) or not isinstance(amount_satang, int):
        raise ValueError(f"the amount must be an integer number of satang, not {amount_satang!r}")
    if not 0 < amount_satang <= MAX_AMOUNT_SATANG:
        raise ValueError(f"the amount must be between 1 and {MAX_AMOUNT_SATANG} satang, not {amount_satang}")
    baht, satang = divmod(amount_satang, 100)
    return f"{baht}.{satang:02d}"


def _payload(account_tag: str, account: str, amount_satang: int | None) -> str:
    body = (
        _field("00", "01")
        + _field("01", STATIC if amount_satang is None else DYNAMIC)
        + _field(account_tag, account)
        + _field("53", THAI_BAHT)
        + ("" if amount_satang is None else _field("54", _amount_text(amount_satang)))
        + _field("58", THAILAND)
        + "6304"
    )
    return f"{body}{crc16_ccitt_false(body.encode('ascii')):04X}"


def bill_payment_payload(
    *, biller_id: str, ref1: str, ref2: str = "", amount_satang: int | None = None
) -> str:
    """The tag-30 bill-payment payload: biller ID (15 digits), Reference 1 and optional Reference 2
    (1-20 upper-case letters or digits), and the amount if the code should carry one."""
    if not BILLER_ID.fullmatch(biller_id):
        raise ValueError(f"the biller ID must be 15 digits, not {biller_id!r}")
    if not REFERENCE.fullmatch(ref1):
        raise ValueError(f"Reference 1 must be 1 to 20 upper-case letters or digits, not {ref1!r}")
    if ref2 and not REFERENCE.fullmatch(ref2):
        raise ValueError(f"Reference 2 must be 1 to 20 upper-case letters or digits, not {ref2!r}")
    account = (
        _field("00", BILL_PAYMENT_AID)
        + _field("01", biller_id)
        + _field("02", ref1)
        + (_field("03", ref2) if ref2 else "")
    )
    return _payload("30", account, amount_satang)


def personal_transfer_payload(
    *, mobile: str | None = None, national_id: str | None = None, amount_satang: int | None = None
) -> str:
    """The tag-29 payload for a transfer to a person's PromptPay: a Thai phone number (0812345678; dashes
    and spaces are ignored) or a 13-digit national ID or tax ID, exactly one of them."""
    if (mobile is None) == (national_id is None):
        raise ValueError("give either a mobile number or a national ID, not both or neither")
    if mobile is not None:
        number = re.sub(r"[-\s]", "", mobile)
        if not THAI_MOBILE.fullmatch(number):
            raise ValueError(f"the mobile number must be 9 or 10 digits starting with 0, not {mobile!r}")
        # International form without the leading 0, in a 13-digit field: 0812345678 -> 0066812345678.
        proxy = _field("01", f"66{number[1:]}".rjust(13, "0"))
    else:
        number = re.sub(r"[-\s]", "", national_id or "")
        if not THIRTEEN_DIGITS.fullmatch(number):
            raise ValueError(f"the national ID must be 13 digits, not {national_id!r}")
        proxy = _field("02", number)
    return _payload("29", _field("00", PERSONAL_TRANSFER_AID) + proxy, amount_satang)


@dataclass(frozen=True)
class ParsedPayload:
    """A parsed payload. `fields` holds every top-level tag and its raw value; the attributes are the
    parts a payer's bank needs, "" where the payload has no such part."""

    fields: dict[str, str]
    point_of_initiation: str  # "11" static, "12" dynamic, "" if absent
    kind: Literal["bill_payment", "personal_transfer"]
    biller_id: str
    ref1: str
    ref2: str
    mobile: str  # in the local form, 0812345678
    national_id: str
    ewallet_id: str
    amount_satang: int | None
    currency: str
    country: str


def _read_fields(text: str, where: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    position = 0
    while position < len(text):
        tag, length = text[position : position + 2], text[position + 2 : position + 4]
        if len(length) < 2:
            raise PayloadError(f"The field at position {position} of {where} is cut short.")
        if not TWO_DIGITS.fullmatch(tag):
            raise PayloadError(f"The tag at position {position} of {where} is {tag!r}, not two digits.")
        if not TWO_DIGITS.fullmatch(length):
            raise PayloadError(f"The length of tag {tag} in {where} is {length!r}, not two digits.")
        start, end = position + 4, position + 4 + int(length)
        if end > len(text):
            raise PayloadError(
                f"Tag {tag} in {where} says it is {int(length)} characters long, "
                f"but only {len(text) - start} are left."
            )
        if tag in fields:
            raise PayloadError(f"Tag {tag} appears twice in {where}.")
        fields[tag] = text[start:end]
        position = end
    return fields


def _check_crc(payload: str, fields: dict[str, str]) -> None:
    if "63" not in fields:
        raise PayloadError("The payload has no CRC (tag 63).")
    if not payload.endswith("63" + "04" + fields["63"]):
        raise PayloadError("The CRC (tag 63) must be the last field and 4 characters long.")
    if not CRC_DIGITS.fullmatch(fields["63"]):
        raise PayloadError(f"The CRC (tag 63) is {fields['63']!r}, not 4 hexadecimal digits.")
    expected = crc16_ccitt_false(payload[:-4].encode("utf-8"))
    if int(fields["63"], 16) != expected:
        raise PayloadError(
            f"The CRC is {fields['63'].upper()}, but the payload's contents give {expected:04X}."
        )


def _amount_satang(text: str) -> int:
    match = AMOUNT.fullmatch(text)
    if match is None:
        raise PayloadError(f"The amount (tag 54) is {text!r}, not a number with at most two decimals.")
    return int(match[1]) * 100 + int((match[2] or "").ljust(2, "0"))


def parse(payload: str) -> ParsedPayload:
    """Check a payload (field structure, CRC, required tags, the PromptPay application ID) and read it.
    Raises PayloadError with a plain English message for the first problem found."""
    fields = _read_fields(payload, "the payload")
    _check_crc(payload, fields)
    if not payload.startswith("00"):
        raise PayloadError("The payload must start with tag 00 (payload format indicator).")
    for tag, name in REQUIRED_TAGS.items():
        if tag not in fields:
            raise PayloadError(f"The payload has no tag {tag} ({name}).")
    if fields["00"] != "01":
        raise PayloadError(f"The payload format indicator (tag 00) is {fields['00']!r}, not '01'.")
    point_of_initiation = fields.get("01", "")
    if point_of_initiation not in ("", STATIC, DYNAMIC):
        raise PayloadError(f"The point of initiation (tag 01) is {point_of_initiation!r}, not '11' or '12'.")
    if ("29" in fields) == ("30" in fields):
        raise PayloadError(
            "The payload must have exactly one of tag 29 (PromptPay transfer) and tag 30 (bill payment)."
        )
    account_tag = "30" if "30" in fields else "29"
    where = f"tag {account_tag}"
    account = _read_fields(fields[account_tag], where)
    aid = account.get("00")
    if aid is None:
        raise PayloadError(f"Tag {account_tag} has no application ID (sub-tag 00).")
    if aid != {"29": PERSONAL_TRANSFER_AID, "30": BILL_PAYMENT_AID}[account_tag]:
        raise PayloadError(f"Tag {account_tag} has an unknown application ID {aid!r}.")
    if account_tag == "30":
        for sub_tag, name in (("01", "biller ID"), ("02", "Reference 1")):
            if sub_tag not in account:
                raise PayloadError(f"Tag 30 has no {name} (sub-tag {sub_tag}).")
    elif not {"01", "02", "03"} & account.keys():
        raise PayloadError("Tag 29 has no mobile number, national ID or e-wallet ID (sub-tag 01, 02 or 03).")
    mobile = account.get("01", "") if account_tag == "29" else ""
    if mobile:
        # 0066812345678 -> 0812345678: drop the padding and the country code 66.
        international = mobile.lstrip("0")
        if not (THIRTEEN_DIGITS.fullmatch(mobile) and international.startswith("66")):
            raise PayloadError(f"The mobile number in tag 29 is {mobile!r}, not 13 digits starting 0066.")
        mobile = "0" + international[2:]
    return ParsedPayload(
        fields=fields,
        point_of_initiation=point_of_initiation,
        kind="bill_payment" if account_tag == "30" else "personal_transfer",
        biller_id=account.get("01", "") if account_tag == "30" else "",
        ref1=account.get("02", "") if account_tag == "30" else "",
        ref2=account.get("03", "") if account_tag == "30" else "",
        mobile=mobile,
        national_id=account.get("02", "") if account_tag == "29" else "",
        ewallet_id=account.get("03", "") if account_tag == "29" else "",
        amount_satang=_amount_satang(fields["54"]) if "54" in fields else None,
        currency=fields["53"],
        country=fields["58"],
    )
