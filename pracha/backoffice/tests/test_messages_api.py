"""The send API, /api/v1/messages/: agencies' systems send e-mail and SMS with a messaging API key.

Keys are made with the notifications service, as the keys desk makes them. Test settings: locmem e-mail,
the immediate task backend (a message is sent when the transaction that queued it commits, so requests
run inside django_capture_on_commit_callbacks(execute=True) where the sending matters), no SMS gateway
unless a test sets one."""

import datetime
import json
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import translation

from pracha.agencies.public import Role
from pracha.agencies.tests.factories import MembershipFactory
from pracha.audit.public import AuditEntry
from pracha.core.errors import NotAuthenticated
from pracha.notifications.models import ApiKey, Message
from pracha.notifications.public import api_key_create, api_key_revoke
from pracha.notifications.tests.factories import ContactFactory, PersonFactory

URL = "/api/v1/messages/"
NOTICE = {"subject": "ปิดปรับปรุงระบบ", "body": "ระบบจะปิดปรับปรุงวันเสาร์นี้"}


def send_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "email",
        "to": "Somchai@Example.com",
        "kind": "agency_notice",
        "language": "th",
        "personalisation": dict(NOTICE),
    }
    body.update(overrides)
    return body


def api(secret: str | None = None, *, session_of: Any = None) -> Client:
    headers = {"Authorization": f"Bearer {secret}"} if secret is not None else {}
    client = Client(headers=headers)
    # Answers are Thai unless the language cookie says otherwise; these tests read English.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if session_of is not None:
        client.force_login(session_of)
    return client


def post(client: Client, body: Any) -> Any:
    return client.post(URL, data=json.dumps(body), content_type="application/json")


def key(
    people: dict[str, Any], key_type: str, *, agency: str = "home-agency", limit: int | None = None
) -> str:
    _api_key, secret = api_key_create(
        actor=people["officer_with"],
        agency_code=agency,
        name=f"{key_type} key",
        key_type=key_type,
        rate_limit_per_minute=limit,
    )
    return secret


# --- authentication -----------------------------------------------------------------------------------


NOT_AUTHENTICATED = {"code": "not_authenticated", "message": "Please sign in first.", "fields": {}}


def test_no_key_is_401(people: dict[str, Any]) -> None:
    response = post(api(), send_body())
    assert (response.status_code, response.json()) == (401, NOT_AUTHENTICATED)
    assert not Message.objects.exists()


def test_an_unknown_key_is_401(people: dict[str, Any]) -> None:
    response = post(api("pracha_live_deadbeef_notakey"), send_body())
    assert (response.status_code, response.json()) == (401, NOT_AUTHENTICATED)
    assert not Message.objects.exists()


def test_a_revoked_key_is_401(people: dict[str, Any]) -> None:
    secret = key(people, "live")
    api_key_revoke(actor=people["officer_with"], api_key=ApiKey.objects.get())
    client = api(secret)
    assert post(client, send_body()).status_code == 401
    assert client.get(f"{URL}00000000-0000-0000-0000-000000000000").status_code == 401
    assert client.put(f"{URL}callback", data={"url": ""}, content_type="application/json").status_code == 401
    assert not Message.objects.exists()


@pytest.mark.parametrize("who", ["owner", "officer_with"])
def test_a_signed_in_session_is_not_a_key(people: dict[str, Any], who: str) -> None:
    response = post(api(session_of=people[who]), send_body())
    assert response.status_code == 401
    assert not Message.objects.exists()


def test_a_persons_api_token_is_not_a_messaging_key(people: dict[str, Any]) -> None:
    from pracha.accounts.services import api_token_create

    _token, token_key = api_token_create(actor=people["officer_with"], name="mine", agency_code="")
    assert post(api(token_key), send_body()).status_code == 401
    assert not Message.objects.exists()


# --- sending ------------------------------------------------------------------------------------------


def test_a_live_key_queues_the_message_and_it_is_sent_on_commit(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = api(key(people, "live"))
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, send_body(reference="notice-1"))
    assert response.status_code == 201
    answer = response.json()
    message = Message.objects.get()
    assert answer == {
        "id": str(message.public_id),
        "status": "queued",  # answered before the transaction committed; sent on commit
        "channel": "email",
        "to": "somchai@example.com",
        "reference": "notice-1",
        "key_type": "live",
    }
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["somchai@example.com"]
    assert sent.subject == "ปิดปรับปรุงระบบ"
    agency = people["home_agency"]
    assert f"ระบบจะปิดปรับปรุงวันเสาร์นี้\n\n{agency.name_th}" in sent.body
    message.refresh_from_db()
    assert (message.status, message.agency_code, message.attempts) == ("sent", "home-agency", 1)
    entry = AuditEntry.objects.get(action="notifications.api_send")
    assert (entry.actor_id, entry.payload["agency"], entry.payload["key_type"]) == ("", "home-agency", "live")


