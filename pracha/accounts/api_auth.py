"""How programs and browsers prove who they are to the API.

Bearer tokens (a person's own or an agency system's) are looked up by their SHA-256; the browser's session
works too, with Django's CSRF check on unsafe methods.

What `request.auth` holds afterwards:

- a person (User): signed in with the browser session, or presenting their own token;
- an agency system (the ApiToken itself): the agency's program, not a person. It gets none of the creating
  officer's personal data or rights (`api_person` refuses it); ActingForMiddleware records its requests
  "on behalf of" the agency, and services record the officer who created the token as the actor
  (`api_actor`), so someone is accountable for what the token does.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.security import APIKeyCookie, HttpBearer

from pracha.accounts import selectors, services
from pracha.accounts.models import ApiToken, User
from pracha.core.errors import PermissionDenied

MFA_REQUIRED = _(
    "Officers and administrators must set up two-step sign-in before using the API from a browser."
)
# 403, not 401 or 404: the token is valid (401 would tell the program to replace good credentials) and the
# endpoint exists (404 would misdescribe a documented route); what is refused is this caller using it.
NOT_FOR_AGENCY_SYSTEMS = _("An agency system's token cannot be used for a person's own account or tokens.")
SESSION_REQUIRED = _(
    "Tokens can be created and revoked only when you are signed in with a browser, not with a token."
)
_CACHE_ATTRIBUTE = "_pracha_bearer"


def bearer_key(request: HttpRequest) -> str:
    """The key in "Authorization: Bearer <key>", parsed as ninja's HttpBearer does; "" if none."""
    scheme, _space, key = request.headers.get("Authorization", "").partition(" ")
    return key.strip() if scheme.lower() == "bearer" else ""


def presented_api_token(request: HttpRequest, *, key: str | None = None) -> ApiToken | None:
    """The active token the request presents, looked up once per request: ActingForMiddleware and the
    API's authentication both ask."""
    key = bearer_key(request) if key is None else key.strip()
    if not key:
        return None
    cached = getattr(request, _CACHE_ATTRIBUTE, None)
    if cached is not None and cached[0] == key:
        token: ApiToken | None = cached[1]
        return token
    token = selectors.api_token_by_key(key=key)
    setattr(request, _CACHE_ATTRIBUTE, (key, token))
    return token


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = presented_api_token(request, key=token)
        if api_token is None:
            return None
        services.api_token_mark_used(token=api_token)
        request.api_token = api_token  # type: ignore[attr-defined]
        # An agency system is the token itself, never the officer who happened to create it.
        return api_token if api_token.agency_id is not None else api_token.user


class SessionAuth(APIKeyCookie):
    """The signed-in browser session (ninja's django_auth), with two differences:

    - no session means 401, checked before CSRF so an anonymous call is not told "CSRF failed";
    - an officer or administrator without an authenticator is refused, as OfficerMfaRequiredMiddleware
      does for pages (one rule: selectors.mfa_setup_required).
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if not user.is_authenticated:
            return None
        if selectors.mfa_setup_required(user=user):
            raise PermissionDenied(MFA_REQUIRED)
        return user


bearer_token = BearerToken()
session_auth = SessionAuth()
# Bearer first: a program sending a token is never judged by a cookie it happens to carry.
api_auth = [bearer_token, session_auth]


def api_person(request: HttpRequest) -> User:
    """The person making the request, with the session or their own token; an agency system is refused."""
    principal = getattr(request, "auth", None)
    if isinstance(principal, ApiToken):
        raise PermissionDenied(NOT_FOR_AGENCY_SYSTEMS)
    return selectors.signed_in_person(principal)


def api_session_person(request: HttpRequest) -> User:
    """The person signed in with the browser session (so with two-step sign-in where it is required).

    For what a stolen or leaked token must never do, such as minting or revoking tokens: any bearer token
    is refused, a person's own as much as an agency system's.
    """
    if getattr(request, "api_token", None) is not None:
        raise PermissionDenied(SESSION_REQUIRED)
    return api_person(request)


def api_actor(request: HttpRequest) -> User:
    """Who a service records as the actor: the person, or for an agency system the officer who created
    its token. ActingForMiddleware has already set "on behalf of" to the agency for such requests."""
    principal = getattr(request, "auth", None)
    if isinstance(principal, ApiToken):
        return principal.user
    return selectors.signed_in_person(principal)
