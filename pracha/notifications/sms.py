"""How many parts an SMS takes, counted as the phone counts them.

A text written only in the GSM 03.38 basic character set travels as 7-bit GSM: 160 characters in a
single message, 153 in each part of a long one (the rest of each part carries the header that joins
them up). A character of the extension table (^ { } \\ [ ~ ] | €) is sent as an escape and the character,
so it counts 2. Anything else, Thai included, makes the whole message UCS-2: 70 UTF-16 code units in a
single message, 67 per part, a character outside the Basic Multilingual Plane (most emoji) counting 2.
"""

import math
from dataclasses import dataclass

GSM_7 = "GSM-7"
UCS_2 = "UCS-2"

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("^{}\\[~]|€")

GSM_SINGLE, GSM_PER_PART = 160, 153
UCS_SINGLE, UCS_PER_PART = 70, 67


@dataclass(frozen=True)
class SmsLength:
    encoding: str
    characters: int
    parts: int
    per_part: int


def _parts(characters: int, single: int, per_part: int) -> tuple[int, int]:
    if characters <= single:
        return (1 if characters else 0), single
    return math.ceil(characters / per_part), per_part


def sms_length(text: str) -> SmsLength:
    """The encoding the phone will choose, the characters it counts, and the parts it sends."""
    if all(character in GSM_BASIC or character in GSM_EXTENSION for character in text):
        characters = sum(2 if character in GSM_EXTENSION else 1 for character in text)
        parts, per_part = _parts(characters, GSM_SINGLE, GSM_PER_PART)
        return SmsLength(encoding=GSM_7, characters=characters, parts=parts, per_part=per_part)
    characters = len(text.encode("utf-16-le")) // 2
    parts, per_part = _parts(characters, UCS_SINGLE, UCS_PER_PART)
    return SmsLength(encoding=UCS_2, characters=characters, parts=parts, per_part=per_part)
