"""Pages with personal data are never kept by the browser or a proxy: on a shared computer the back
button or a cache must not show the previous person's details."""

from typing import Any

import pytest
from django.urls import reverse

from pracha.accounts import services
from pracha.accounts.tests.conftest import client_for

NEVER_CACHE = {"max-age=0", "no-cache", "no-store", "must-revalidate", "private"}


def cache_control(response: Any) -> set[str]:
    return {part.strip() for part in response.headers.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "method"),
    [
        ("accounts:my-account", "get"),
        ("accounts:edit-details", "get"),
        ("accounts:edit-details", "post"),
        ("accounts:verify-identity", "get"),
        ("accounts:verify-identity", "post"),
        ("accounts:data-export", "get"),
        ("accounts:data-export", "post"),
        ("accounts:tokens", "get"),
        ("accounts:token-revoke", "get"),
        ("accounts:person-lookup", "get"),
        ("accounts:person-lookup", "post"),
    ],
)
def test_personal_pages_are_never_cached(people: dict[str, Any], url_name: str, method: str) -> None:
    officer = people["officer_with"]
    token, _key = services.api_token_create(actor=officer, name="Script")
    url = reverse(url_name, args=[token.public_id] if url_name == "accounts:token-revoke" else [])
    data = {"national_id": people["owner"].national_id, "agency": "home-agency"} if method == "post" else None

    response = getattr(client_for(officer), method)(url, data)

    assert response.status_code == 200
    assert cache_control(response) >= NEVER_CACHE
