"""catalogue.services: saving a definition as a version, publishing it, who may; the load_services command."""

import io
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import CommandError, call_command

from pracha.audit.public import AuditEntry
from pracha.catalogue.definitions import DefinitionInvalid, Problem
from pracha.catalogue.management.commands.load_services import DEFINITIONS_DIR
from pracha.catalogue.models import Service, ServiceVersion, VersionStatus
from pracha.catalogue.selectors import version_definition
from pracha.catalogue.services import definition_save, version_publish
from pracha.catalogue.tests.conftest import demo_definition
from pracha.core.errors import InvalidInput, PermissionDenied


def catalogue_audit() -> list[tuple[str, str]]:
    return list(
        AuditEntry.objects.filter(action__startswith="catalogue.")
        .order_by("id")
        .values_list("action", "target_id")
    )


def versions_of(code: str) -> list[tuple[int, str]]:
    return list(
        ServiceVersion.objects.filter(service__code=code).order_by("number").values_list("number", "status")
    )


def new_service(code: str = "street-food-stall") -> dict[str, Any]:
    data = demo_definition("food-shop-permit")
    data["code"] = code
    data["name"] = {"th": "ขออนุญาตตั้งแผงลอยจำหน่ายอาหาร", "en": "Street-food stall permit"}
    return data


@pytest.mark.django_db
def test_a_new_definition_becomes_version_1_as_a_draft(
    service_world: dict[str, Any], bma_editor: Any
) -> None:
    before = catalogue_audit()

    version = definition_save(actor=bma_editor, data=new_service())

    service = Service.objects.get(code="street-food-stall")
    assert (version.service, version.number, version.status) == (service, 1, VersionStatus.DRAFT)
    assert version.definition == new_service()
    assert service.published is None
    assert (service.agency.code, service.name_en) == ("bma", "Street-food stall permit")
    assert catalogue_audit() == [*before, ("catalogue.version_save", str(version.pk))]
    entry = AuditEntry.objects.filter(action="catalogue.version_save").latest("id")
    assert entry.actor_id == str(bma_editor.public_id)


@pytest.mark.django_db
def test_publishing_a_new_definition_fills_in_the_catalogue_row(
    service_world: dict[str, Any], bma_editor: Any
) -> None:
    version = definition_save(actor=bma_editor, data=new_service(), publish=True)

    service = Service.objects.get(code="street-food-stall")
    assert service.published == version
    assert version.status == VersionStatus.PUBLISHED
    assert version.published_by == bma_editor
    assert version.published_at is not None
    assert (service.audience, service.categories, service.life_events) == (
        ["citizen", "business"],
        ["business", "health"],
        ["open-a-restaurant"],
    )
    assert service.summary_en.startswith("Apply online for a permit to open a food shop")
    assert [action for action, _target in catalogue_audit()[-2:]] == [
        "catalogue.version_save",
        "catalogue.publish",
    ]


@pytest.mark.django_db
def test_an_unchanged_definition_makes_no_new_version_and_no_audit_entry(
    service_world: dict[str, Any], bma_editor: Any
) -> None:
    before = catalogue_audit()

    version = definition_save(actor=bma_editor, data=demo_definition("food-shop-permit"), publish=True)

    assert (version.number, version.status) == (1, VersionStatus.PUBLISHED)
    assert versions_of("food-shop-permit") == [(1, "published")]
    assert catalogue_audit() == before


@pytest.mark.django_db
def test_a_changed_definition_is_version_2_and_publishing_it_retires_version_1(
    service_world: dict[str, Any], bma_editor: Any
) -> None:
    service = Service.objects.get(code="food-shop-permit")
    first = service.published
    assert first is not None
    changed = demo_definition("food-shop-permit")
    changed["time_limit_days"] = 20

    draft = definition_save(actor=bma_editor, data=changed)

    assert versions_of("food-shop-permit") == [(1, "published"), (2, "draft")]
    service.refresh_from_db()
    assert service.published == first  # the public still sees version 1

    # Saving the draft again changes the draft; it makes no version 3.
    changed["time_limit_days"] = 25
    again = definition_save(actor=bma_editor, data=changed)
    assert again.pk == draft.pk
    assert versions_of("food-shop-permit") == [(1, "published"), (2, "draft")]

    published = version_publish(actor=bma_editor, service_code="food-shop-permit", number=2)

    assert published.pk == draft.pk
    assert versions_of("food-shop-permit") == [(1, "retired"), (2, "published")]
    service.refresh_from_db()
    assert service.published == published
    # An application started under version 1 keeps its rules: the version and its definition are unchanged.
    first.refresh_from_db()
    assert first.definition == demo_definition("food-shop-permit")
    assert version_definition(first).time_limit_days == 30
    assert version_definition(published).time_limit_days == 25
    assert [action for action, _target in catalogue_audit()[-3:]] == [
        "catalogue.version_save",
        "catalogue.version_save",
        "catalogue.publish",
    ]


