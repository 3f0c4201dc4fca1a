"""The shapes of the send API (/api/v1/messages/): what an agency's system sends and what it reads back.
Modelled on GOV.UK Notify: a message names its channel, its recipient, the kind of message (whose
template Pracha keeps) and the values of the template's placeholders ("personalisation")."""

import datetime
import uuid
from typing import Literal

from ninja import Field, Schema


class MessageIn(Schema):
    channel: Literal["email", "sms"] = Field(description="email or sms")
    to: str = Field(
        max_length=254,
        description="An e-mail address, or a Thai mobile number in any usual writing "
        "(081 234 5678, +66812345678)",
    )
    kind: str = Field(
        max_length=40, description="The kind of message; agencies' systems may send agency_notice"
    )
    language: Literal["th", "en"] = Field(description="The language of the template: th or en")
    personalisation: dict[str, str] = Field(
        description="The values of the template's placeholders; for agency_notice exactly subject and body "
        "(the agency's name and the platform's domain are filled in by Pracha)"
    )
    reference: str = Field(
        default="",
        max_length=100,
        description="Your own reference (optional). Sending the same reference again with the same key "
        "returns the first message instead of sending another",
    )


class MessageOut(Schema):
    id: uuid.UUID = Field(description="The message's ID, to read its status at /api/v1/messages/{id}")
    status: str = Field(
        description="queued, sending, sent, delivered, failed (technical failure, after retries) or "
        "permanently_failed (a bad address); a test key's messages are delivered at once, never sent"
    )
    channel: str
    to: str = Field(description="The address as Pracha normalised it (+66812345678, lower-case e-mail)")
    reference: str
    key_type: str = Field(description="test, team or live: the key that sent it")


class MessageStatusOut(Schema):
    id: uuid.UUID
    status: str = Field(description="queued, sending, sent, delivered, failed or permanently_failed")
    channel: str
    to: str
    reference: str
    kind: str
    created_at: datetime.datetime
    sent_at: datetime.datetime | None
    delivered_at: datetime.datetime | None
    completed_at: datetime.datetime | None = Field(
        description="When the status became final: delivered, failed or permanently failed"
    )
    attempts: int = Field(description="How many times Pracha tried to send it")


class CallbackIn(Schema):
    url: str = Field(
        max_length=200,
        description="Where Pracha POSTs each message's final status (https://...); empty to stop callbacks",
    )
    bearer_token: str = Field(
        default="",
        max_length=200,
        description="Sent as Authorization: Bearer <token> with every callback (10 to 200 characters)",
    )


class CallbackOut(Schema):
    url: str
    key_type: str


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]
