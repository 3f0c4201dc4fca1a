"""parse_definition: a valid definition becomes typed; a broken one is refused with every problem, each at
its path. No database: the known roles and agencies are given."""

import copy
from collections.abc import Callable
from typing import Any

import pytest

from pracha.catalogue.definitions import (
    DefinitionInvalid,
    DocumentRequirement,
    Escalation,
    Problem,
    Routing,
    Text,
    parse_definition,
)

KNOWN_ROLES = {"reviewer", "inspector", "approver"}
KNOWN_AGENCIES = {"bma", "bma-bang-rak", "bma-phra-nakhon"}


def pair(th: str, en: str) -> dict[str, str]:
    return {"th": th, "en": en}


def action(name: str, kind: str, by: list[str], to: str) -> dict[str, Any]:
    return {"name": name, "kind": kind, "label": pair(f"ป้าย {name}", f"Label {name}"), "by": by, "to": to}


def food_shop_definition() -> dict[str, Any]:
    """A valid definition: routed by district, one document, a fixed and a tiered fee, and a workflow
    with a correction loop, an inspection, an approval, a payment and both outcomes."""
    return {
        "code": "food-shop-permit",
        "agency": "bma",
        "audience": ["citizen", "business"],
        "categories": ["business", "health"],
        "life_events": ["open-a-restaurant"],
        "assurance": "self_asserted",
        "illustrative": True,
        "show_officer_names": False,
        "renewal_of": None,
        "time_limit_days": 30,
        "name": pair("ใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร", "Food shop permit"),
        "summary": pair("ขออนุญาตเปิดร้านอาหาร", "Permission to open a food shop"),
        "description": pair("ร้านอาหารที่มีพื้นที่เกิน 200 ตารางเมตร", "Food shops larger than 200 m²"),
        "eligibility": pair("เจ้าของร้าน", "The shop's owner"),
        "routing": {
            "field": "district",
            "agencies": {"bang-rak": "bma-bang-rak", "phra-nakhon": "bma-phra-nakhon"},
        },
        "documents": [
            {
                "code": "floor-plan",
                "name": pair("แผนผังร้าน", "Floor plan"),
                "types": ["pdf", "png"],
                "max_size_kb": 5120,
            }
        ],
        "fees": [
            {
                "code": "permit-fee",
                "name": pair("ค่าธรรมเนียม", "Permit fee"),
                "rule": {"kind": "fixed", "amount_satang": 50000},
            },
            {
                "code": "area-fee",
                "name": pair("ค่าธรรมเนียมตามพื้นที่", "Area fee"),
                "rule": {
                    "kind": "tiers",
                    "field": "shop_area_sqm",
                    "tiers": [{"up_to": 50, "amount_satang": 20000}, {"amount_satang": 100000}],
                },
            },
        ],
        "form": {
            "schema": {
                "type": "object",
                "properties": {
                    "shop_name": {"type": "string", "minLength": 1, "maxLength": 200},
                    "shop_area_sqm": {"type": "number", "minimum": 1},
                    "district": {"type": "string", "enum": ["bang-rak", "phra-nakhon"]},
                },
                "required": ["shop_name", "shop_area_sqm", "district"],
            },
            "ui": {
                "order": ["shop_name", "shop_area_sqm", "district"],
                "fields": {
                    "shop_name": {"label": pair("ชื่อร้าน", "Shop name"), "widget": "text"},
                    "shop_area_sqm": {"label": pair("พื้นที่ (ตร.ม.)", "Area (m²)"), "widget": "number"},
                    "district": {
                        "label": pair("เขต", "District"),
                        "widget": "radio",
                        "options": {
                            "bang-rak": pair("บางรัก", "Bang Rak"),
                            "phra-nakhon": pair("พระนคร", "Phra Nakhon"),
                        },
                    },
                },
            },
        },
        "outcome": {
            "kind": "licence",
            "name": pair("ใบอนุญาต", "Permit"),
            "number_prefix": "FSP",
            "valid_for_days": 365,
            "conditions": [pair("ต้องรักษาความสะอาด", "Keep the shop clean")],
        },
        "workflow": {
            "start": "document_check",
            "states": {
                "document_check": {
                    "name": pair("ตรวจเอกสาร", "Document check"),
                    "holder": "agency",
                    "sla_days": 3,
                    "escalation": {"kind": "role", "role": "approver"},
                    "actions": [
                        action("accept", "advance", ["reviewer"], "site_inspection"),
                        action("send_back", "send_back", ["reviewer"], "correction"),
                    ],
                },
                "site_inspection": {
                    "name": pair("ตรวจสถานที่", "Site inspection"),
                    "holder": "agency",
                    "sla_days": 10,
                    "actions": [
                        action("pass", "advance", ["inspector"], "approval"),
                        action("fail", "reject", ["inspector"], "rejected"),
                    ],
                },
                "approval": {
                    "name": pair("พิจารณาอนุญาต", "Approval"),
                    "holder": "agency",
                    "sla_days": 5,
                    "escalation": {"kind": "action", "action": "approve"},
                    "actions": [
                        action("approve", "advance", ["approver"], "awaiting_payment"),
                        action("reject", "reject", ["approver"], "rejected"),
                    ],
                },
                "awaiting_payment": {
                    "name": pair("รอชำระค่าธรรมเนียม", "Awaiting payment"),
                    "holder": "payment",
                    "sla_days": 15,
                    "fees": ["permit-fee", "area-fee"],
                    "actions": [action("paid", "paid", ["system"], "approved")],
                },
                "correction": {
                    "name": pair("แก้ไขคำขอ", "Correction"),
                    "holder": "applicant",
                    "sla_days": 15,
                    "actions": [action("resubmit", "resubmit", ["applicant"], "document_check")],
                },
                "approved": {"name": pair("อนุญาต", "Approved"), "holder": "done", "outcome": "approved"},
                "rejected": {"name": pair("ไม่อนุญาต", "Rejected"), "holder": "done", "outcome": "rejected"},
            },
        },
    }


