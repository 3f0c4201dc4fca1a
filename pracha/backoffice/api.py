"""Agencies' systems send messages through Pracha: /api/v1/messages/ (modelled on GOV.UK Notify).

Authentication: "Authorization: Bearer <key>", a messaging API key an officer with notifications.keys
created on the messages desk. A missing, unknown or revoked key gets 401 {"code": "not_authenticated"}.
A key acts for its agency: it sends as that agency (whose name the message carries), reads back only its
agency's messages, and sets its own delivery callback.

- test keys: the message is accepted and marked delivered, never sent (for trying an integration);
- team keys: sent only to the agency's own staff (a person with an active membership in the agency whose
  confirmed e-mail address or mobile number `to` is), else 403;
- live keys: sent to anyone.

Each key may send rate_limit_per_minute messages a minute; beyond that 429 with Retry-After.
"""

import datetime
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext_lazy as _
from ninja import Router, Status
from ninja.security import HttpBearer

from pracha.agencies.public import active_memberships, agency_get
from pracha.backoffice.schemas import (
    CallbackIn,
    CallbackOut,
    ErrorOut,
    MessageIn,
    MessageOut,
    MessageStatusOut,
)
from pracha.core.errors import DomainError, InvalidInput, RateLimited
from pracha.notifications import public as notifications
from pracha.notifications.public import ApiKey, Message

RETRY_AFTER_SECONDS = 60
# Placeholders Pracha fills in itself: the sending agency's name, the official domain, a link.
FILLED_BY_PRACHA = frozenset({"agency", "domain", "link"})
# The services name the placeholders' values "context" and the callback's token "token"; this API names
# them as its clients send them.
FIELD_NAMES = {"context": "personalisation", "token": "bearer_token"}


class MessagingKeyAuth(HttpBearer):
    """The messaging API key in "Authorization: Bearer <key>": request.auth is the (active) ApiKey."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        return notifications.api_key_authenticate(token)


messaging_key = MessagingKeyAuth()
router = Router(tags=["messages"], auth=messaging_key)


def _key(request: HttpRequest) -> ApiKey:
    api_key = request.auth  # type: ignore[attr-defined]
    assert isinstance(api_key, ApiKey)
    return api_key


def _field_name(name: str) -> str:
    """A service's field name as the API's clients name it: "context" -> "personalisation",
    "context.body" -> "personalisation.body"."""
    head, dot, rest = name.partition(".")
    return FIELD_NAMES.get(head, head) + dot + rest


def _renamed(error: DomainError) -> DomainError:
    """The service's error with its fields named as the API's clients name them."""
    error.fields = {_field_name(name): messages for name, messages in error.fields.items()}
    return error


def _refuse_values_pracha_fills(values: dict[str, str]) -> None:
    """The agency's name (and the domain and a link) are Pracha's to fill in, not the sender's: one in
    `personalisation` would otherwise be overwritten without a word. Every other rule on the values
    (exactly the kind's placeholders, each a filled-in text) is the notifications service's."""
    fields = {
        f"personalisation.{name}": [
            _("Pracha fills in ((%(name)s)) itself: leave it out of personalisation.") % {"name": name}
        ]
        for name in sorted(FILLED_BY_PRACHA & set(values))
    }
    if fields:
        raise InvalidInput(next(iter(fields.values()))[0], fields=fields)


def _agency_name(agency_code: str, language: str) -> str:
    agency = agency_get(code=agency_code)
    return agency.name_en if language == "en" else agency.name_th


def _is_team_member(api_key: ApiKey, channel: str, address: str) -> bool:
    """Whether the address is a confirmed contact of someone with an active membership in the key's agency."""
    person = notifications.user_for_address(channel=channel, address=address)
    if person is None:
        return False
    return active_memberships(person).filter(agency__code=api_key.agency_code).exists()


def _completed_at(message: Message) -> datetime.datetime | None:
    if message.status == Message.Status.DELIVERED:
        return message.delivered_at
    if message.status in (Message.Status.FAILED, Message.Status.PERMANENTLY_FAILED):
        return message.failed_at
    if message.status == Message.Status.SENT and message.channel == notifications.EMAIL:
        return message.sent_at  # an e-mail has no delivery receipt: handed over is as far as we know
    return None


@router.post(
    "/",
    response={201: MessageOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut},
    summary="Send an e-mail or an SMS with one of Pracha's templates",
    description=(
        "Body: channel (email or sms), to, kind (agency_notice), language (th or en), personalisation "
        "(for agency_notice: subject and body), reference (optional, idempotent per key). 201 with the "
        "message's id and status (queued; a test key's message is delivered at once and never sent). "
        "400 names the field at fault; 403 for a team key sending to someone who is not the agency's "
        "staff; 429 once the key sent its messages per minute (Retry-After says when to try again)."
    ),
)
def message_send(request: HttpRequest, payload: MessageIn) -> Any:
    api_key = _key(request)
    _refuse_values_pracha_fills(payload.personalisation)
    try:
        message = notifications.api_message_send(
            api_key=api_key,
            channel=payload.channel,
            to=payload.to,
            kind=payload.kind,
            language=payload.language,
            context={
                **payload.personalisation,
                "agency": _agency_name(api_key.agency_code, payload.language),
            },
            client_reference=payload.reference,
            team_member=_is_team_member(api_key, payload.channel, payload.to),
        )
    except RateLimited as error:
        response = JsonResponse(error.as_dict(), status=error.status)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    except DomainError as error:
        raise _renamed(error) from None
    return Status(
        201,
        {
            "id": message.public_id,
            "status": message.status,
            "channel": message.channel,
            "to": message.address,
            "reference": message.client_reference,
            "key_type": api_key.key_type,
        },
    )


@router.put(
    "/callback",
    response={200: CallbackOut, 400: ErrorOut, 401: ErrorOut},
    summary="Set where Pracha sends the final status of this key's messages",
    description=(
        "Body: url (https://..., empty to stop callbacks) and bearer_token (10 to 200 characters, sent as "
        "Authorization: Bearer with each callback). Each callback POSTs JSON {id, reference, to, channel, "
        "status, created_at, sent_at, completed_at} once the message's status is final, retrying until "
        "your server answers 2xx."
    ),
)
def callback_set(request: HttpRequest, payload: CallbackIn) -> dict[str, Any]:
    api_key = _key(request)
    try:
        api_key = notifications.api_key_callback_set(
            actor=None, api_key=api_key, url=payload.url, token=payload.bearer_token
        )
    except DomainError as error:
        raise _renamed(error) from None
    return {"url": api_key.callback_url, "key_type": api_key.key_type}


@router.get(
    "/{message_id}",
    response={200: MessageStatusOut, 401: ErrorOut, 404: ErrorOut},
    summary="A message's status",
    description=(
        "Any message sent through the API by a key of the same agency; 404 for any other (whoever's it is)."
    ),
)
def message_status(request: HttpRequest, message_id: str) -> dict[str, Any]:
    message = notifications.api_message_get(api_key=_key(request), public_id=message_id)
    return {
        "id": message.public_id,
        "status": message.status,
        "channel": message.channel,
        "to": message.address,
        "reference": message.client_reference,
        "kind": message.kind,
        "created_at": message.created_at,
        "sent_at": message.sent_at,
        "delivered_at": message.delivered_at,
        "completed_at": _completed_at(message),
        "attempts": message.attempts,
    }
