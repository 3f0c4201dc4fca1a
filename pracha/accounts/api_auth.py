"""How programs and browsers prove who they are to the API.

Bearer tokens (a person's own or an agency system's) are looked up by their SHA-256; the browser's session
works too, with Django's CSRF check on unsafe methods.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.security import APIKeyCookie, HttpBearer

from pracha.accounts import selectors, services
from pracha.agencies.public import is_officer
from pracha.core.errors import PermissionDenied

MFA_REQUIRED = _("Officers must set up two-step sign-in before using the API from a browser.")


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = selectors.api_token_by_key(key=token.strip())
        if api_token is None:
            return None
        services.api_token_mark_used(token=api_token)
        request.api_token = api_token  # type: ignore[attr-defined]
        return api_token.user


class SessionAuth(APIKeyCookie):
    """The signed-in browser session (ninja's django_auth), with two differences:

    - no session means 401, checked before CSRF so an anonymous call is not told "CSRF failed";
    - an officer without an authenticator is refused, as OfficerMfaRequiredMiddleware does for pages.
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
        if is_officer(user) and not selectors.has_totp(user=user):  # type: ignore[arg-type]
            raise PermissionDenied(MFA_REQUIRED)
        return user


bearer_token = BearerToken()
session_auth = SessionAuth()
# Bearer first: a program sending a token is never judged by a cookie it happens to carry.
api_auth = [bearer_token, session_auth]
