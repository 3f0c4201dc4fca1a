"""Reads of the catalogue: published services for everyone, every version for the agency's editors."""

from typing import Any

from django.db.models import Q, QuerySet

from pracha.agencies.public import Agency, Role, agencies_where_permitted
from pracha.catalogue.definitions import ServiceDefinition, parse_definition
from pracha.catalogue.models import Service, ServiceVersion
from pracha.core.errors import NotFound


def known_roles() -> set[str]:
    return set(Role.objects.values_list("code", flat=True))


def known_agencies() -> set[str]:
    return set(Agency.objects.values_list("code", flat=True))


def definition_parse(data: Any) -> ServiceDefinition:
    """Validate a definition against the roles and agencies that exist now."""
    return parse_definition(data, known_roles=known_roles(), known_agencies=known_agencies())


def version_definition(version: ServiceVersion) -> ServiceDefinition:
    """The typed definition of a stored version. Stored versions were validated when saved; roles and
    agencies are not re-checked here, so a later change to them cannot break running applications."""
    key = (version.pk, version.checksum)
    parsed = _parsed_versions.get(key)
    if parsed is None:
        data = version.definition
        parsed = parse_definition(data, known_roles=_named_roles(data), known_agencies=_named_agencies(data))
        _parsed_versions[key] = parsed
    return parsed


# Parsed definitions by (version id, checksum): a version's definition never changes once published,
# and parsing checks the whole JSON Schema, which is too slow to repeat on every request.
_parsed_versions: dict[tuple[int, str], ServiceDefinition] = {}


def _named_roles(data: Any) -> set[str]:
    states = (data.get("workflow") or {}).get("states") or {}
    named: set[str] = set()
    for state in states.values():
        for action in state.get("actions") or []:
            named.update(action.get("by") or [])
        escalation = state.get("escalation") or {}
        if escalation.get("role"):
            named.add(escalation["role"])
    return named


def _named_agencies(data: Any) -> set[str]:
    named = {data.get("agency", "")}
    named.update(((data.get("routing") or {}).get("agencies") or {}).values())
    for state in ((data.get("workflow") or {}).get("states") or {}).values():
        if state.get("agency"):
            named.add(state["agency"])
    return named


def published_services(
    *, query: str = "", category: str = "", life_event: str = "", audience: str = ""
) -> QuerySet[Service]:
    services = Service.objects.filter(published__isnull=False).select_related("agency", "published")
    if query:
        services = services.filter(
            Q(name_th__icontains=query)
            | Q(name_en__icontains=query)
            | Q(summary_th__icontains=query)
            | Q(summary_en__icontains=query)
            | Q(code__icontains=query)
        )
    # JSON lists are filtered in Python: the catalogue is small, and JSON containment differs by database.
    if category or life_event or audience:
        wanted = [
            service.pk
            for service in services
            if (not category or category in service.categories)
            and (not life_event or life_event in service.life_events)
            and (not audience or audience in service.audience)
        ]
        services = services.filter(pk__in=wanted)
    return services.order_by("name_th")


def published_service(*, code: str) -> Service:
    service = (
        Service.objects.filter(code=code, published__isnull=False)
        .select_related("agency", "published")
        .first()
    )
    if service is None:
        raise NotFound()
    return service


def catalogue_facets() -> dict[str, list[str]]:
    services = Service.objects.filter(published__isnull=False)
    facets: dict[str, set[str]] = {"categories": set(), "life_events": set(), "audience": set()}
    for service in services:
        facets["categories"].update(service.categories)
        facets["life_events"].update(service.life_events)
        facets["audience"].update(service.audience)
    return {name: sorted(values) for name, values in facets.items()}


def editable_services(*, user: Any) -> QuerySet[Service]:
    agencies = agencies_where_permitted(user, "catalogue.edit")
    return Service.objects.filter(agency__in=agencies).select_related("agency", "published")


def access_editable_service(*, user: Any, code: str) -> Service:
    service = editable_services(user=user).filter(code=code).first()
    if service is None:
        raise NotFound()
    return service


def latest_version(service: Service) -> ServiceVersion | None:
    return service.versions.order_by("-number").first()
