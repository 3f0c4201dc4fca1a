"""What other apps may use of the service catalogue."""

from pracha.catalogue import eforms, fees, workflow
from pracha.catalogue.definitions import (
    DRAFT_STATE,
    SUBMIT,
    WITHDRAW,
    WITHDRAWN_STATE,
    Action,
    DocumentRequirement,
    ServiceDefinition,
    State,
    Text,
)
from pracha.catalogue.models import Service, ServiceVersion
from pracha.catalogue.selectors import published_service, published_services, version_definition

__all__ = [
    "DRAFT_STATE",
    "SUBMIT",
    "WITHDRAW",
    "WITHDRAWN_STATE",
    "Action",
    "DocumentRequirement",
    "Service",
    "ServiceDefinition",
    "ServiceVersion",
    "State",
    "Text",
    "eforms",
    "fees",
    "published_service",
    "published_services",
    "version_definition",
    "workflow",
]