@pytest.mark.django_db
def test_only_a_draft_can_be_published(service_world: dict[str, Any], bma_editor: Any) -> None:
    before = catalogue_audit()

    with pytest.raises(InvalidInput) as raised:
        version_publish(actor=bma_editor, service_code="food-shop-permit", number=1)

    assert str(raised.value) == "Only a draft version can be published."
    assert catalogue_audit() == before


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["officer_other_agency", "reviewer", "officer_without", "applicant"])
def test_someone_without_catalogue_edit_in_the_owning_agency_is_refused_and_nothing_is_written(
    service_world: dict[str, Any], who: str
) -> None:
    changed = demo_definition("food-shop-permit")
    changed["time_limit_days"] = 20
    before = catalogue_audit()

    with pytest.raises(PermissionDenied):
        definition_save(actor=service_world[who], data=changed, publish=True)
    with pytest.raises(PermissionDenied):
        definition_save(actor=service_world[who], data=new_service())

    assert versions_of("food-shop-permit") == [(1, "published")]
    assert not Service.objects.filter(code="street-food-stall").exists()
    assert catalogue_audit() == before


@pytest.mark.django_db
def test_an_officer_of_another_agency_cannot_publish_a_draft(
    service_world: dict[str, Any], bma_editor: Any
) -> None:
    changed = demo_definition("food-shop-permit")
    changed["time_limit_days"] = 20
    definition_save(actor=bma_editor, data=changed)
    before = catalogue_audit()

    with pytest.raises(PermissionDenied):
        version_publish(
            actor=service_world["officer_other_agency"], service_code="food-shop-permit", number=2
        )

    assert versions_of("food-shop-permit") == [(1, "published"), (2, "draft")]
    assert catalogue_audit() == before


@pytest.mark.django_db
def test_an_editor_cannot_move_a_service_to_their_own_agency(service_world: dict[str, Any]) -> None:
    """The DBD's editor rewrites the food-shop permit as a DBD service: both agencies would have to agree."""
    taken = demo_definition("food-shop-permit")
    taken["agency"] = "dbd"
    before = catalogue_audit()

    with pytest.raises(PermissionDenied):
        definition_save(actor=service_world["officer_other_agency"], data=taken, publish=True)

    assert Service.objects.get(code="food-shop-permit").agency.code == "bma"
    assert versions_of("food-shop-permit") == [(1, "published")]
    assert catalogue_audit() == before


@pytest.mark.parametrize("where", ["routing", "state"])
def test_an_editor_cannot_send_cases_to_an_agency_they_do_not_edit_for(
    service_world: dict[str, Any], where: str
) -> None:
    """DBD's editor may not route its own service's cases to DOPA: they would be decided in DOPA's name."""
    data = demo_definition("commercial-registration")
    if where == "routing":
        data["routing"] = {"field": "business_type", "agencies": dict.fromkeys(
            data["form"]["schema"]["properties"]["business_type"]["enum"], "dopa"
        )}  # fmt: skip
    else:
        data["workflow"]["states"]["review"]["agency"] = "dopa"
    before = catalogue_audit()

    with pytest.raises(PermissionDenied):
        definition_save(actor=service_world["officer_other_agency"], data=data, publish=True)

    assert versions_of("commercial-registration") == [(1, "published")]
    assert catalogue_audit() == before


def test_the_owning_agency_routes_to_its_own_offices(service_world: dict[str, Any], bma_editor: Any) -> None:
    data = demo_definition("food-shop-permit")
    data["time_limit_days"] = 25
    version = definition_save(actor=bma_editor, data=data, publish=True)
    assert (version.number, version.status) == (2, "published")


