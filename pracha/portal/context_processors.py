from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language_info

from pracha.agencies.public import agencies_where_permitted, is_officer

# How each language names itself on the language switch, when shorter than Django's name_local
# ("ภาษาไทย" is "the Thai language"; a switch just says "ไทย", as "English" is not "English language").
SELF_NAMES = {"th": "ไทย"}


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
        "language_choices": [
            (code, SELF_NAMES.get(code, get_language_info(code)["name_local"]))
            for code, _name in settings.LANGUAGES
        ],
    }
