"""How many parts an SMS takes, counted as the phone counts them.

A text written only in the GSM 03.38 basic character set travels as 7-bit GSM: 160 characters in a
single message, 153 in each part of a long one (the rest of each part carries the header that joins
them up). A character of the extension table (^ { } \\ [ ~ ] | €) is sent as an escape and the character,
so it counts 2. Anything else, Thai included, makes the whole message UCS-2: 70 UTF-16 code units in a
single message, 67 per part, a character outside the Basic Multilingual Plane (most emoji) counting 2.
A character that counts 2 is never split between two parts.
"""

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


def _parts(sizes: list[int], single: int, per_part: int) -> tuple[int, int]:
    """The parts a text of characters of these sizes takes, and the room of each. A character of two
    (an escape and its character, or a surrogate pair) is never split between parts: when only one
    is left in a part, it starts the next."""
    if sum(sizes) <= single:
        return (1 if sizes else 0), single
    parts, room = 1, per_part
    for size in sizes:
        if size > room:
            parts, room = parts + 1, per_part
        room -= size
    return parts, per_part


def sms_length(text: str) -> SmsLength:
    """The encoding the phone will choose, the characters it counts, and the parts it sends."""
    if all(character in GSM_BASIC or character in GSM_EXTENSION for character in text):
        encoding, single, per_part = GSM_7, GSM_SINGLE, GSM_PER_PART
        sizes = [2 if character in GSM_EXTENSION else 1 for character in text]
    else:
        encoding, single, per_part = UCS_2, UCS_SINGLE, UCS_PER_PART
        sizes = [2 if ord(character) > 0xFFFF else 1 for character in text]  # UTF-16 code units
    parts, room = _parts(sizes, single, per_part)
    return SmsLength(encoding=encoding, characters=sum(sizes), parts=parts, per_part=room)
