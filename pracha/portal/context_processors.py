from typing import Any

from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, Any]:
    return {
        "site_name": settings.PRACHA_SITE_NAME,
        "official_domain": settings.PRACHA_OFFICIAL_DOMAIN,
        "acting_for": getattr(request, "acting_for", None),
    }
