import hashlib
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import verified_email, with_totp
from pracha.accounts import services
from pracha.accounts.models import ApiToken
from pracha.accounts.tests.conftest import client_for, form_errors
from pracha.accounts.tests.factories import UserFactory
from pracha.agencies.tests.factories import MembershipFactory
from pracha.audit.public import AuditEntry

ME = "/api/v1/accounts/me"
TOKENS = "/api/v1/accounts/tokens"
NOT_AUTHENTICATED = {"code": "not_authenticated", "message": "Please sign in first.", "fields": {}}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def api_client() -> Client:
    client = Client()
    client.cookies["pracha_language"] = "en"
    return client


@pytest.fixture
def owner_key(people: dict[str, Any]) -> str:
    _token, key = services.api_token_create(actor=people["owner"], name="Script")
    return key


@pytest.mark.django_db
def test_me_with_a_personal_token(people: dict[str, Any], owner_key: str) -> None:
    owner = people["owner"]

    response = api_client().get(ME, headers=bearer(owner_key))

    assert response.status_code == 200
    assert response.json() == {
        "public_id": str(owner.public_id),
        "national_id": owner.national_id,
        "first_name_th": owner.first_name_th,
        "last_name_th": owner.last_name_th,
        "first_name_en": owner.first_name_en,
        "last_name_en": owner.last_name_en,
        "date_of_birth": "1990-01-15",
        "phone": owner.phone,
        "email": owner.email,
        "assurance_level": "self_asserted",
        "verified_at": None,
    }
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.django_db
def test_me_with_the_browser_session(people: dict[str, Any]) -> None:
    response = client_for(people["owner"]).get(ME)

    assert response.status_code == 200
    assert response.json()["public_id"] == str(people["owner"].public_id)


@pytest.mark.django_db
@pytest.mark.parametrize("header", [{}, bearer("not-a-real-token"), {"Authorization": "Basic abc"}])
def test_me_without_valid_credentials_is_401(db: Any, header: dict[str, str]) -> None:
    response = api_client().get(ME, headers=header)

    assert response.status_code == 401
    assert response.json() == NOT_AUTHENTICATED


@pytest.mark.django_db
def test_a_revoked_token_is_refused(people: dict[str, Any], owner_key: str) -> None:
    token = ApiToken.objects.get()
    services.api_token_revoke(actor=people["owner"], token_public_id=token.public_id)

    assert api_client().get(ME, headers=bearer(owner_key)).status_code == 401


@pytest.mark.django_db
def test_a_deactivated_persons_token_is_refused(people: dict[str, Any], owner_key: str) -> None:
    type(people["owner"]).objects.filter(pk=people["owner"].pk).update(is_active=False)

    assert api_client().get(ME, headers=bearer(owner_key)).status_code == 401


MFA_REQUIRED = {
    "code": "permission_denied",
    "message": (
        "Officers and administrators must set up two-step sign-in before using the API from a browser."
    ),
    "fields": {},
}


def person_of_kind(kind: str) -> Any:
    if kind == "officer":
        officer = verified_email(UserFactory.create())
        MembershipFactory(user=officer)
        return officer
    flags = {"is_staff": True} if kind == "staff" else {"is_staff": True, "is_superuser": True}
    return verified_email(UserFactory.create(**flags))


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["officer", "staff", "superuser"])
def test_a_privileged_session_without_an_authenticator_is_refused(db: Any, kind: str) -> None:
    client = client_for(person_of_kind(kind))

    response = client.get(ME)
    created = client.post(TOKENS, {"name": "Script"}, content_type="application/json")

    assert (response.status_code, created.status_code) == (403, 403)
    assert response.json() == created.json() == MFA_REQUIRED
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["officer", "staff", "superuser"])
def test_a_privileged_session_with_an_authenticator_is_let_in(db: Any, kind: str) -> None:
    person = with_totp(person_of_kind(kind))

    assert client_for(person).get(ME).json()["public_id"] == str(person.public_id)


@pytest.mark.django_db
def test_creating_a_token_returns_its_key_once(people: dict[str, Any], owner_key: str) -> None:
    response = client_for(people["owner"]).post(
        TOKENS, {"name": "Second script"}, content_type="application/json"
    )

    assert response.status_code == 201
    body = response.json()
    token = ApiToken.objects.get(public_id=body["public_id"])
    assert body["key"][:8] == token.prefix == body["prefix"]
    assert token.key_hash == hashlib.sha256(body["key"].encode()).hexdigest()
    assert (body["name"], body["agency"], body["revoked_at"]) == ("Second script", None, None)
    assert api_client().get(ME, headers=bearer(body["key"])).status_code == 200
    listed = api_client().get(TOKENS, headers=bearer(owner_key)).json()
    assert all("key" not in item for item in listed)


