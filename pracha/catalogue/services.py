"""Every change to the catalogue: saving a definition as a draft version, and publishing a version."""

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pracha.agencies.public import Agency, agency_get, has_permission
from pracha.audit import public as audit
from pracha.catalogue.definitions import ServiceDefinition
from pracha.catalogue.models import Service, ServiceVersion, VersionStatus
from pracha.catalogue.selectors import definition_parse
from pracha.core.errors import InvalidInput, NotFound, PermissionDenied


def canonical_checksum(data: Mapping[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _named_agencies(definition: ServiceDefinition) -> set[str]:
    """Every agency a definition sends cases to: the owner, the routing targets and per-state agencies."""
    named = {definition.agency}
    if definition.routing is not None:
        named.update(definition.routing.agencies.values())
    named.update(state.agency for state in definition.workflow.states.values() if state.agency)
    return named


def _is_within(code: str, ancestor: str) -> bool:
    agency: Agency | None = agency_get(code=code)
    while agency is not None:
        if agency.code == ancestor:
            return True
        agency = agency.parent
    return False


def _ensure_editor_of_all(actor: Any, definition: ServiceDefinition) -> None:
    """The owning agency's editor may send cases to the owner's own offices (BMA to its districts); any
    other agency must be one the editor edits for too, or cases and outcomes could go out in its name."""
    _ensure_editor(actor, definition.agency)
    for code in sorted(_named_agencies(definition)):
        if not _is_within(code, definition.agency):
            _ensure_editor(actor, code)


def _ensure_editor(actor: Any, agency_code: str) -> None:
    """`actor` None is the platform itself (the load_services command run by an operator)."""
    if actor is None:
        return
    if not has_permission(actor, "catalogue.edit", agency=agency_get(code=agency_code)):
        raise PermissionDenied()


@transaction.atomic
def definition_save(
    *, actor: Any, data: Mapping[str, Any], publish: bool = False, expected_code: str | None = None
) -> ServiceVersion:
    """Save a definition as the service's draft version (a new one, or the open draft updated), and
    publish it if asked. An unchanged definition makes no new version. Raises DefinitionInvalid."""
    definition = definition_parse(data)
    if expected_code is not None and definition.code != expected_code:
        raise InvalidInput(
            _("The code of a service cannot change. Keep “%(code)s”.") % {"code": expected_code},
            fields={"definition": [_("The code of a service cannot change.")]},
        )
    _ensure_editor_of_all(actor, definition)
    service = Service.objects.select_for_update().filter(code=definition.code).first()
    if service is None:
        service = Service.objects.create(
            code=definition.code,
            agency=agency_get(code=definition.agency),
            name_th=definition.name.th,
            name_en=definition.name.en,
        )
    elif service.agency.code != definition.agency:
        # Moving a service to another agency is for both agencies' editors; one editor alone may not.
        _ensure_editor(actor, service.agency.code)
    checksum = canonical_checksum(data)
    latest = service.versions.order_by("-number").first()
    changed = True
    if latest is not None and latest.checksum == checksum:
        version, changed = latest, False
    elif latest is not None and latest.status == VersionStatus.DRAFT:
        latest.definition, latest.checksum = dict(data), checksum
        latest.save(update_fields=["definition", "checksum", "updated_at"])
        version = latest
    else:
        version = ServiceVersion.objects.create(
            service=service,
            number=(latest.number + 1) if latest else 1,
            definition=dict(data),
            checksum=checksum,
        )
    if changed:
        audit.record(
            actor=actor, action="catalogue.version_save", target=version, payload={"checksum": checksum}
        )
    if publish and version.status == VersionStatus.DRAFT:
        _publish(actor=actor, service=service, version=version, definition=definition)
    return version


@transaction.atomic
def version_publish(*, actor: Any, service_code: str, number: int) -> ServiceVersion:
    service = Service.objects.select_for_update().filter(code=service_code).first()
    if service is None:
        raise NotFound()
    _ensure_editor(actor, service.agency.code)
    version = service.versions.filter(number=number).first()
    if version is None:
        raise NotFound()
    if version.status != VersionStatus.DRAFT:
        raise InvalidInput(_("Only a draft version can be published."))
    # Checked again: roles or agencies the definition names may have gone since it was saved.
    definition = definition_parse(version.definition)
    _ensure_editor_of_all(actor, definition)
    _publish(actor=actor, service=service, version=version, definition=definition)
    return version


def _publish(*, actor: Any, service: Service, version: ServiceVersion, definition: ServiceDefinition) -> None:
    service.versions.filter(status=VersionStatus.PUBLISHED).update(status=VersionStatus.RETIRED)
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = actor
    version.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    service.published = version
    service.agency = agency_get(code=definition.agency)
    service.name_th, service.name_en = definition.name.th, definition.name.en
    service.summary_th, service.summary_en = definition.summary.th, definition.summary.en
    service.audience = list(definition.audience)
    service.categories = list(definition.categories)
    service.life_events = list(definition.life_events)
    service.save(
        update_fields=[
            "published", "agency", "name_th", "name_en", "summary_th", "summary_en", "audience", "categories",
            "life_events", "updated_at",
        ]
    )  # fmt: skip
    audit.record(actor=actor, action="catalogue.publish", target=version, payload={"number": version.number})