@pytest.mark.django_db
def test_an_invalid_definition_is_refused_with_each_problem(
    service_world: dict[str, Any], bma_editor: Any
) -> None:
    broken = demo_definition("food-shop-permit")
    broken["workflow"]["states"]["orphan"] = {
        "name": {"th": "สถานะที่ไปไม่ถึง", "en": "Unreachable"},
        "holder": "agency",
        "sla_days": 1,
        "actions": [
            {
                "name": "close",
                "kind": "reject",
                "label": {"th": "ปิด", "en": "Close"},
                "by": ["reviewer"],
                "to": "rejected",
            }
        ],
    }
    del broken["name"]["en"]
    before = catalogue_audit()

    with pytest.raises(DefinitionInvalid) as raised:
        definition_save(actor=bma_editor, data=broken, publish=True)

    assert raised.value.problems == [
        Problem("name.en", "The English text is missing."),
        Problem(
            "workflow.states.orphan",
            "State “orphan” cannot be reached from the start state “document_check”.",
        ),
    ]
    assert versions_of("food-shop-permit") == [(1, "published")]
    assert catalogue_audit() == before


@pytest.mark.django_db
def test_the_code_cannot_change_when_an_editor_saves(service_world: dict[str, Any], bma_editor: Any) -> None:
    before = catalogue_audit()

    with pytest.raises(InvalidInput) as raised:
        definition_save(actor=bma_editor, data=new_service(), expected_code="food-shop-permit")

    assert raised.value.fields == {"definition": ["The code of a service cannot change."]}
    assert not Service.objects.filter(code="street-food-stall").exists()
    assert catalogue_audit() == before


@pytest.mark.django_db
def test_load_services_reports_each_service_and_makes_no_version_for_unchanged_files(
    service_world: dict[str, Any],
) -> None:
    out = io.StringIO()

    call_command("load_services", stdout=out, stderr=io.StringIO())

    assert out.getvalue().splitlines() == [
        "change-of-address: version 1 (published)",
        "commercial-registration: version 1 (published)",
        "food-shop-permit-renewal: version 1 (published)",
        "food-shop-permit: version 1 (published)",
        "house-registration-copy: version 1 (published)",
        "vat-registration: version 1 (published)",
    ]
    assert ServiceVersion.objects.count() == 6


@pytest.mark.django_db
def test_load_services_saves_a_changed_file_as_a_draft_when_asked(
    service_world: dict[str, Any], tmp_path: Path
) -> None:
    changed = demo_definition("food-shop-permit")
    changed["time_limit_days"] = 20
    path = tmp_path / "food-shop-permit.yaml"
    path.write_text(yaml.safe_dump(changed, allow_unicode=True), encoding="utf-8")
    out = io.StringIO()

    call_command("load_services", str(path), "--draft", stdout=out, stderr=io.StringIO())

    assert out.getvalue() == "food-shop-permit: version 2 (draft)\n"
    assert versions_of("food-shop-permit") == [(1, "published"), (2, "draft")]
    entry = AuditEntry.objects.filter(action="catalogue.version_save").latest("id")
    assert (entry.actor_id, entry.target_id) == ("", str(ServiceVersion.objects.get(number=2).pk))


@pytest.mark.django_db
def test_load_services_lists_the_problems_of_a_broken_file_and_fails(
    service_world: dict[str, Any], tmp_path: Path
) -> None:
    broken = demo_definition("food-shop-permit")
    broken["workflow"]["states"]["document_check"]["actions"][0]["to"] = "nowhere"
    broken_path = tmp_path / "broken.yaml"
    broken_path.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    unreadable_path = tmp_path / "unreadable.yaml"
    unreadable_path.write_text("code: [food-shop-permit\n", encoding="utf-8")
    good_path = DEFINITIONS_DIR / "vat-registration.yaml"
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError) as raised:
        call_command(
            "load_services", str(broken_path), str(unreadable_path), str(good_path), stdout=out, stderr=err
        )

    assert str(raised.value) == "Some definitions were not loaded."
    assert out.getvalue() == "vat-registration: version 1 (published)\n"
    lines = err.getvalue().splitlines()
    assert lines[0] == f"{broken_path}:"
    assert "  workflow.states.document_check.actions[0].to: There is no state “nowhere”." in lines
    assert f"{unreadable_path}: while parsing a flow sequence" in lines
    assert versions_of("food-shop-permit") == [(1, "published")]
