"""/api/v1/services/: the published catalogue, each service's manual, form and definition, for anyone."""

from typing import Any

import pytest
from django.test import Client

from pracha.accounts.tests.conftest import client_for
from pracha.catalogue.models import ServiceVersion
from pracha.catalogue.services import definition_save
from pracha.catalogue.tests.conftest import demo_definition

BASE = "/api/v1/services/"
ALL_SERVICES = {
    "change-of-address",
    "commercial-registration",
    "food-shop-permit",
    "food-shop-permit-renewal",
    "house-registration-copy",
    "vat-registration",
}
# Thai, the default language, for a caller that did not choose English.
NOT_FOUND = {"code": "not_found", "message": "ไม่พบข้อมูลที่ต้องการ", "fields": {}}


def codes(response: Any) -> set[str]:
    return {service["code"] for service in response.json()}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "applicant", "reviewer", "officer_other_agency"])
def test_anyone_can_list_the_published_services(service_world: dict[str, Any], who: str) -> None:
    response = client_for(service_world[who]).get(BASE)

    assert response.status_code == 200
    assert codes(response) == ALL_SERVICES
    [food_shop] = [service for service in response.json() if service["code"] == "food-shop-permit"]
    assert food_shop == {
        "code": "food-shop-permit",
        "name": {"th": "ขอใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร", "en": "Food-shop permit"},
        "summary": {
            "th": "ขออนุญาตเปิดร้านอาหารในกรุงเทพมหานคร ยื่นคำขอออนไลน์ได้ ไม่ต้องไปที่สำนักงานเขต",
            "en": (
                "Apply online for a permit to open a food shop or restaurant in Bangkok, without visiting "
                "the district office."
            ),
        },
        "agency": "bma",
        "audience": ["citizen", "business"],
        "categories": ["business", "health"],
        "life_events": ["open-a-restaurant"],
        "version": 1,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=ร้านอาหาร", {"food-shop-permit", "food-shop-permit-renewal"}),
        ("life_event=move-house", {"change-of-address"}),
        ("category=tax", {"vat-registration"}),
        ("audience=business&category=health", {"food-shop-permit", "food-shop-permit-renewal"}),
        ("category=space", set()),
    ],
)
def test_the_list_can_be_searched_and_filtered(
    service_world: dict[str, Any], query: str, expected: set[str]
) -> None:
    response = Client().get(f"{BASE}?{query}")

    assert response.status_code == 200
    assert codes(response) == expected


@pytest.mark.django_db
def test_a_service_s_manual(service_world: dict[str, Any]) -> None:
    response = Client().get(f"{BASE}food-shop-permit")

    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["agency"], body["version"], body["time_limit_days"]) == (
        "food-shop-permit",
        "bma",
        1,
        30,
    )
    assert (body["assurance"], body["illustrative"]) == ("self_asserted", True)
    assert body["eligibility"]["en"].startswith("Anyone, a person or a company")
    assert body["contact"]["th"].startswith("ฝ่ายสิ่งแวดล้อมและสุขาภิบาล")
    assert body["documents"][2] == {
        "code": "house-registration",
        "name": {"th": "สำเนาทะเบียนบ้านของผู้ขออนุญาต", "en": "Copy of the applicant's house registration"},
        "types": ["pdf", "jpeg", "png"],
        "max_size_kb": 5120,
        "max_pages": None,
        "optional": False,
        "held_by_state": True,
    }
    assert [document["code"] for document in body["documents"]] == [
        "floor-plan",
        "shop-photo",
        "house-registration",
    ]
    assert body["fees"] == [
        {
            "code": "application-fee",
            "name": {"th": "ค่าธรรมเนียมคำขอ", "en": "Application fee"},
            "kind": "fixed",
            "amount_satang": 10000,
            "field": None,
            "tiers": [],
        },
        {
            "code": "permit-fee",
            "name": {"th": "ค่าธรรมเนียมใบอนุญาต (ตามขนาดพื้นที่ร้าน)", "en": "Permit fee (by the size of the shop)"},
            "kind": "tiers",
            "amount_satang": None,
            "field": "shop_area_sqm",
            "tiers": [
                {"up_to": 50, "amount_satang": 20000},
                {"up_to": 200, "amount_satang": 100000},
                {"up_to": None, "amount_satang": 300000},
            ],
        },
    ]
    assert [(step["code"], step["holder"], step["sla_days"]) for step in body["steps"]] == [
        ("document_check", "agency", 3),
        ("site_inspection", "agency", 7),
        ("approval", "agency", 2),
        ("awaiting_payment", "payment", 10),
        ("issue", "agency", 1),
        ("correction", "applicant", 15),
    ]
    assert body["steps"][0]["name"] == {"th": "ตรวจเอกสาร", "en": "Document check"}


