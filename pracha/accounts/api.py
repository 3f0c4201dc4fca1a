"""/api/v1/accounts/: the person making the request and their API tokens."""

import uuid
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Status

from pracha.accounts import selectors, services
from pracha.accounts.api_auth import api_auth
from pracha.accounts.models import ApiToken, User
from pracha.accounts.schemas import MeOut, TokenCreatedOut, TokenCreateIn, TokenOut
from pracha.core.errors import NotAuthenticated, PermissionDenied

router = Router(tags=["accounts"], auth=api_auth)


def _person(request: HttpRequest) -> User:
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user


def _managing_person(request: HttpRequest) -> User:
    """Tokens are managed by people; an agency system's token must not mint or revoke others."""
    token = getattr(request, "api_token", None)
    if token is not None and token.agency_id is not None:
        raise PermissionDenied(_("An agency system's token cannot create or revoke tokens."))
    return _person(request)


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
    return _person(request)


@router.get(
    "/tokens", response=list[TokenOut], summary="Your tokens and those of agencies where you manage tokens"
)
def token_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_token_data(token) for token in selectors.tokens_visible_to(user=_person(request))]


@router.post(
    "/tokens", response={201: TokenCreatedOut}, summary="Create a token; its key is returned only here"
)
def token_create(request: HttpRequest, payload: TokenCreateIn) -> Status[dict[str, Any]]:
    token, key = services.api_token_create(
        actor=_managing_person(request), name=payload.name, agency_code=payload.agency
    )
    return Status(201, {**_token_data(token), "key": key})


@router.delete("/tokens/{public_id}", response={204: None}, summary="Revoke a token")
def token_revoke(request: HttpRequest, public_id: uuid.UUID) -> Status[None]:
    services.api_token_revoke(actor=_managing_person(request), token_public_id=public_id)
    return Status(204, None)
