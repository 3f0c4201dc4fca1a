"""The home page and the error pages."""

from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
)
from django.shortcuts import render
from django.template import loader


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


def _minimal_context() -> dict[str, object]:
    """What base.html needs, from settings only: no database, session or user is touched."""
    return {"site_name": settings.PRACHA_SITE_NAME, "official_domain": settings.PRACHA_OFFICIAL_DOMAIN}


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # A bad request may be a bad Host header or a broken session: render without the request.
    return HttpResponseBadRequest(loader.render_to_string("400.html", _minimal_context()))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponseForbidden(loader.render_to_string("403.html", request=request))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponseNotFound(loader.render_to_string("404.html", request=request))


def server_error(request: HttpRequest) -> HttpResponse:
    # The failure may be the database or a context processor, so nothing that could fail again is used.
    return HttpResponseServerError(loader.render_to_string("500.html", _minimal_context()))
