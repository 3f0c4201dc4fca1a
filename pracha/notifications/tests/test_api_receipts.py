"""POST /api/v1/notifications/sms-receipts: the SMS gateway's delivery receipts."""

import json

import pytest
from django.conf import settings
from django.utils import timezone

from pracha.notifications.models import Message
from pracha.notifications.tests.factories import MessageFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/sms-receipts"
TOKEN = "demo-only-sms-token"
Status = Message.Status


@pytest.fixture
def sms():
    return MessageFactory(
        channel="sms",
        address="+66812345678",
        status=Status.SENT,
        attempts=1,
        sent_at=timezone.now(),
        next_attempt_at=None,
        provider_reference="SMS00000000000001",
    )


def post(client, body, token=TOKEN, scheme="Bearer"):
    # Like the bank in the payments tests: no cookie but the language, so messages compare in English
    # (an API answer is in Thai by default, as every page is).
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data = body if isinstance(body, str) else json.dumps(body)
    headers = {"HTTP_AUTHORIZATION": f"{scheme} {token}"} if token is not None else {}
    return client.post(URL, data=data, content_type="application/json", **headers)


def receipt(message, status="delivered", **extra):
    return {
        "id": message.provider_reference,
        "reference": str(message.public_id),
        "status": status,
        "at": "2026-11-24T14:00:00.500000+07:00",
        **extra,
    }


def test_a_delivered_receipt_answers_204_and_marks_the_sms_delivered(client, sms):
    response = post(client, receipt(sms))
    assert response.status_code == 204
    assert response.content == b""
    sms.refresh_from_db()
    assert sms.status == Status.DELIVERED
    assert sms.delivered_at.isoformat() == "2026-11-24T07:00:00.500000+00:00"


def test_an_undeliverable_receipt_is_a_permanent_failure(client, sms):
    assert post(client, receipt(sms, "undeliverable")).status_code == 204
    sms.refresh_from_db()
    assert sms.status == Status.PERMANENTLY_FAILED


def test_the_same_receipt_twice_changes_nothing(client, sms):
    post(client, receipt(sms))
    sms.refresh_from_db()
    before = (sms.status, sms.delivered_at, sms.updated_at)
    assert post(client, receipt(sms, at="2026-11-25T00:00:00+07:00")).status_code == 204
    sms.refresh_from_db()
    assert (sms.status, sms.delivered_at, sms.updated_at) == before


def test_an_unknown_message_is_answered_204_so_the_gateway_stops(client, sms, caplog):
    body = {
        "id": "SMS99999999999999",
        "reference": "",
        "status": "delivered",
        "at": "2026-11-24T14:00:00+07:00",
    }
    assert post(client, body).status_code == 204
    assert "unknown message" in caplog.text
    sms.refresh_from_db()
    assert sms.status == Status.SENT


@pytest.mark.parametrize(
    ("token", "scheme"), [(None, "Bearer"), ("wrong-token", "Bearer"), ("", "Bearer"), (TOKEN, "Basic")]
)
def test_a_wrong_or_missing_token_is_401_and_changes_nothing(client, sms, token, scheme):
    response = post(client, receipt(sms), token=token, scheme=scheme)
    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "message": "The bearer token is missing or wrong.",
        "fields": {},
    }
    sms.refresh_from_db()
    assert sms.status == Status.SENT


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        {"id": "SMS00000000000001", "status": "read"},
        {"id": "", "status": "delivered"},
        {"id": "SMS00000000000001", "status": "delivered", "at": "yesterday"},
        {"id": "SMS00000000000001", "status": "delivered", "at": "2026-11-24T14:00:00"},
        {"id": 1, "status": "delivered"},
    ],
)
def test_a_malformed_receipt_is_400_and_changes_nothing(client, sms, body):
    response = post(client, body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    sms.refresh_from_db()
    assert sms.status == Status.SENT


def test_a_receipt_without_a_time_is_recorded_now(client, sms):
    assert post(client, {"id": sms.provider_reference, "status": "delivered"}).status_code == 204
    sms.refresh_from_db()
    assert sms.status == Status.DELIVERED
    assert abs((timezone.now() - sms.delivered_at).total_seconds()) < 5