@pytest.mark.django_db
def test_creating_a_token_with_the_session_needs_the_csrf_token(people: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["owner"])

    response = client.post(TOKENS, {"name": "Script"}, content_type="application/json")

    assert response.status_code == 403
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_bad_input_names_the_field(people: dict[str, Any], owner_key: str) -> None:
    response = client_for(people["owner"]).post(TOKENS, {"name": " "}, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_input",
        "message": "Enter a name for the token, for example the program that will use it.",
        "fields": {"name": ["Enter a name for the token, for example the program that will use it."]},
    }
    assert ApiToken.objects.count() == 1


@pytest.mark.django_db
def test_an_agency_token_needs_the_permission_in_that_agency(people: dict[str, Any]) -> None:
    client = client_for(people["officer_without"])

    response = client.post(
        TOKENS, {"name": "Tax system", "agency": "home-agency"}, content_type="application/json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert response.json()["fields"] == {
        "agency": ["You may create system tokens only for an agency where you manage tokens."]
    }
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_the_list_shows_own_and_managed_agency_tokens_only(people: dict[str, Any], owner_key: str) -> None:
    agency_token, _ = services.api_token_create(
        actor=people["officer_with"], name="Tax", agency_code="home-agency"
    )
    services.api_token_create(actor=people["other_citizen"], name="Theirs")

    owners = [item["name"] for item in client_for(people["owner"]).get(TOKENS).json()]
    colleague = UserFactory.create()
    MembershipFactory(
        user=colleague,
        agency=people["home_agency"],
        roles=list(people["officer_with"].memberships.get().roles.all()),
    )
    _t, colleague_key = services.api_token_create(actor=colleague, name="Mine")
    colleagues = [item["name"] for item in api_client().get(TOKENS, headers=bearer(colleague_key)).json()]

    assert owners == ["Script"]
    assert colleagues == ["Mine", "Tax"]
    assert agency_token.agency == people["home_agency"]


@pytest.mark.django_db
def test_revoking_a_token(people: dict[str, Any], owner_key: str) -> None:
    token = ApiToken.objects.get()
    _other, other_key = services.api_token_create(actor=people["owner"], name="Other")

    response = client_for(people["owner"]).delete(f"{TOKENS}/{token.public_id}")

    assert response.status_code == 204
    assert response.content == b""
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_client().get(ME, headers=bearer(owner_key)).status_code == 401
    assert api_client().get(ME, headers=bearer(other_key)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other_citizen", "officer_without", "officer_with", "officer_other_agency"])
def test_other_peoples_tokens_are_404(people: dict[str, Any], owner_key: str, who: str) -> None:
    token = ApiToken.objects.get()

    response = client_for(people[who]).delete(f"{TOKENS}/{token.public_id}")

    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": "No API token with that reference.",
        "fields": {},
    }
    token.refresh_from_db()
    assert token.revoked_at is None
    assert not AuditEntry.objects.filter(action="accounts.api_token_revoke").exists()


@pytest.mark.django_db
def test_anonymous_cannot_list_create_or_revoke(people: dict[str, Any], owner_key: str) -> None:
    token = ApiToken.objects.get()
    client = api_client()

    assert client.get(TOKENS).json() == NOT_AUTHENTICATED
    created = client.post(TOKENS, {"name": "x"}, content_type="application/json")
    revoked = client.delete(f"{TOKENS}/{token.public_id}")

    assert (created.status_code, revoked.status_code) == (401, 401)
    assert ApiToken.objects.count() == 1
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.django_db
def test_an_agency_system_token_cannot_manage_tokens(people: dict[str, Any]) -> None:
    _token, key = services.api_token_create(
        actor=people["officer_with"], name="Tax", agency_code="home-agency"
    )

    response = api_client().post(
        TOKENS, {"name": "Minted"}, content_type="application/json", headers=bearer(key)
    )

    assert response.status_code == 403
    assert ApiToken.objects.count() == 1


