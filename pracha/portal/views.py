"""The home page, the topics a person follows, and the error pages."""

from django.conf import settings
from django.contrib import messages
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pracha.agencies.public import agency_tree
from pracha.catalogue.public import published_services
from pracha.core.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from pracha.core.http import show_on_form, signed_in_page
from pracha.notifications.public import subscriptions_for, subscriptions_set
from pracha.portal.forms import SubscriptionsForm


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


def _life_events() -> list[tuple[str, str]]:
    """The life events of the published services, as (code, code): the page names them with the
    catalogue's life_event_label filter."""
    codes = {code for service in published_services() for code in service.life_events}
    return [(code, code) for code in sorted(codes)]


@signed_in_page("GET", "POST")
def subscriptions(request: HttpRequest) -> HttpResponse:
    """The topics a person follows: agencies' announcements and life events. Complaint categories in
    their district join the page when the complaints service exists."""
    user = request.user
    followed = set(subscriptions_for(user=user))
    form = SubscriptionsForm(
        request.POST if request.method == "POST" else None,
        agencies=[(agency.code, agency.name) for agency, _depth in agency_tree()],
        life_events=_life_events(),
        followed=followed,
    )
    if form.is_valid():
        try:
            subscriptions_set(actor=user, topics=form.topics(), offered=form.offered)
        except DomainError as error:
            show_on_form(form, error)
        else:
            messages.success(request, _("Your topics have been saved."))
            return redirect("portal:subscriptions")
    return render(request, "portal/subscriptions.html", {"form": form})


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
