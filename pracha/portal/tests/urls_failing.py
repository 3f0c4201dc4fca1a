"""The real URLs plus three that fail, to see the error pages the platform's handlers render."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from pracha.urls import handler400, handler403, handler404, handler500
from pracha.urls import urlpatterns as real_urlpatterns


def denied(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def bad(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a malformed request")


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("something broke")


urlpatterns = [
    path("denied/", denied),
    path("bad/", bad),
    path("boom/", boom),
    *real_urlpatterns,
]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