def parse(data: Any) -> Any:
    return parse_definition(data, known_roles=KNOWN_ROLES, known_agencies=KNOWN_AGENCIES)


def problems_of(data: Any) -> list[Problem]:
    with pytest.raises(DefinitionInvalid) as raised:
        parse(data)
    return raised.value.problems


def test_a_valid_definition_is_parsed():
    definition = parse(food_shop_definition())

    assert definition.code == "food-shop-permit"
    assert definition.audience == ("citizen", "business")
    assert definition.name == Text(th="ใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร", en="Food shop permit")
    assert definition.contact is None
    assert definition.routing == Routing(
        field="district", agencies={"bang-rak": "bma-bang-rak", "phra-nakhon": "bma-phra-nakhon"}
    )
    assert definition.documents == (
        DocumentRequirement(
            code="floor-plan", name=Text("แผนผังร้าน", "Floor plan"), types=("pdf", "png"), max_size_kb=5120
        ),
    )
    assert [fee.code for fee in definition.fees] == ["permit-fee", "area-fee"]
    assert definition.form.order == ("shop_name", "shop_area_sqm", "district")
    assert definition.outcome.conditions == (Text("ต้องรักษาความสะอาด", "Keep the shop clean"),)
    assert definition.workflow.start == "document_check"
    assert list(definition.workflow.states) == [
        "document_check", "site_inspection", "approval", "awaiting_payment", "correction", "approved",
        "rejected",
    ]  # fmt: skip
    assert definition.workflow.states["approval"].escalation == Escalation(kind="action", action="approve")


def test_optional_keys_may_be_left_out():
    data = food_shop_definition()
    for key in ("categories", "life_events", "illustrative", "show_officer_names", "renewal_of", "routing"):
        del data[key]

    definition = parse(data)

    assert (definition.categories, definition.illustrative, definition.renewal_of, definition.routing) == (
        (),
        False,
        None,
        None,
    )