@pytest.mark.django_db
def test_last_use_is_written_at_most_once_a_minute(people: dict[str, Any], owner_key: str) -> None:
    api_client().get(ME, headers=bearer(owner_key))
    first = ApiToken.objects.get().last_used_at
    api_client().get(ME, headers=bearer(owner_key))

    assert ApiToken.objects.get().last_used_at == first
    assert first is not None and first <= timezone.now()


@pytest.mark.django_db
def test_the_openapi_schema_documents_the_accounts_routes(db: Any) -> None:
    paths = api_client().get("/api/v1/openapi.json").json()["paths"]

    assert {"/api/v1/accounts/me", "/api/v1/accounts/tokens", "/api/v1/accounts/tokens/{public_id}"} <= set(
        paths
    )


SESSION_REQUIRED = {
    "code": "permission_denied",
    "message": (
        "Tokens can be created and revoked only when you are signed in with a browser, not with a token."
    ),
    "fields": {},
}
NOT_FOR_AGENCY_SYSTEMS = {
    "code": "permission_denied",
    "message": "An agency system's token cannot be used for a person's own account or tokens.",
    "fields": {},
}


@pytest.fixture
def agency_key(people: dict[str, Any]) -> str:
    _token, key = services.api_token_create(
        actor=people["officer_with"], name="Tax", agency_code="home-agency"
    )
    return key


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["personal", "agency"])
@pytest.mark.parametrize("with_session", [False, True], ids=["token alone", "token and session"])
def test_no_bearer_token_creates_or_revokes_tokens(
    people: dict[str, Any], owner_key: str, agency_key: str, kind: str, with_session: bool
) -> None:
    key = owner_key if kind == "personal" else agency_key
    client = client_for(people["officer_with"]) if with_session else api_client()
    existing = ApiToken.objects.get(name="Script")

    minted = client.post(
        TOKENS,
        {"name": "Minted", "agency": "home-agency"},
        content_type="application/json",
        headers=bearer(key),
    )
    personal = client.post(TOKENS, {"name": "Minted"}, content_type="application/json", headers=bearer(key))
    revoked = client.delete(f"{TOKENS}/{existing.public_id}", headers=bearer(key))

    assert [r.status_code for r in (minted, personal, revoked)] == [403, 403, 403]
    assert minted.json() == personal.json() == revoked.json() == SESSION_REQUIRED
    assert ApiToken.objects.count() == 2
    assert not ApiToken.objects.filter(revoked_at__isnull=False).exists()
    assert AuditEntry.objects.filter(action="accounts.api_token_create").count() == 2
    assert not AuditEntry.objects.filter(action="accounts.api_token_revoke").exists()


@pytest.mark.django_db
def test_an_agency_token_gets_none_of_the_creating_officers_personal_data(
    people: dict[str, Any], agency_key: str
) -> None:
    services.api_token_create(actor=people["officer_with"], name="Officer's own")

    me = api_client().get(ME, headers=bearer(agency_key))
    listed = api_client().get(TOKENS, headers=bearer(agency_key))

    assert (me.status_code, listed.status_code) == (403, 403)
    assert me.json() == listed.json() == NOT_FOR_AGENCY_SYSTEMS
    assert people["officer_with"].national_id not in me.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"name": "a\u0000b"}, "name", "The token name must not contain control characters."),
        ({"name": "Script\u001b[31m"}, "name", "The token name must not contain control characters."),
        ({"name": "a\u007fb"}, "name", "The token name must not contain control characters."),
        ({"name": "a\ud800b"}, "name", "The token name must not contain control characters."),
        (
            {"name": "Tax", "agency": "home\u0000agency"},
            "agency",
            "The agency code must not contain control characters.",
        ),
    ],
    ids=["NUL", "escape", "DEL", "lone surrogate", "NUL in agency"],
)
def test_control_characters_are_refused_naming_the_field(
    people: dict[str, Any], payload: dict[str, str], field: str, message: str
) -> None:
    response = client_for(people["officer_with"]).post(TOKENS, payload, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"code": "invalid_input", "message": message, "fields": {field: [message]}}
    assert not ApiToken.objects.exists()
    assert not AuditEntry.objects.filter(action="accounts.api_token_create").exists()


@pytest.mark.django_db
def test_the_token_form_refuses_control_characters_too(people: dict[str, Any]) -> None:
    response = client_for(people["owner"]).post(reverse("accounts:tokens"), {"name": "Script\u001b"})

    assert form_errors(response) == {"name": ["The token name must not contain control characters."]}
    assert not ApiToken.objects.exists()
