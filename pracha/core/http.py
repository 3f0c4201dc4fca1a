"""What every app's views share: domain errors as the 404 and 403 pages, the decorators of signed-in
pages and officers' desks, and serving a private file."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.functional import Promise
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from pracha.core.errors import DomainError, NotFound, PermissionDenied
from pracha.core.forms import add_domain_error
from pracha.core.storage import private_storage

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


def show_on_form(form: forms.Form, error: DomainError) -> None:
    """A refusal people can act on goes on the form; "not yours" and "not allowed" are the 404 and 403
    pages (domain_errors_as_http turns them into those)."""
    if isinstance(error, NotFound | PermissionDenied):
        raise error
    add_domain_error(form, error)


def signed_in_page(*methods: str) -> Callable[[View], View]:
    """Signed in (else to the sign-in page), never cached, only these methods, NotFound as the 404 page."""

    def decorate(view: View) -> View:
        return never_cache(login_required(require_http_methods(list(methods))(domain_errors_as_http(view))))

    return decorate


def desk_page(
    *methods: str, allowed: Callable[[Any], bool], refusal: str | Promise
) -> Callable[[View], View]:
    """An officers' desk: a signed_in_page that only people for whom `allowed(user)` holds may open
    (else the 403 page, saying `refusal`). Which records each officer sees there is scoped by the
    selectors, what they may do by the services."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not allowed(request.user):
                raise HttpForbidden(str(refusal))
            return view(request, *args, **kwargs)

        return signed_in_page(*methods)(wrapper)

    return decorate


def private_file_response(stored_name: str, *, filename: str, content_type: str) -> FileResponse:
    """A file of private_storage() as a download named `filename`, streamed from the disk in chunks
    rather than read into memory. Never cached, by the browser or on the way: only a view that checked
    who is asking serves it. The browser must take the content type as given, never guess another."""
    response = FileResponse(
        private_storage().open(stored_name, "rb"),
        as_attachment=True,
        filename=filename,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
