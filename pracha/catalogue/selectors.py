"""Reads of the catalogue: published services for everyone, every version for the agency's editors."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from pracha.agencies.public import Agency, Role, agencies_where_permitted
from pracha.catalogue.definitions import ServiceDefinition, Text, parse_definition
from pracha.catalogue.models import Service, ServiceVersion, VersionStatus
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


def may_edit_somewhere(*, user: Any) -> bool:
    return bool(agencies_where_permitted(user, "catalogue.edit"))


def access_editable_service(*, user: Any, code: str) -> Service:
    service = editable_services(user=user).filter(code=code).first()
    if service is None:
        raise NotFound()
    return service


def latest_version(service: Service) -> ServiceVersion | None:
    return service.versions.order_by("-number").first()


# The citizen's manual (คู่มือสำหรับประชาชน): what the service page and the API show of a definition.


@dataclass(frozen=True)
class ManualStep:
    """One step of the workflow as the applicant sees it: who holds the case there and for how long."""

    code: str
    name: Text
    holder: str  # agency, applicant, consenter or payment: never done
    sla_days: int | None
    agency: str | None  # the state's own agency code, if it names one


@dataclass(frozen=True)
class ManualTier:
    above: str | None  # the previous tier's limit, written as a number; None for the first tier
    up_to: str | None  # None for the last tier
    amount_satang: int


@dataclass(frozen=True)
class ManualFee:
    code: str
    name: Text
    kind: str  # fixed or tiers
    amount_satang: int  # fixed fees
    field: str  # tier fees: the form answer the tier is chosen by
    field_label: Text | None
    tiers: tuple[ManualTier, ...]


def manual_steps(definition: ServiceDefinition) -> list[ManualStep]:
    """The states a submitted application can pass through, excluding the closing (done) ones, in the order
    the workflow leads through them: depth first from `start`, each state's actions in the order written,
    so the usual path comes first and side paths (a correction) after it. The order does not depend on how
    the database stores the keys of `states` (PostgreSQL's jsonb reorders them)."""
    states = definition.workflow.states
    ordered: list[str] = []

    def visit(code: str) -> None:
        if code in ordered or code not in states:
            return
        ordered.append(code)
        for action in states[code].actions:
            visit(action.to)

    visit(definition.workflow.start)
    return [
        ManualStep(
            code=code,
            name=states[code].name,
            holder=states[code].holder,
            sla_days=states[code].sla_days,
            agency=states[code].agency,
        )
        for code in ordered
        if states[code].holder != "done"
    ]


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}"


def manual_fees(definition: ServiceDefinition) -> list[ManualFee]:
    """Each fee with its amount, or for a tier rule its table of tiers (above one limit, up to the next)."""
    fees: list[ManualFee] = []
    for fee in definition.fees:
        rule = fee.rule
        tiers: list[ManualTier] = []
        previous: str | None = None
        for tier in rule.tiers:
            up_to = None if tier.up_to is None else _number_text(tier.up_to)
            tiers.append(ManualTier(above=previous, up_to=up_to, amount_satang=tier.amount_satang))
            previous = up_to
        field_ui = definition.form.fields.get(rule.field) if rule.field else None
        fees.append(
            ManualFee(
                code=fee.code,
                name=fee.name,
                kind=rule.kind,
                amount_satang=rule.amount_satang,
                field=rule.field,
                field_label=field_ui.label if field_ui is not None else None,
                tiers=tuple(tiers),
            )
        )
    return fees


@dataclass(frozen=True)
class Manual:
    """Everything the service page shows: the published definition and what is worked out from it."""

    service: Service
    version: ServiceVersion
    definition: ServiceDefinition
    steps: list[ManualStep]
    fees: list[ManualFee]
    # The agencies the definition names besides the owner, by code: where applications are routed, and
    # the agencies of steps that name one.
    agencies: dict[str, Agency]
    # (choice label, agency) for each answer of the routing field, in the form's order.
    routed_to: list[tuple[Text, Agency]]


def service_manual(*, code: str) -> Manual:
    """The citizen's manual of a published service, or NotFound."""
    service = published_service(code=code)
    version = service.published
    assert version is not None  # published_service returns published services only
    definition = version_definition(version)
    steps = manual_steps(definition)
    named = {step.agency for step in steps if step.agency}
    if definition.routing is not None:
        named.update(definition.routing.agencies.values())
    agencies = {agency.code: agency for agency in Agency.objects.filter(code__in=named)}
    routed_to: list[tuple[Text, Agency]] = []
    if definition.routing is not None:
        field_ui = definition.form.fields.get(definition.routing.field)
        for answer, agency_code in definition.routing.agencies.items():
            label = field_ui.options.get(answer) if field_ui is not None else None
            if agency_code in agencies:
                routed_to.append((label or Text(th=answer, en=answer), agencies[agency_code]))
    return Manual(
        service=service,
        version=version,
        definition=definition,
        steps=steps,
        fees=manual_fees(definition),
        agencies=agencies,
        routed_to=routed_to,
    )


@dataclass(frozen=True)
class EditableService:
    """A row of the editor's list: the service, its published version number and its open draft's."""

    service: Service
    published_number: int | None
    draft_number: int | None


def editable_services_overview(*, user: Any) -> list[EditableService]:
    services = list(editable_services(user=user).order_by("code"))
    drafts = dict(
        ServiceVersion.objects.filter(service__in=services, status=VersionStatus.DRAFT).values_list(
            "service_id", "number"
        )
    )
    return [
        EditableService(
            service=service,
            published_number=service.published.number if service.published else None,
            draft_number=drafts.get(service.pk),
        )
        for service in services
    ]


def version_history(service: Service) -> QuerySet[ServiceVersion]:
    return service.versions.select_related("published_by").order_by("-number")


def service_version(*, service: Service, number: int) -> ServiceVersion:
    version = service.versions.filter(number=number).first()
    if version is None:
        raise NotFound()
    return version
