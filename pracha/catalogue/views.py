"""Pages of the catalogue: the public list and the citizen's manual of each service, open to everyone, and
the editor where an agency's officers with catalogue.edit change and publish its definitions.

Each view fetches, validates, calls one service and responds; the rules live in services and selectors."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from pracha.catalogue import selectors, services
from pracha.catalogue.forms import (
    DefinitionForm,
    ServiceSearchForm,
    audience_label,
    category_label,
    definition_yaml,
    life_event_label,
)
from pracha.catalogue.models import Service, ServiceVersion, VersionStatus
from pracha.core.errors import DomainError, NotFound
from pracha.core.forms import add_domain_error
from pracha.core.http import domain_errors_as_http


@require_http_methods(["GET"])
def service_list(request: HttpRequest) -> HttpResponse:
    form = ServiceSearchForm(request.GET or None, facets=selectors.catalogue_facets())
    filters = form.filters()
    services_found = list(selectors.published_services(**filters))
    return render(
        request,
        "catalogue/service_list.html",
        {"form": form, "services": services_found, "filtered": any(filters.values())},
    )


@require_http_methods(["GET"])
@domain_errors_as_http
def service_detail(request: HttpRequest, code: str) -> HttpResponse:
    manual = selectors.service_manual(code=code)
    definition = manual.definition
    return render(
        request,
        "catalogue/service_detail.html",
        {
            "manual": manual,
            "service": manual.service,
            "definition": definition,
            "agency": manual.service.agency,
            "audience": [audience_label(code) for code in definition.audience],
            "categories": [(code, category_label(code)) for code in definition.categories],
            "life_events": [(code, life_event_label(code)) for code in definition.life_events],
        },
    )


# The editor of the agency's officers.


@never_cache
@login_required
@require_http_methods(["GET"])
def manage_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.editable_services_overview(user=request.user)
    if not rows and not selectors.may_edit_somewhere(user=request.user):
        raise HttpForbidden(_("You do not have permission to edit services."))
    return render(request, "catalogue/manage_list.html", {"rows": rows})


def _edit_page(
    request: HttpRequest, service: Service, form: DefinitionForm, *, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "catalogue/manage_edit.html",
        {"service": service, "form": form, "versions": list(selectors.version_history(service))},
        status=status,
    )


def _saved_message(version: ServiceVersion) -> str:
    if version.status == VersionStatus.PUBLISHED:
        return _(
            "Version %(number)d is published. New applications use it; applications already started keep "
            "the version they were started under."
        ) % {"number": version.number}
    return _(
        "Version %(number)d has been saved as a draft. The public sees it only when it is published."
    ) % {"number": version.number}


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def manage_edit(request: HttpRequest, code: str) -> HttpResponse:
    service = selectors.access_editable_service(user=request.user, code=code)
    if request.method == "GET":
        latest = selectors.latest_version(service)
        initial = {"definition": definition_yaml(latest.definition)} if latest is not None else {}
        return _edit_page(request, service, DefinitionForm(initial=initial))
    form = DefinitionForm(request.POST)
    if form.is_valid():
        try:
            version = services.definition_save(
                actor=request.user,
                data=form.cleaned_data["definition"],
                publish=request.POST.get("action") == "publish",
                expected_code=service.code,
            )
        except DomainError as error:  # an invalid definition, or a change of agency this officer may not make
            add_domain_error(form, error)
        else:
            messages.success(request, _saved_message(version))
            return redirect("catalogue:manage-edit", code=service.code)
    return _edit_page(request, service, form)


@never_cache
@login_required
@require_POST
@domain_errors_as_http
def manage_publish(request: HttpRequest, code: str, number: int) -> HttpResponse:
    service = selectors.access_editable_service(user=request.user, code=code)
    try:
        version = services.version_publish(actor=request.user, service_code=service.code, number=number)
    except NotFound:
        raise
    except DomainError as error:  # the draft names a role or an agency that has gone since it was saved
        form = DefinitionForm({"definition": definition_yaml(_version_data(service, number))})
        form.is_valid()
        add_domain_error(form, error)
        return _edit_page(request, service, form)
    messages.success(request, _saved_message(version))
    return redirect("catalogue:manage-edit", code=service.code)


def _version_data(service: Service, number: int) -> dict[str, Any]:
    version = selectors.service_version(service=service, number=number)
    return dict(version.definition)