def test_the_agency_name_follows_the_language(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = api(key(people, "live"))
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client,
            send_body(language="en", personalisation={"subject": "Closed", "body": "Closed on Saturday."}),
        )
    assert response.status_code == 201
    assert f"Closed on Saturday.\n\n{people['home_agency'].name_en}" in mail.outbox[0].body


def test_the_same_reference_is_one_message(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = api(key(people, "live"))
    with django_capture_on_commit_callbacks(execute=True):
        first = post(client, send_body(reference="notice-1"))
    with django_capture_on_commit_callbacks(execute=True):
        again = post(client, send_body(reference="notice-1"))
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["status"] == "sent"
    assert Message.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_test_key_is_delivered_and_never_sent(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = api(key(people, "test"))
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, send_body())
        sms = post(client, send_body(channel="sms", to="081-234-5678"))
    assert response.status_code == 201
    assert response.json()["status"] == "delivered"
    assert response.json()["key_type"] == "test"
    assert (sms.status_code, sms.json()["status"], sms.json()["to"]) == (201, "delivered", "+66812345678")
    assert mail.outbox == []
    assert set(Message.objects.values_list("status", "attempts")) == {("delivered", 0)}


def member_with_email(agency: Any, address: str) -> Any:
    person = PersonFactory()
    ContactFactory(user=person, channel="email", address=address)
    MembershipFactory(user=person, agency=agency, roles=[Role.objects.get(code="no-permissions")])
    return person


def test_a_team_key_sends_only_to_the_agencys_staff(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    member_with_email(people["home_agency"], "staff@home.example")
    member_with_email(people["other_agency"], "staff@other.example")
    ContactFactory(user=PersonFactory(), channel="email", address="citizen@example.com")
    client = api(key(people, "team"))

    for stranger in ("citizen@example.com", "staff@other.example", "nobody@example.com"):
        response = post(client, send_body(to=stranger))
        assert response.status_code == 403, stranger
        assert response.json() == {
            "code": "permission_denied",
            "message": "A team key sends only to your agency's staff.",
            "fields": {},
        }
    assert not Message.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, send_body(to="STAFF@home.example"))
    assert response.status_code == 201
    assert response.json()["key_type"] == "team"
    assert [sent.to for sent in mail.outbox] == [["staff@home.example"]]


def test_an_inactive_membership_is_not_staff(people: dict[str, Any]) -> None:
    person = member_with_email(people["home_agency"], "left@home.example")
    person.memberships.update(is_active=False)
    assert post(api(key(people, "team")), send_body(to="left@home.example")).status_code == 403
    assert not Message.objects.exists()


def test_the_keys_rate_limit_answers_429(people: dict[str, Any], frozen_rate_clock: None) -> None:
    client = api(key(people, "test", limit=2))
    assert [post(client, send_body(to=f"person{n}@example.com")).status_code for n in range(2)] == [201, 201]
    refused = post(client, send_body(to="person3@example.com"))
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert refused.json() == {
        "code": "rate_limited",
        "message": "This key may send 2 messages a minute. Please wait a minute and try again.",
        "fields": {},
    }
    assert Message.objects.count() == 2
    # Another key of the same agency has its own limit.
    assert post(api(key(people, "test")), send_body()).status_code == 201


# --- bad input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"kind": "application_received"}, "kind", "This kind of message cannot be sent through the API."),
        ({"kind": "no_such_kind"}, "kind", "This kind of message cannot be sent through the API."),
        ({"channel": "sms", "to": "12345"}, "to", "Enter a Thai mobile number, for example 081 234 5678."),
        ({"to": "not an address"}, "to", "Enter an e-mail address in the format name@example.com."),
        # The rules on the values are the notifications service's, its field "context" named as here.
        (
            {"personalisation": {"subject": "Closed"}},
            "personalisation",
            "The values must be exactly agency, body, subject (missing: body).",
        ),
        (
            {"personalisation": {**NOTICE, "signature": "Somchai"}},
            "personalisation",
            "The values must be exactly agency, body, subject (not used by this kind: signature).",
        ),
        # Pracha fills in the agency's name: a sender's own would otherwise be overwritten silently.
        (
            {"personalisation": {**NOTICE, "agency": "Someone else"}},
            "personalisation.agency",
            "Pracha fills in ((agency)) itself: leave it out of personalisation.",
        ),
        ({"personalisation": {**NOTICE, "body": "   "}}, "personalisation", "Every value must be filled in."),
    ],
)
def test_bad_input_is_400_naming_the_field(
    people: dict[str, Any], change: dict[str, Any], field: str, message: str
) -> None:
    response = post(api(key(people, "test")), send_body(**change))
    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == "invalid_input"
    assert answer["fields"] == {field: [message]}
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({key: value for key, value in send_body().items() if key != "personalisation"}, "personalisation"),
        (send_body(channel="fax"), "channel"),
        (send_body(language="fr"), "language"),
        (send_body(personalisation={"subject": 1, "body": "x"}), "personalisation.subject"),
        (send_body(reference="x" * 101), "reference"),
    ],
)
def test_malformed_bodies_are_400_naming_the_field(people: dict[str, Any], body: Any, field: str) -> None:
    response = post(api(key(people, "test")), body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert list(response.json()["fields"]) == [field]
    assert not Message.objects.exists()


def test_sms_needs_the_gateway_for_a_live_key(people: dict[str, Any], settings: Any) -> None:
    settings.PRACHA_SMS_GATEWAY_URL = ""
    response = post(api(key(people, "live")), send_body(channel="sms", to="0812345678"))
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["channel"]
    assert not Message.objects.exists()


def json_time(value: datetime.datetime | None) -> str | None:
    """A time as the API writes it: UTC, to the millisecond, with Z."""
    if value is None:
        return None
    return value.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- reading the status back --------------------------------------------------------------------------


def test_status_read_back(people: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    secret = key(people, "live")
    with django_capture_on_commit_callbacks(execute=True):
        sent = post(api(secret), send_body(reference="notice-7")).json()
    message = Message.objects.get()
    response = api(secret).get(f"{URL}{sent['id']}")
    assert response.status_code == 200
    assert response.json() == {
        "id": sent["id"],
        "status": "sent",
        "channel": "email",
        "to": "somchai@example.com",
        "reference": "notice-7",
        "kind": "agency_notice",
        "created_at": json_time(message.created_at),
        "sent_at": json_time(message.sent_at),
        "delivered_at": None,
        # An e-mail has no delivery receipt: handed to the mail server is its final status.
        "completed_at": json_time(message.sent_at),
        "attempts": 1,
    }
    assert message.sent_at is not None
    # Another key of the same agency reads it too.
    assert api(key(people, "test")).get(f"{URL}{sent['id']}").status_code == 200


def test_a_test_keys_message_reads_back_delivered(people: dict[str, Any]) -> None:
    secret = key(people, "test")
    sent = post(api(secret), send_body()).json()
    answer = api(secret).get(f"{URL}{sent['id']}").json()
    message = Message.objects.get()
    assert (answer["status"], answer["attempts"], answer["sent_at"]) == ("delivered", 0, None)
    assert answer["delivered_at"] == answer["completed_at"] is not None
    assert message.delivered_at is not None


def test_another_agencys_message_is_404(people: dict[str, Any]) -> None:
    sent = post(api(key(people, "test")), send_body()).json()
    other = api(key(people, "live", agency="other-agency"))
    not_found = {"code": "not_found", "message": "We could not find what you asked for.", "fields": {}}
    response = other.get(f"{URL}{sent['id']}")
    assert (response.status_code, response.json()) == (404, not_found)
    assert other.get(f"{URL}00000000-0000-0000-0000-000000000000").status_code == 404
    assert other.get(f"{URL}not-a-uuid").status_code == 404


# --- the delivery callback ----------------------------------------------------------------------------


def put_callback(client: Client, body: Any) -> Any:
    return client.put(f"{URL}callback", data=json.dumps(body), content_type="application/json")


def test_setting_the_callback(people: dict[str, Any]) -> None:
    client = api(key(people, "live"))
    response = put_callback(
        client, {"url": "https://tax.example.test/hook", "bearer_token": "a-long-enough-token"}
    )
    assert response.status_code == 200
    assert response.json() == {"url": "https://tax.example.test/hook", "key_type": "live"}
    api_key = ApiKey.objects.get()
    assert (api_key.callback_url, api_key.callback_token) == (
        "https://tax.example.test/hook",
        "a-long-enough-token",
    )
    assert put_callback(client, {"url": ""}).json() == {"url": "", "key_type": "live"}
    api_key.refresh_from_db()
    assert (api_key.callback_url, api_key.callback_token) == ("", "")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://tax.example.test/", "bearer_token": "a-long-enough-token"}, "url"),
        ({"url": "https://tax.example.test/hook", "bearer_token": "short"}, "bearer_token"),
        ({"bearer_token": "a-long-enough-token"}, "url"),
    ],
)
def test_a_bad_callback_is_400(people: dict[str, Any], body: Any, field: str) -> None:
    response = put_callback(api(key(people, "live")), body)
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    assert ApiKey.objects.get().callback_url == ""


def test_the_endpoints_are_documented(people: dict[str, Any]) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert (
        paths["/api/v1/messages/"]["post"]["summary"]
        == "Send an e-mail or an SMS with one of Pracha's templates"
    )
    assert paths["/api/v1/messages/{message_id}"]["get"]["summary"] == "A message's status"
    assert paths["/api/v1/messages/callback"]["put"]["summary"] == (
        "Set where Pracha sends the final status of this key's messages"
    )


def test_answers_are_thai_unless_the_client_chose_english(people: dict[str, Any]) -> None:
    response = Client().post(URL, data=json.dumps(send_body()), content_type="application/json")
    with translation.override("th"):
        thai = str(NotAuthenticated.default_message)
    assert thai != NOT_AUTHENTICATED["message"]
    assert (response.status_code, response.json()["message"]) == (401, thai)
