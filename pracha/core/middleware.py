from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from pracha.core.context import RequestContext, use_context


class LanguageMiddleware:
    """Thai unless the person chose otherwise with the language switch (a cookie).

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language, because the
    platform is Thai first: a shared kiosk or café browser set to English must not switch it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        # override() restores the language that was active before, so nothing leaks between requests.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        # The language comes from a cookie: a cache in front must not serve one person's language to another.
        patch_vary_headers(response, ["Cookie"])
        return response


def client_ip(request: HttpRequest) -> str | None:
    """The client address; behind the documented nginx the proxy sets X-Real-IP."""
    if settings.PRACHA_TRUST_X_REAL_IP:
        forwarded = request.META.get("HTTP_X_REAL_IP")
        if forwarded:
            return str(forwarded)
    remote = request.META.get("REMOTE_ADDR")
    return str(remote) if remote else None


class RequestContextMiddleware:
    """Records the channel and client address of each request for the audit log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = "api" if request.path.startswith("/api/") else "web"
        with use_context(RequestContext(channel=channel, client_ip=client_ip(request))):
            return self.get_response(request)
