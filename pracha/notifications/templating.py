"""Templates with ((name)) placeholders: finding them, filling them in, and the rules a template must
keep before it is saved.

The rules protect the people who receive the messages: every message names the official domain (so a
genuine message can be told from a fake one); a message that carries a one-time code carries no link
(people are taught never to type a code into a page a message led them to); e-mail and in-app messages
have a subject and an SMS has none; an SMS stays short enough to arrive in a few parts.
"""

import re
from collections.abc import Mapping

from django.conf import settings
from django.utils.translation import gettext as _

from pracha.notifications.kinds import COMMON_PLACEHOLDERS, EMAIL, INAPP, SMS, Kind
from pracha.notifications.sms import sms_length

# ((name)): anything between double parentheses is meant as a placeholder, so a misspelt one
# ((Reference)), ((service name)) is named in the error rather than sent as written.
PLACEHOLDER = re.compile(r"\(\(([^()\n]{0,60})\)\)")
SUBJECT_MAX_LENGTH = 200  # Template.subject
BODY_MAX_LENGTH = 5000
SMS_MAX_PARTS = 4
# Written into a message that carries a one-time code, any of these is a link.
LINK_MARKERS = ("((link))", "http", "www.")


def placeholders_in(text: str) -> list[str]:
    """The placeholder names in `text`, in order of first appearance, each once."""
    names: list[str] = []
    for match in PLACEHOLDER.finditer(text):
        name = match.group(1).strip()
        if name not in names:
            names.append(name)
    return names


def allowed_placeholders(kind: Kind) -> frozenset[str]:
    return kind.placeholders | COMMON_PLACEHOLDERS


def render(text: str, values: Mapping[str, str]) -> str:
    """`text` with each ((name)) replaced by values[name]; KeyError names a placeholder with no value."""

    def value(match: re.Match[str]) -> str:
        return values[match.group(1).strip()]

    return PLACEHOLDER.sub(value, text)


def _names(names: list[str]) -> str:
    return ", ".join(f"(({name}))" for name in names)


def validate(*, kind: Kind, channel: str, language: str, subject: str, body: str) -> dict[str, list[str]]:
    """The problems of a template, by field ("subject", "body"); empty when it may be saved. Messages
    are in the active language and name the placeholder or rule at fault."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    allowed = allowed_placeholders(kind)
    for field, text in (("subject", subject), ("body", body)):
        unknown = [name for name in placeholders_in(text) if name not in allowed]
        if unknown:
            refuse(
                field,
                _("%(unknown)s is not a placeholder this kind of message provides. It can use: %(allowed)s.")
                % {"unknown": _names(unknown), "allowed": _names(sorted(allowed))},
            )
    if channel == SMS:
        if subject.strip():
            refuse("subject", _("An SMS has no subject: leave it empty."))
    elif channel in (EMAIL, INAPP) and not subject.strip():
        refuse("subject", _("Write a subject."))
    if len(subject) > SUBJECT_MAX_LENGTH:
        refuse("subject", _("Write at most %(limit)s characters.") % {"limit": SUBJECT_MAX_LENGTH})
    if not body.strip():
        refuse("body", _("Write the text of the message."))
        return errors
    if len(body) > BODY_MAX_LENGTH:
        refuse("body", _("Write at most %(limit)s characters.") % {"limit": BODY_MAX_LENGTH})
    if "domain" not in placeholders_in(body):
        refuse(
            "body",
            _(
                "The text must include ((domain)), in a sentence telling people how to recognise a "
                "genuine message from the platform."
            ),
        )
    if "code" in kind.placeholders:
        for field, text in (("subject", subject), ("body", body)):
            if any(marker in text.lower() for marker in LINK_MARKERS):
                refuse(
                    field,
                    _(
                        "A message with a one-time code must not contain a link (((link)), http or "
                        "www.): people must never be led to type a code into a page a message opened."
                    ),
                )
    elif channel == SMS and any(marker in body.lower() for marker in LINK_MARKERS):
        refuse(
            "body",
            _(
                "An SMS must not contain a link (((link)), http or www.): people are told that a link "
                "in an SMS is a fraud. Name ((domain)) for them to type instead."
            ),
        )
    if channel == SMS and "body" not in errors:
        parts = sms_length(render(body, sample_values(kind, language))).parts
        if parts > SMS_MAX_PARTS:
            refuse(
                "body",
                _("With typical values this SMS takes %(parts)s parts; at most %(limit)s are allowed.")
                % {"parts": parts, "limit": SMS_MAX_PARTS},
            )
    return errors


# Typical values, as long as real ones get: previews and the SMS length check use them.
SAMPLES: dict[str, dict[str, str]] = {
    "reference": {"th": "APP-2569-000123", "en": "APP-2569-000123"},
    "service": {"th": "ต่ออายุใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร", "en": "Certified copy of a house registration"},
    "receipt_number": {"th": "RC-BMA-BANG-RAK-2569-000123", "en": "RC-BMA-BANG-RAK-2569-000123"},
    "amount": {"th": "1,500.00 บาท", "en": "THB 1,500.00"},
    "due_date": {"th": "24 พ.ย. 2569", "en": "24 November 2026"},
    "description": {
        "th": "ค่าธรรมเนียมใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร",
        "en": "Food-shop permit fee",
    },
    "number": {"th": "FSP-2569-000123", "en": "FSP-2569-000123"},
    "title": {"th": "ใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร", "en": "Food-shop permit"},
    "reason": {
        "th": "ออกให้ผิดคน เพราะข้อมูลผู้ขอไม่ถูกต้อง",
        "en": "It was issued to the wrong person because the applicant's details were wrong.",
    },
    "topic": {"th": "ข่าวจากหน่วยงาน bma-bang-rak", "en": "news from agency bma-bang-rak"},
    "agency": {"th": "สำนักงานเขตบางรัก", "en": "Bang Rak District Office"},
    "subject": {"th": "ปิดปรับปรุงระบบวันเสาร์นี้", "en": "Service closed for maintenance on Saturday"},
    "body": {
        "th": "ระบบจะปิดปรับปรุงวันเสาร์นี้ เวลา 22.00-24.00 น. ขออภัยในความไม่สะดวก",
        "en": (
            "The service will be closed for maintenance on Saturday from 22:00 to 24:00. "
            "Sorry for the trouble."
        ),
    },
    "code": {"th": "123456", "en": "123456"},
    "minutes": {"th": "10", "en": "10"},
}
SAMPLE_LINK_PATH = "/applications/APP-2569-000123/"


def sample_values(kind: Kind, language: str) -> dict[str, str]:
    """A value for every placeholder of `kind` in `language`, as long as a real one typically is."""
    values = {
        "domain": settings.PRACHA_OFFICIAL_DOMAIN,
        "link": f"https://{settings.PRACHA_OFFICIAL_DOMAIN}{SAMPLE_LINK_PATH}",
    }
    for name in kind.placeholders:
        if name not in values:
            sample = SAMPLES.get(name, {})
            values[name] = sample.get(language) or sample.get("th") or name
    return values
