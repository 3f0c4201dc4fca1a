"""The catalogue in the JSON API: services, their forms and definitions. Open to everyone: a published
service is public information, and its definition is the published rule the platform applies."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from pracha.catalogue import selectors
from pracha.catalogue.definitions import FieldUi, ServiceDefinition
from pracha.catalogue.models import Service
from pracha.catalogue.schemas import EFormOut, ServiceOut, ServiceSummaryOut

router = Router(tags=["services"])


class ServiceFilters(Schema):
    q: str = ""
    category: str = ""
    life_event: str = ""
    audience: str = ""


def _summary(service: Service) -> dict[str, Any]:
    assert service.published is not None  # only published services are listed
    return {
        "code": service.code,
        "name": {"th": service.name_th, "en": service.name_en},
        "summary": {"th": service.summary_th, "en": service.summary_en},
        "agency": service.agency.code,
        "audience": list(service.audience),
        "categories": list(service.categories),
        "life_events": list(service.life_events),
        "version": service.published.number,
    }


def _field_ui(ui: FieldUi) -> dict[str, Any]:
    return {
        "label": ui.label.as_dict(),
        "help": ui.help.as_dict() if ui.help is not None else None,
        "widget": ui.widget,
        "options": {value: text.as_dict() for value, text in ui.options.items()},
    }


def _definition_of(service: Service) -> ServiceDefinition:
    assert service.published is not None
    return selectors.version_definition(service.published)


@router.get("/", response=list[ServiceSummaryOut], summary="The published services", auth=None)
def service_list(request: HttpRequest, filters: Query[ServiceFilters]) -> list[dict[str, Any]]:
    services = selectors.published_services(
        query=filters.q.strip(),
        category=filters.category,
        life_event=filters.life_event,
        audience=filters.audience,
    )
    return [_summary(service) for service in services]


@router.get("/{code}", response=ServiceOut, summary="A service's citizen's manual", auth=None)
def service_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    manual = selectors.service_manual(code=code)
    definition = manual.definition
    return {
        **_summary(manual.service),
        "description": definition.description.as_dict(),
        "eligibility": definition.eligibility.as_dict(),
        "contact": definition.contact.as_dict() if definition.contact is not None else None,
        "documents": [
            {
                "code": document.code,
                "name": document.name.as_dict(),
                "types": list(document.types),
                "max_size_kb": document.max_size_kb,
                "max_pages": document.max_pages,
                "optional": document.optional,
                "held_by_state": document.held_by_state,
            }
            for document in definition.documents
        ],
        "fees": [
            {
                "code": fee.code,
                "name": fee.name.as_dict(),
                "kind": fee.rule.kind,
                "amount_satang": fee.rule.amount_satang if fee.rule.kind == "fixed" else None,
                "field": fee.rule.field or None,
                "tiers": [
                    {"up_to": tier.up_to, "amount_satang": tier.amount_satang} for tier in fee.rule.tiers
                ],
            }
            for fee in definition.fees
        ],
        "steps": [
            {
                "code": step.code,
                "name": step.name.as_dict(),
                "holder": step.holder,
                "sla_days": step.sla_days,
                "agency": step.agency,
            }
            for step in manual.steps
        ],
        "time_limit_days": definition.time_limit_days,
        "assurance": definition.assurance,
        "illustrative": definition.illustrative,
    }


@router.get(
    "/{code}/eForms",
    response=EFormOut,
    by_alias=True,
    summary="A service's application form: JSON Schema and UI hints",
    auth=None,
)
def service_eform(request: HttpRequest, code: str) -> dict[str, Any]:
    service = selectors.published_service(code=code)
    form = _definition_of(service).form
    assert service.published is not None
    return {
        "schema": dict(form.schema),
        "ui": {
            "order": list(form.order),
            "fields": {name: _field_ui(ui) for name, ui in form.fields.items()},
        },
        "version": service.published.number,
    }


@router.get(
    "/{code}/definition",
    response=dict[str, Any],
    summary="A service's published definition (docs/service-definitions.md)",
    auth=None,
)
def service_definition(request: HttpRequest, code: str) -> dict[str, Any]:
    service = selectors.published_service(code=code)
    assert service.published is not None
    return dict(service.published.definition)
