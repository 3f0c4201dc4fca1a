import dataclasses
from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from pracha.accounts import selectors
from pracha.accounts.api_auth import presented_api_token
from pracha.core.context import current_context, use_context


class ActingForMiddleware:
    """Attach whom the request acts for and record it as "on behalf of" for the rest of the request:

    - an API request with an agency system's token acts for that agency ("agency:<code>");
    - an API request with a person's own token acts for that person alone, whatever session it carries;
    - otherwise, the business the signed-in person has chosen to act for, if any ("business:<number>").
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        on_behalf = self._on_behalf_of(request)
        if not on_behalf:
            return self.get_response(request)
        with use_context(dataclasses.replace(current_context(), on_behalf_of=on_behalf)):
            return self.get_response(request)

    @staticmethod
    def _on_behalf_of(request: HttpRequest) -> str:
        token = presented_api_token(request) if request.path.startswith("/api/") else None
        if token is not None:
            # A program presenting a token is never judged by a cookie it happens to carry (as api_auth).
            request.acting_for = None  # type: ignore[attr-defined]
            return selectors.on_behalf_of_agency(token.agency) if token.agency is not None else ""
        business = selectors.acting_for_business(user=request.user, session=request.session)
        request.acting_for = business  # type: ignore[attr-defined]
        return selectors.on_behalf_of_business(business) if business is not None else ""


class OfficerMfaRequiredMiddleware:
    """Officers and administrators must set up an authenticator app before doing anything else.

    Who needs one is decided by selectors.mfa_setup_required, which the API's session auth uses too. The
    API is left to its own authentication (pracha.accounts.api_auth refuses such sessions), so that
    programs get a JSON error instead of a redirect to an HTML page.
    """

    allowed_prefixes = (
        "/accounts/2fa/",
        "/accounts/logout/",
        "/accounts/reauthenticate/",
        "/static/",
        "/i18n/",
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.user.is_authenticated
            and not request.path.startswith(self.allowed_prefixes)
            and not request.path.startswith("/api/")
            and selectors.mfa_setup_required(user=request.user)
        ):
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