@pytest.mark.django_db
def test_a_service_s_eform_is_its_json_schema_with_ui_hints(service_world: dict[str, Any]) -> None:
    response = Client().get(f"{BASE}food-shop-permit/eForms")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"schema", "ui", "version"}
    assert body["version"] == 1
    assert body["schema"] == demo_definition("food-shop-permit")["form"]["schema"]
    assert body["ui"]["order"] == [
        "shop_name", "shop_address", "district", "shop_area_sqm", "seats", "sells_alcohol", "opening_date",
    ]  # fmt: skip
    assert body["ui"]["fields"]["district"] == {
        "label": {"th": "เขตที่ร้านตั้งอยู่", "en": "District where the shop is"},
        "help": {"th": "คำขอจะส่งไปยังสำนักงานเขตนี้", "en": "Your application goes to this district office"},
        "widget": "radio",
        "options": {
            "bang-rak": {"th": "เขตบางรัก", "en": "Bang Rak"},
            "phra-nakhon": {"th": "เขตพระนคร", "en": "Phra Nakhon"},
            "chatuchak": {"th": "เขตจตุจักร", "en": "Chatuchak"},
        },
    }
    assert body["ui"]["fields"]["opening_date"]["help"] is None


@pytest.mark.django_db
def test_a_service_s_published_definition(service_world: dict[str, Any]) -> None:
    response = Client().get(f"{BASE}food-shop-permit/definition")

    assert response.status_code == 200
    assert response.json() == demo_definition("food-shop-permit")


@pytest.mark.django_db
def test_the_api_shows_the_published_version_not_a_newer_draft(service_world: dict[str, Any]) -> None:
    draft = demo_definition("food-shop-permit")
    draft["time_limit_days"] = 20
    definition_save(actor=None, data=draft)

    assert Client().get(f"{BASE}food-shop-permit").json()["time_limit_days"] == 30
    assert Client().get(f"{BASE}food-shop-permit/definition").json()["time_limit_days"] == 30

    ServiceVersion.objects.get(service__code="food-shop-permit", number=2)  # the draft exists
    definition_save(actor=None, data=draft, publish=True)

    assert Client().get(f"{BASE}food-shop-permit").json()["time_limit_days"] == 20
    assert Client().get(f"{BASE}food-shop-permit/eForms").json()["version"] == 2


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["", "/eForms", "/definition"])
def test_an_unknown_or_unpublished_service_is_not_found(service_world: dict[str, Any], suffix: str) -> None:
    unpublished = demo_definition("food-shop-permit")
    unpublished["code"] = "street-food-stall"
    definition_save(actor=None, data=unpublished)

    for code in ("no-such-service", "street-food-stall"):
        response = Client().get(f"{BASE}{code}{suffix}")
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
    assert "street-food-stall" not in codes(Client().get(BASE))


@pytest.mark.django_db
def test_the_endpoints_are_documented(service_world: dict[str, Any]) -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]

    assert {"/api/v1/services/", "/api/v1/services/{code}", "/api/v1/services/{code}/eForms"} <= set(paths)
    assert "/api/v1/services/{code}/definition" in paths
    schema = paths["/api/v1/services/{code}/eForms"]["get"]["responses"]["200"]["content"]["application/json"]
    assert schema["schema"] == {"$ref": "#/components/schemas/EFormOut"}
