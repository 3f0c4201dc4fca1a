"""/api/v1/accounts/: the person making the request and their API tokens.

All of it concerns a person's own account, so an agency system's token is refused everywhere here (403);
creating and revoking tokens further needs the browser session: no token can mint or revoke tokens.
"""

import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from pracha.accounts import selectors, services
from pracha.accounts.api_auth import api_auth, api_person, api_session_person
from pracha.accounts.models import ApiToken, User
from pracha.accounts.schemas import MeOut, TokenCreatedOut, TokenCreateIn, TokenOut

router = Router(tags=["accounts"], auth=api_auth)


def _token_data(token: ApiToken) -> dict[str, Any]:
    return {
        "public_id": token.public_id,
        "name": token.name,
        "prefix": token.prefix,
        "agency": token.agency.code if token.agency else None,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
    }


@router.get("/me", response=MeOut, summary="The person making the request")
def me(request: HttpRequest) -> User:
    return api_person(request)


@router.get(
    "/tokens", response=list[TokenOut], summary="Your tokens and those of agencies where you manage tokens"
)
def token_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_token_data(token) for token in selectors.tokens_visible_to(user=api_person(request))]


@router.post(
    "/tokens",
    response={201: TokenCreatedOut},
    summary="Create a token; its key is returned only here",
    description="Needs the signed-in browser session: a bearer token cannot create tokens.",
)
def token_create(request: HttpRequest, payload: TokenCreateIn) -> Status[dict[str, Any]]:
    token, key = services.api_token_create(
        actor=api_session_person(request), name=payload.name, agency_code=payload.agency
    )
    return Status(201, {**_token_data(token), "key": key})


@router.delete(
    "/tokens/{public_id}",
    response={204: None},
    summary="Revoke a token",
    description="Needs the signed-in browser session: a bearer token cannot revoke tokens.",
)
def token_revoke(request: HttpRequest, public_id: uuid.UUID) -> Status[None]:
    services.api_token_revoke(actor=api_session_person(request), token_public_id=public_id)
    return Status(204, None)
