from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language_info

# How each language names itself on the language switch, when shorter than Django's name_local
# ("ภาษาไทย" is "the Thai language"; a switch just says "ไทย", as "English" is not "English language").
SELF_NAMES = {"th": "ไทย"}


def portal(request: HttpRequest) -> dict[str, Any]:
    return {
        "site_name": settings.PRACHA_SITE_NAME,
        "official_domain": settings.PRACHA_OFFICIAL_DOMAIN,
        "acting_for": getattr(request, "acting_for", None),
        "language_choices": [
            (code, SELF_NAMES.get(code, get_language_info(code)["name_local"]))
            for code, _name in settings.LANGUAGES
        ],
    }
