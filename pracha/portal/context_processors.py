from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language_info

from pracha.agencies.public import agencies_where_permitted, is_officer, officer_permissions
from pracha.notifications.public import unread_count

# How each language names itself on the language switch, when shorter than Django's name_local
# ("ภาษาไทย" is "the Thai language"; a switch just says "ไทย", as "English" is not "English language").
SELF_NAMES = {"th": "ไทย"}
# The messages desks, in the order the "Messages desk" link tries them.
MESSAGES_DESKS = (
    ("notifications.view", "backoffice:messages-undelivered"),
    ("notifications.templates", "backoffice:message-templates"),
    ("notifications.keys", "backoffice:message-keys"),
)


def _unread_count(request: HttpRequest) -> int:
    """How many in-app messages the person signed in has not read: one count query, none for others."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return unread_count(user=user)


def _messages_desk_url(request: HttpRequest) -> str:
    """The first messages desk the officer may open, or "" when they may open none."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    held = officer_permissions(user)
    return next((reverse(name) for permission, name in MESSAGES_DESKS if permission in held), "")


def portal(request: HttpRequest) -> dict[str, Any]:
    return {
        "site_name": settings.PRACHA_SITE_NAME,
        "official_domain": settings.PRACHA_OFFICIAL_DOMAIN,
        "acting_for": getattr(request, "acting_for", None),
        # Lazy: only pages that show the navigation ask the database.
        "is_officer": SimpleLazyObject(lambda: is_officer(getattr(request, "user", None))),
        "is_payments_officer": SimpleLazyObject(
            lambda: bool(agencies_where_permitted(getattr(request, "user", None), "payments.view"))
        ),
        "is_documents_officer": SimpleLazyObject(
            lambda: bool(agencies_where_permitted(getattr(request, "user", None), "documents.revoke"))
        ),
        "messages_desk_url": SimpleLazyObject(lambda: _messages_desk_url(request)),
        # Lazy: counted only when the page shows the navigation of someone signed in.
        "unread_count": SimpleLazyObject(lambda: _unread_count(request)),
        "language_choices": [
            (code, SELF_NAMES.get(code, get_language_info(code)["name_local"]))
            for code, _name in settings.LANGUAGES
        ],
    }
