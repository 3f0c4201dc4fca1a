from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from pracha.accounts import selectors
from pracha.agencies.public import is_officer
from pracha.core.context import current_context, use_context


class ActingForMiddleware:
    """Attach the business a person has chosen to act for, and record it as "on behalf of"."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        business = selectors.acting_for_business(user=request.user, session=request.session)
        request.acting_for = business  # type: ignore[attr-defined]
        if business is None:
            return self.get_response(request)
        context = current_context()
        on_behalf = selectors.on_behalf_of_business(business)
        with use_context(type(context)(context.channel, context.client_ip, on_behalf)):
            return self.get_response(request)


class OfficerMfaRequiredMiddleware:
    """Officers must set up an authenticator app before doing anything else.

    The API is left to its own authentication (pracha.accounts.api_auth refuses such sessions), so that
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
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(self.allowed_prefixes)
            and not request.path.startswith("/api/")
            and is_officer(user)
            and not selectors.has_totp(user=user)
        ):
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
