import re
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from pracha.accounts import services
from pracha.accounts.models import ApiToken, User
from pracha.audit.public import AuditEntry


@pytest.fixture
def admin_client_en(db: Any) -> Client:
    admin = User.objects.create_superuser("1999900000016", "admin@example.test", "an-admin-password-2569")
    client = Client()
    client.cookies["pracha_language"] = "en"
    client.force_login(admin)
    return client


@pytest.mark.django_db
def test_the_person_page_never_shows_the_password_hash(
    admin_client_en: Client, people: dict[str, Any]
) -> None:
    owner = people["owner"]

    response = admin_client_en.get(reverse("admin:accounts_user_change", args=[owner.pk]))

    assert response.status_code == 200
    assert owner.national_id in response.content.decode()
    assert owner.password not in response.content.decode()
    assert "md5$" not in response.content.decode()


@pytest.mark.django_db
def test_adding_a_token_in_the_admin_shows_the_key_once_and_stores_its_hash(
    admin_client_en: Client, people: dict[str, Any]
) -> None:
    response = admin_client_en.post(
        reverse("admin:accounts_apitoken_add"),
        {"name": "Exchange gateway", "agency": people["home_agency"].pk},
    )

    assert response.status_code == 302
    token = ApiToken.objects.get()
    shown = " ".join(str(m) for m in get_messages(response.wsgi_request))
    key = re.search(r"is (\S+) — copy it now", shown)
    assert key is not None
    assert token.key_hash == ApiToken.hash_key(key.group(1))
    assert (token.name, token.agency) == ("Exchange gateway", people["home_agency"])
    assert AuditEntry.objects.filter(action="accounts.api_token_create").count() == 1


@pytest.mark.django_db
def test_the_revoke_action_revokes_through_the_service(
    admin_client_en: Client, people: dict[str, Any]
) -> None:
    token, _key = services.api_token_create(actor=people["owner"], name="Script")

    admin_client_en.post(
        reverse("admin:accounts_apitoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]}
    )

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.filter(action="accounts.api_token_revoke").count() == 1
