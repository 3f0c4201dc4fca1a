import hashlib
from typing import Any

import pytest
from django.urls import reverse

from pracha.accounts import services
from pracha.accounts.models import ApiToken
from pracha.accounts.tests.conftest import client_for, form_errors
from pracha.accounts.tests.factories import UserFactory
from pracha.agencies.tests.factories import MembershipFactory
from pracha.audit.public import AuditEntry
from pracha.core.errors import InvalidInput, PermissionDenied


@pytest.fixture
def personal_token(people: dict[str, Any]) -> ApiToken:
    token, _key = services.api_token_create(actor=people["owner"], name="Accounting software")
    return token


@pytest.fixture
def agency_token(people: dict[str, Any]) -> ApiToken:
    token, _key = services.api_token_create(
        actor=people["officer_with"], name="Tax system", agency_code="home-agency"
    )
    return token


def revocations() -> int:
    return AuditEntry.objects.filter(action="accounts.api_token_revoke").count()


@pytest.mark.django_db
def test_creating_a_token_shows_the_key_once_and_stores_only_its_hash(people: dict[str, Any]) -> None:
    owner = people["owner"]
    client = client_for(owner)

    response = client.post(reverse("accounts:tokens"), {"name": "  Accounting   software "})

    assert response.status_code == 200
    key = response.context["key"]
    token = ApiToken.objects.get()
    assert (token.name, token.user, token.agency) == ("Accounting software", owner, None)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.prefix == key[:8]
    assert key in response.content.decode()
    assert "no-store" in response.headers["Cache-Control"]
    assert key not in client.get(reverse("accounts:tokens")).content.decode()
    entry = AuditEntry.objects.get(action="accounts.api_token_create")
    assert entry.payload == {"name": "Accounting software", "prefix": key[:8], "agency": ""}
    assert key not in str(entry.payload)


@pytest.mark.django_db
def test_a_token_needs_a_name(people: dict[str, Any]) -> None:
    response = client_for(people["owner"]).post(reverse("accounts:tokens"), {"name": "  "})

    assert form_errors(response) == {
        "name": ["Enter a name for the token, for example the program that will use it."]
    }
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_an_officer_managing_tokens_creates_an_agency_system_token(people: dict[str, Any]) -> None:
    response = client_for(people["officer_with"]).post(
        reverse("accounts:tokens"), {"name": "Tax system", "agency": "home-agency"}
    )

    assert response.status_code == 200
    assert ApiToken.objects.get().agency == people["home_agency"]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["owner", "officer_without", "officer_other_agency"])
def test_nobody_else_creates_a_token_for_the_agency(people: dict[str, Any], who: str) -> None:
    with pytest.raises(PermissionDenied):
        services.api_token_create(actor=people[who], name="Tax system", agency_code="home-agency")

    assert not ApiToken.objects.exists()
    assert not AuditEntry.objects.filter(action="accounts.api_token_create").exists()


@pytest.mark.django_db
def test_the_agency_choice_is_offered_only_where_the_officer_manages_tokens(people: dict[str, Any]) -> None:
    with_choice = client_for(people["officer_with"]).get(reverse("accounts:tokens")).context["form"]
    without_choice = client_for(people["officer_without"]).get(reverse("accounts:tokens")).context["form"]

    assert [code for code, _label in with_choice.fields["agency"].choices] == ["", "home-agency"]
    assert "agency" not in without_choice.fields


@pytest.mark.django_db
def test_a_name_too_long_is_refused(people: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        services.api_token_create(actor=people["owner"], name="x" * 101)

    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_the_owner_revokes_their_token(people: dict[str, Any], personal_token: ApiToken) -> None:
    client = client_for(people["owner"])

    assert client.get(reverse("accounts:token-revoke", args=[personal_token.public_id])).status_code == 200
    response = client.post(reverse("accounts:token-revoke", args=[personal_token.public_id]))

    assert response.headers["Location"] == reverse("accounts:tokens")
    personal_token.refresh_from_db()
    assert personal_token.revoked_at is not None
    assert revocations() == 1
    client.post(reverse("accounts:token-revoke", args=[personal_token.public_id]))
    assert revocations() == 1  # revoking again changes and records nothing


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other_citizen", "officer_without", "officer_with", "officer_other_agency"])
def test_nobody_else_sees_or_revokes_a_personal_token(
    people: dict[str, Any], personal_token: ApiToken, who: str
) -> None:
    client = client_for(people[who])

    assert client.get(reverse("accounts:token-revoke", args=[personal_token.public_id])).status_code == 404
    assert client.post(reverse("accounts:token-revoke", args=[personal_token.public_id])).status_code == 404
    assert personal_token not in client.get(reverse("accounts:tokens")).context["tokens"]
    personal_token.refresh_from_db()
    assert personal_token.revoked_at is None
    assert revocations() == 0


@pytest.mark.django_db
def test_anonymous_cannot_revoke(people: dict[str, Any], personal_token: ApiToken) -> None:
    response = client_for(None).post(reverse("accounts:token-revoke", args=[personal_token.public_id]))

    assert response.headers["Location"].startswith(reverse("account_login"))
    personal_token.refresh_from_db()
    assert personal_token.revoked_at is None


@pytest.mark.django_db
def test_another_officer_managing_the_agencys_tokens_revokes_its_token(
    people: dict[str, Any], agency_token: ApiToken
) -> None:
    colleague = UserFactory.create()
    MembershipFactory(
        user=colleague,
        agency=people["home_agency"],
        roles=list(people["officer_with"].memberships.get().roles.all()),
    )

    services.api_token_revoke(actor=colleague, token_public_id=agency_token.public_id)

    agency_token.refresh_from_db()
    assert agency_token.revoked_at is not None
    assert AuditEntry.objects.get(action="accounts.api_token_revoke").actor_id == str(colleague.public_id)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["owner", "other_citizen", "officer_without", "officer_other_agency"])
def test_nobody_outside_the_agency_revokes_its_token(
    people: dict[str, Any], agency_token: ApiToken, who: str
) -> None:
    response = client_for(people[who]).post(reverse("accounts:token-revoke", args=[agency_token.public_id]))

    assert response.status_code == 404
    agency_token.refresh_from_db()
    assert agency_token.revoked_at is None
    assert revocations() == 0
