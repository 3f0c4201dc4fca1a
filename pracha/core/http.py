"""What every app's views share."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from pracha.core.errors import NotFound, PermissionDenied

View = Callable[..., HttpResponseBase]


def domain_errors_as_http(view: View) -> View:
    """A NotFound or PermissionDenied that no form can show becomes the 404 or 403 page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(str(error.message)) from error
        except PermissionDenied as error:
            raise HttpForbidden(str(error.message)) from error

    return wrapper
