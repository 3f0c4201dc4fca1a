"""Checking free text people type (reasons, notes, messages) before a service stores it."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from pracha.core.errors import InvalidInput


def clean_text(value: str, *, field: str, limit: int, missing: Any, required: bool = True) -> str:
    """The text without NUL characters and surrounding spaces. InvalidInput on `field` when it is
    required but empty (with the message `missing`) or longer than `limit` characters."""
    text = (value or "").replace("\x00", "").strip()
    if required and not text:
        raise InvalidInput(missing, fields={field: [missing]})
    if len(text) > limit:
        message = _("Write at most %(limit)s characters.") % {"limit": limit}
        raise InvalidInput(message, fields={field: [message]})
    return text


def masked_name(name: str) -> str:
    """ "สมชาย ใจดี" -> "ส**** ใ***": enough for the person to recognise, not enough to identify anyone."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split())
