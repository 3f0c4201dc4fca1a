"""The home page and the error pages."""

from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext_lazy

from pracha.core.errors import DomainError, InvalidInput, NotFound, PermissionDenied


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


def _minimal_context() -> dict[str, object]:
    """What base.html needs, from settings only: no database, session or user is touched."""
    return {"site_name": settings.PRACHA_SITE_NAME, "official_domain": settings.PRACHA_OFFICIAL_DOMAIN}


class ServerError(DomainError):
    code = "server_error"
    status = 500
    default_message = gettext_lazy("Sorry, there is a problem with the service")


def _api_error(request: HttpRequest, error: DomainError) -> JsonResponse | None:
    """Programs calling /api/ get the API's error envelope, not an HTML page, even for unknown paths."""
    if request.path.startswith("/api/"):
        return JsonResponse(error.as_dict(), status=error.status)
    return None


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if api_response := _api_error(request, InvalidInput()):
        return api_response
    # A bad request may be a bad Host header or a broken session: render without the request.
    return HttpResponseBadRequest(loader.render_to_string("400.html", _minimal_context()))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if api_response := _api_error(request, PermissionDenied()):
        return api_response
    return HttpResponseForbidden(loader.render_to_string("403.html", request=request))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if api_response := _api_error(request, NotFound()):
        return api_response
    return HttpResponseNotFound(loader.render_to_string("404.html", request=request))


def server_error(request: HttpRequest) -> HttpResponse:
    if api_response := _api_error(request, ServerError()):
        return api_response
    # The failure may be the database or a context processor, so nothing that could fail again is used.
    return HttpResponseServerError(loader.render_to_string("500.html", _minimal_context()))