def test_a_definition_with_consent_names_the_consenter_field():
    data = food_shop_definition()
    form = data["form"]
    form["schema"]["properties"]["owner_national_id"] = {"type": "string", "pattern": "^[0-9]{13}$"}
    form["ui"]["order"].append("owner_national_id")
    form["ui"]["fields"]["owner_national_id"] = {
        "label": pair("เลขประจำตัวเจ้าของ", "Owner's ID"),
        "widget": "national_id",
    }
    data["consent"] = {"field": "owner_national_id"}
    data["workflow"]["states"]["owner_consent"] = {
        "name": pair("เจ้าของยินยอม", "Owner's consent"),
        "holder": "consenter",
        "sla_days": 7,
        "actions": [action("agree", "consent", ["consenter"], "document_check")],
    }
    data["workflow"]["start"] = "owner_consent"

    definition = parse(data)

    assert definition.consent_field == "owner_national_id"
    assert definition.workflow.states["owner_consent"].holder == "consenter"


def test_a_definition_that_is_not_a_mapping_is_refused():
    assert problems_of(["code", "food-shop-permit"]) == [Problem("", "Expected keys with values here.")]


Change = Callable[[dict[str, Any]], None]


def states(data: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = data["workflow"]["states"]
    return result


def add_unreachable_state(data: dict[str, Any]) -> None:
    states(data)["archive"] = {
        "name": pair("เก็บถาวร", "Archive"),
        "holder": "agency",
        "sla_days": 1,
        "actions": [action("close", "reject", ["reviewer"], "rejected")],
    }


def replace_paid_with_advance(data: dict[str, Any]) -> None:
    states(data)["awaiting_payment"]["actions"] = [action("confirm", "advance", ["system"], "approved")]


def add_duplicate_document(data: dict[str, Any]) -> None:
    data["documents"].append(
        {"code": "floor-plan", "name": pair("แผนผัง", "Plan"), "types": ["pdf"], "max_size_kb": 1}
    )


def duplicate_fee_code(data: dict[str, Any]) -> None:
    data["fees"][1]["code"] = "permit-fee"
    states(data)["awaiting_payment"]["fees"] = ["permit-fee"]


BROKEN: dict[str, tuple[Change, list[Problem]]] = {
    "unreachable state": (
        add_unreachable_state,
        [
            Problem(
                "workflow.states.archive",
                "State “archive” cannot be reached from the start state “document_check”.",
            )
        ],
    ),
    "action without roles": (
        lambda d: states(d)["document_check"]["actions"][0].update(by=[]),
        [
            Problem(
                "workflow.states.document_check.actions[0].by",
                "Name who takes this action: officer roles, or applicant, consenter or system.",
            )
        ],
    ),
    "unknown role": (
        lambda d: states(d)["site_inspection"]["actions"][0].update(by=["cook"]),
        [Problem("workflow.states.site_inspection.actions[0].by[0]", "There is no role “cook”.")],
    ),
    "to an unknown state": (
        lambda d: states(d)["site_inspection"]["actions"][1].update(to="refused"),
        [Problem("workflow.states.site_inspection.actions[1].to", "There is no state “refused”.")],
    ),
    "send_back to an agency state": (
        lambda d: states(d)["site_inspection"]["actions"].append(
            action("redo", "send_back", ["inspector"], "approval")
        ),
        [
            Problem(
                "workflow.states.site_inspection.actions[2].to",
                "An action of kind “send_back” leads to a state with holder “applicant”; "
                "“approval” is not one.",
            )
        ],
    ),
    "payment state without a paid action": (
        replace_paid_with_advance,
        [
            Problem(
                "workflow.states.awaiting_payment.actions[0].kind",
                "An action of kind “advance” is taken in a state with holder “agency”, not “payment”.",
            ),
            Problem(
                "workflow.states.awaiting_payment.actions",
                "A payment state has exactly one action of kind “paid”, by: [system].",
            ),
        ],
    ),
    "unknown fee code": (
        lambda d: states(d)["awaiting_payment"]["fees"].append("inspection-fee"),
        [Problem("workflow.states.awaiting_payment.fees[2]", "There is no fee “inspection-fee”.")],
    ),
    "done state with actions": (
        lambda d: states(d)["approved"].update(
            actions=[action("reopen", "advance", ["reviewer"], "document_check")]
        ),
        [Problem("workflow.states.approved.actions", "A done state has no actions: the case is closed.")],
    ),
    "no approved outcome reachable": (
        lambda d: states(d)["approved"].update(outcome="rejected"),
        [
            Problem(
                "workflow",
                "No state with holder “done” and outcome “approved” can be reached from the start state, "
                "so no application could ever be approved.",
            )
        ],
    ),
    "escalation to an unknown action": (
        lambda d: states(d)["approval"]["escalation"].update(action="grant"),
        [Problem("workflow.states.approval.escalation.action", "This state has no action “grant”.")],
    ),
    "escalation to an unknown role": (
        lambda d: states(d)["document_check"]["escalation"].update(role="director"),
        [Problem("workflow.states.document_check.escalation.role", "There is no role “director”.")],
    ),
    "text missing English": (
        lambda d: d["summary"].pop("en"),
        [Problem("summary.en", "The English text is missing.")],
    ),
    "text with empty Thai": (
        lambda d: d["outcome"]["name"].update(th="  "),
        [Problem("outcome.name.th", "The Thai text is missing.")],
    ),
    "text that is not a pair": (
        lambda d: d.update(eligibility="Anyone"),
        [Problem("eligibility", "Expected keys with values here.")],
    ),
    "form schema that is not JSON Schema": (
        lambda d: d["form"]["schema"]["properties"]["shop_area_sqm"].update(minimum="one"),
        [
            Problem(
                "form.schema.properties.shop_area_sqm.minimum",
                "This is not valid JSON Schema: 'one' is not of type 'number'",
            )
        ],
    ),
    "duplicate document code": (
        add_duplicate_document,
        [Problem("documents[1].code", "Another document has the code “floor-plan” too.")],
    ),
    "document type not allowed": (
        lambda d: d["documents"][0].update(types=["pdf", "docx"]),
        [Problem("documents[0].types[1]", "“docx” is not one of: pdf, jpeg, png.")],
    ),
    "document size not positive": (
        lambda d: d["documents"][0].update(max_size_kb=0),
        [Problem("documents[0].max_size_kb", "Expected a whole number greater than zero.")],
    ),
    "duplicate fee code": (
        duplicate_fee_code,
        [Problem("fees[1].code", "Another fee has the code “permit-fee” too.")],
    ),
    "invalid service code": (
        lambda d: d.update(code="Food_Shop"),
        [
            Problem(
                "code",
                "“Food_Shop” is not a valid code: use lower-case letters and digits, "
                "with single hyphens between words.",
            )
        ],
    ),
    "missing key": (
        lambda d: d.pop("time_limit_days"),
        [Problem("time_limit_days", "This is required.")],
    ),
    "misspelt key": (
        lambda d: d.update(eligibilty=d["eligibility"]),
        [Problem("eligibilty", "This key is not part of the definition format.")],
    ),
    "time limit not positive": (
        lambda d: d.update(time_limit_days=True),
        [Problem("time_limit_days", "Expected a whole number greater than zero.")],
    ),
    "unknown audience": (
        lambda d: d["audience"].append("tourist"),
        [Problem("audience[2]", "“tourist” is not one of: citizen, business, officer, agency.")],
    ),
    "unknown assurance": (
        lambda d: d.update(assurance="strong"),
        [Problem("assurance", "“strong” is not one of: self_asserted, verified.")],
    ),
    "unknown owning agency": (
        lambda d: d.update(agency="bkk"),
        [Problem("agency", "There is no agency “bkk”.")],
    ),
    "unknown routing agency": (
        lambda d: d["routing"]["agencies"].update({"bang-rak": "bma-bangrak"}),
        [Problem("routing.agencies.bang-rak", "There is no agency “bma-bangrak”.")],
    ),
    "routing field not in the form": (
        lambda d: d["routing"].update(field="khet"),
        [Problem("routing.field", "“khet” is not a field of the form.")],
    ),
    "routing field not a choice": (
        lambda d: d["routing"].update(field="shop_name"),
        [
            Problem(
                "routing.field",
                "Field “shop_name” must be a choice (enum): the agency is picked by the answer.",
            )
        ],
    ),
    "routing agencies not the field's choices": (
        lambda d: d["routing"].update(agencies={"bang-rak": "bma-bang-rak", "sathon": "bma"}),
        [
            Problem("routing.agencies", "No agency is named for the choice “phra-nakhon”."),
            Problem("routing.agencies.sathon", "“sathon” is not a choice of field “district”."),
        ],
    ),
    "consent field not in the form": (
        lambda d: d.update(consent={"field": "owner_national_id"}),
        [Problem("consent.field", "“owner_national_id” is not a field of the form.")],
    ),
    "consent field not a national ID": (
        lambda d: d.update(consent={"field": "shop_name"}),
        [
            Problem(
                "consent.field",
                "Field “shop_name” must use the national_id widget: it holds the consenter’s national ID.",
            )
        ],
    ),
    "outcome prefix with a hyphen": (
        lambda d: d["outcome"].update(number_prefix="FSP-"),
        [
            Problem(
                "outcome.number_prefix",
                "“FSP-” is not a valid prefix: use capital letters and digits, starting with a letter.",
            )
        ],
    ),
    "unknown outcome kind": (
        lambda d: d["outcome"].update(kind="permit"),
        [Problem("outcome.kind", "“permit” is not one of: licence, certificate, registration, copy.")],
    ),
    "name too long for the catalogue": (
        lambda d: d["name"].update(en="x" * 201),
        [Problem("name.en", "This text has 201 characters; at most 200 fit.")],
    ),
}


@pytest.mark.parametrize(("change", "expected"), BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_definition_is_refused_at_the_problem(change: Change, expected: list[Problem]):
    data = food_shop_definition()
    change(data)

    assert problems_of(data) == expected


def test_every_problem_is_reported_at_once():
    data = food_shop_definition()
    data["summary"].pop("en")
    add_duplicate_document(data)
    states(data)["document_check"]["actions"][0]["by"] = []
    states(data)["awaiting_payment"]["fees"].append("inspection-fee")

    assert problems_of(data) == [
        Problem("summary.en", "The English text is missing."),
        Problem("documents[1].code", "Another document has the code “floor-plan” too."),
        Problem(
            "workflow.states.document_check.actions[0].by",
            "Name who takes this action: officer roles, or applicant, consenter or system.",
        ),
        Problem("workflow.states.awaiting_payment.fees[2]", "There is no fee “inspection-fee”."),
    ]


def test_the_refusal_lists_the_problems_in_its_message():
    data = food_shop_definition()
    data["agency"] = "bkk"

    with pytest.raises(DefinitionInvalid) as raised:
        parse(data)

    assert raised.value.as_dict() == {
        "code": "definition_invalid",
        "message": "agency: There is no agency “bkk”.",
        "fields": {"definition": ["agency: There is no agency “bkk”."]},
    }


def test_parsing_does_not_change_the_data():
    data = food_shop_definition()
    before = copy.deepcopy(data)

    parse(data)

    assert data == before


def test_a_code_the_portal_uses_for_its_own_pages_is_refused() -> None:
    data = food_shop_definition()
    data["code"] = "manage"
    with pytest.raises(DefinitionInvalid) as refused:
        parse(data)
    assert [str(p) for p in refused.value.problems] == [
        "code: “manage” is a word the portal’s addresses use. Choose another code."
    ]
