"""The catalogue's pages: the public list and the citizen's manual, and the officer's definition editor."""

import html
import re
from typing import Any

import pytest
import yaml
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from pracha.accounts.tests.conftest import client_for
from pracha.audit.public import AuditEntry
from pracha.catalogue.forms import definition_yaml
from pracha.catalogue.models import Service, ServiceVersion
from pracha.catalogue.services import definition_save
from pracha.catalogue.tests.conftest import demo_definition

ALL_SERVICES = {
    "change-of-address",
    "commercial-registration",
    "food-shop-permit",
    "food-shop-permit-renewal",
    "house-registration-copy",
    "vat-registration",
}


def text_of(response: Any) -> str:
    """The main content as a person reads it: tags removed, whitespace collapsed."""
    page = response.content.decode()
    main = page[page.index("<main") : page.index("</main>")]
    main = re.sub(r"<[^>]+>", " ", main)
    return re.sub(r"\s+", " ", html.unescape(main)).strip()


def listed(response: Any) -> set[str]:
    return {service.code for service in response.context["services"]}


def catalogue_audit_count() -> int:
    return AuditEntry.objects.filter(action__startswith="catalogue.").count()


def versions_of(code: str) -> list[tuple[int, str]]:
    return list(
        ServiceVersion.objects.filter(service__code=code).order_by("number").values_list("number", "status")
    )


# The public catalogue.


@pytest.mark.django_db
def test_the_catalogue_lists_every_published_service_to_anyone(service_world: dict[str, Any]) -> None:
    response = client_for(service_world["anonymous"]).get(reverse("catalogue:service-list"))

    assert response.status_code == 200
    assert listed(response) == ALL_SERVICES
    content = text_of(response)
    assert "6 services" in content
    assert (
        "Food-shop permit Apply online for a permit to open a food shop or restaurant in Bangkok, without "
        "visiting the district office. Responsible agency: Bangkok Metropolitan Administration"
    ) in content
    assert 'href="/services/food-shop-permit/"' in response.content.decode()


@pytest.mark.django_db
def test_a_draft_only_service_is_not_listed(service_world: dict[str, Any]) -> None:
    draft = demo_definition("food-shop-permit")
    draft["code"] = "street-food-stall"
    definition_save(actor=None, data=draft)

    response = Client().get(reverse("catalogue:service-list"))

    assert listed(response) == ALL_SERVICES
    assert Client().get("/services/street-food-stall/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "ร้านอาหาร"}, {"food-shop-permit", "food-shop-permit-renewal"}),
        ({"q": "house registration"}, {"change-of-address", "house-registration-copy"}),
        ({"q": "VAT"}, {"vat-registration"}),
        (
            {"life_event": "open-a-restaurant"},
            {"food-shop-permit", "food-shop-permit-renewal", "commercial-registration", "vat-registration"},
        ),
        ({"category": "civil-registration"}, {"change-of-address", "house-registration-copy"}),
        ({"audience": "business"}, {"food-shop-permit", "food-shop-permit-renewal", "vat-registration"}),
        (
            {"q": "permit", "category": "health", "audience": "business"},
            {"food-shop-permit", "food-shop-permit-renewal"},
        ),
        ({"q": "", "category": "", "life_event": "", "audience": ""}, ALL_SERVICES),
    ],
)
def test_search_and_filters(service_world: dict[str, Any], query: dict[str, str], expected: set[str]) -> None:
    response = client_for(service_world["anonymous"]).get(reverse("catalogue:service-list"), query)

    assert response.status_code == 200
    assert listed(response) == expected
    assert not response.context["form"].errors


@pytest.mark.django_db
def test_nothing_found_shows_the_empty_state(service_world: dict[str, Any]) -> None:
    response = client_for(service_world["anonymous"]).get(
        reverse("catalogue:service-list"), {"q": "spaceship licence"}
    )

    assert listed(response) == set()
    content = text_of(response)
    assert "0 services" in content
    assert "No services match your search." in content
    assert "Clear search and filters" in content


@pytest.mark.django_db
def test_an_unknown_filter_value_is_reported_and_the_other_filters_still_apply(
    service_world: dict[str, Any],
) -> None:
    response = client_for(service_world["anonymous"]).get(
        reverse("catalogue:service-list"), {"category": "space", "audience": "business"}
    )

    assert response.status_code == 200
    assert listed(response) == {"food-shop-permit", "food-shop-permit-renewal", "vat-registration"}
    assert response.context["form"].errors == {
        "category": ["Select a valid choice. space is not one of the available choices."]
    }
    assert 'class="govuk-error-summary"' in response.content.decode()
    assert 'href="#id_category"' in response.content.decode()


@pytest.mark.django_db
def test_filters_show_readable_names_and_fall_back_to_the_code(service_world: dict[str, Any]) -> None:
    odd = demo_definition("food-shop-permit")
    odd["code"] = "street-food-stall"
    odd["life_events"] = ["start-a-street-stall"]
    definition_save(actor=None, data=odd, publish=True)

    response = client_for(service_world["anonymous"]).get(reverse("catalogue:service-list"))

    form = response.context["form"]
    assert [(value, str(label)) for value, label in form.fields["life_event"].choices] == [
        ("", "Any"),
        ("move-house", "Moving house"),
        ("open-a-restaurant", "Opening a restaurant"),
        ("start-a-street-stall", "start-a-street-stall"),
    ]
    assert [(value, str(label)) for value, label in form.fields["audience"].choices] == [
        ("", "Any"),
        ("business", "Businesses"),
        ("citizen", "Citizens"),
    ]


@pytest.mark.django_db
def test_the_catalogue_speaks_thai_by_default(service_world: dict[str, Any]) -> None:
    response = Client().get(reverse("catalogue:service-list"), {"q": "ร้านอาหาร"})

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "th"
    content = text_of(response)
    assert "ขอใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร" in content
    assert "กรุงเทพมหานคร" in content
    assert "Food-shop permit" not in content


# The citizen's manual.


@pytest.mark.django_db
def test_the_manual_of_the_food_shop_permit(service_world: dict[str, Any]) -> None:
    response = client_for(service_world["anonymous"]).get(
        reverse("catalogue:service-detail", kwargs={"code": "food-shop-permit"})
    )

    assert response.status_code == 200
    content = text_of(response)
    page = response.content.decode()
    # What it is and who can apply.
    assert "Bangkok Metropolitan Administration Food-shop permit" in content
    assert (
        "Use this service when you are going to open a restaurant, food shop or drinks shop in Bangkok."
        in content
    )
    assert (
        "Anyone, a person or a company, who is going to open a restaurant or food shop in Bangkok." in content
    )
    assert "For Citizens, Businesses" in content
    assert "Proof of identity An account is enough: you do not need to verify your identity first." in content
    assert "Fees and time limits are examples for this demonstration, not official figures." in content
    # Documents.
    assert (
        "Floor plan and layout of the shop PDF, JPEG, PNG, up to 5.0 MB, at most 10 pages Required" in content
    )
    assert "Photo of the shop front and the kitchen area JPEG, PNG, up to 5.0 MB Required" in content
    assert (
        "Copy of the applicant's house registration Nothing to upload Held by the state "
        "The agency already holds this. You do not need to upload it."
    ) in content
    # Fees: the fixed fee, then the tier table of the permit fee.
    assert "Application fee THB 100.00" in content
    assert "Permit fee (by the size of the shop) Depends on “Shop area (square metres)”: see below" in content
    assert (
        "Permit fee (by the size of the shop) Shop area (square metres) Amount "
        "Up to 50 THB 200.00 More than 50, up to 200 THB 1,000.00 More than 200 THB 3,000.00"
    ) in content
    # Steps, in the order the workflow leads through them, with their working-day limits.
    assert (
        "1. Document check The agency 3 working days "
        "2. Site inspection The agency 7 working days "
        "3. Approval The agency 2 working days "
        "4. Waiting for payment Payment: you pay the fee 10 working days "
        "5. Issuing the permit The agency 1 working day "
        "6. Waiting for the applicant's corrections Only if the agency asks you for a correction or another "
        "document You 15 working days"
    ) in content
    assert "The legal time limit for the whole service is 30 working days." in content
    # The responsible agency, its page in the directory and how to contact it.
    assert 'href="/agencies/bma/">Bangkok Metropolitan Administration</a>' in page
    assert 'href="/agencies/bma-bang-rak/">Bang Rak District Office</a>' in page
    assert "Who to contact The Environment and Sanitation Section of the district office" in content
    assert "Phone 0 2000 0000" in content
    assert "contact@bma.demo.pracha.example" in content
    # Start now, a GOV.UK start button.
    assert page.count('class="govuk-button govuk-button--start"') == 2
    assert 'href="/applications/start/food-shop-permit/"' in page


@pytest.mark.django_db
def test_the_manual_in_thai(service_world: dict[str, Any]) -> None:
    response = Client().get(reverse("catalogue:service-detail", kwargs={"code": "food-shop-permit"}))

    assert response.headers["Content-Language"] == "th"
    content = text_of(response)
    assert "กรุงเทพมหานคร ขอใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร" in content
    assert "ค่าธรรมเนียมคำขอ 100.00 บาท" in content
    assert "200.00 บาท" in content and "1,000.00 บาท" in content and "3,000.00 บาท" in content
    for step in ("1. ตรวจเอกสาร", "2. ตรวจสถานที่", "3. พิจารณาอนุมัติ", "4. รอชำระค่าธรรมเนียม", "5. ออกใบอนุญาต"):
        assert step in content
    assert "เขตบางรัก: สำนักงานเขตบางรัก" in content


@pytest.mark.django_db
def test_the_manual_of_a_service_that_needs_verified_identity_and_a_consenting_party(
    service_world: dict[str, Any],
) -> None:
    response = client_for(service_world["anonymous"]).get(
        reverse("catalogue:service-detail", kwargs={"code": "change-of-address"})
    )

    content = text_of(response)
    assert "You must have verified your identity against the population register." in content
    assert "The other party, who must agree" in content


@pytest.mark.django_db
def test_an_unknown_service_is_not_found(service_world: dict[str, Any]) -> None:
    response = Client().get(reverse("catalogue:service-detail", kwargs={"code": "no-such-service"}))

    assert response.status_code == 404


# The officer's editor.


def edit_url(code: str = "food-shop-permit") -> str:
    return reverse("catalogue:manage-edit", kwargs={"code": code})


def publish_url(number: int, code: str = "food-shop-permit") -> str:
    return reverse("catalogue:manage-publish", kwargs={"code": code, "number": number})


def who_is(service_world: dict[str, Any], bma_editor: Any, who: str) -> Any:
    return bma_editor if who == "bma_editor" else service_world[who]


def changed_yaml(**changes: Any) -> str:
    data = demo_definition("food-shop-permit")
    data.update(changes)
    return definition_yaml(data)


@pytest.mark.django_db
def test_anonymous_people_are_sent_to_sign_in(service_world: dict[str, Any]) -> None:
    for url in (reverse("catalogue:manage-list"), edit_url()):
        response = Client().get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith(reverse("account_login"))
    response = Client().post(
        edit_url(), {"definition": changed_yaml(time_limit_days=20), "action": "publish"}
    )
    assert response.headers["Location"].startswith(reverse("account_login"))
    response = Client().post(publish_url(1))
    assert response.headers["Location"].startswith(reverse("account_login"))
    assert versions_of("food-shop-permit") == [(1, "published")]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["applicant", "reviewer", "officer_without"])
def test_the_editor_list_is_refused_to_people_who_edit_no_service(
    service_world: dict[str, Any], who: str
) -> None:
    response = client_for(service_world[who]).get(reverse("catalogue:manage-list"))

    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("bma_editor", ["food-shop-permit", "food-shop-permit-renewal"]),
        ("officer_other_agency", ["commercial-registration"]),  # the DBD's catalogue editor
    ],
)
def test_the_editor_list_shows_only_the_services_of_the_editors_agencies(
    service_world: dict[str, Any], bma_editor: Any, who: str, expected: list[str]
) -> None:
    response = client_for(who_is(service_world, bma_editor, who)).get(reverse("catalogue:manage-list"))

    assert response.status_code == 200
    assert [row.service.code for row in response.context["rows"]] == expected
    assert [(row.published_number, row.draft_number) for row in response.context["rows"]] == [
        (1, None)
    ] * len(expected)


@pytest.mark.django_db
def test_the_editor_list_shows_an_open_draft(service_world: dict[str, Any], bma_editor: Any) -> None:
    client = client_for(bma_editor)
    client.post(edit_url(), {"definition": changed_yaml(time_limit_days=20), "action": "draft"})

    response = client.get(reverse("catalogue:manage-list"))

    rows = {row.service.code: (row.published_number, row.draft_number) for row in response.context["rows"]}
    assert rows == {"food-shop-permit": (1, 2), "food-shop-permit-renewal": (1, None)}
    assert "Draft version 2" in text_of(response)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who", ["applicant", "other_citizen", "reviewer", "officer_without", "officer_other_agency"]
)
def test_a_service_the_person_may_not_edit_is_not_found_and_nothing_changes(
    service_world: dict[str, Any], who: str
) -> None:
    client = client_for(service_world[who])
    definition_save(actor=None, data={**demo_definition("food-shop-permit"), "time_limit_days": 21})
    before = catalogue_audit_count()

    assert client.get(edit_url()).status_code == 404
    response = client.post(edit_url(), {"definition": changed_yaml(time_limit_days=20), "action": "publish"})
    assert response.status_code == 404
    assert client.post(publish_url(2)).status_code == 404

    assert versions_of("food-shop-permit") == [(1, "published"), (2, "draft")]
    assert (
        ServiceVersion.objects.get(service__code="food-shop-permit", number=2).definition["time_limit_days"]
        == 21
    )
    assert catalogue_audit_count() == before


@pytest.mark.django_db
def test_the_editor_sees_the_latest_definition_as_yaml_and_the_history(
    service_world: dict[str, Any], bma_editor: Any
) -> None:
    response = client_for(bma_editor).get(edit_url())

    assert response.status_code == 200
    text = response.context["form"]["definition"].value()
    assert text.startswith("code: food-shop-permit\nagency: bma\n")
    assert yaml.safe_load(text) == demo_definition("food-shop-permit")
    assert "ขอใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร" in text  # allow_unicode: Thai stays readable
    assert [(v.number, v.status) for v in response.context["versions"]] == [(1, "published")]
    content = text_of(response)
    assert "Save draft" in content and "Save and publish" in content
    assert "1 Published" in content
    assert response.headers["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_saving_a_draft_makes_a_new_version_the_public_does_not_see_yet(
    service_world: dict[str, Any], bma_editor: Any
) -> None:
    client = client_for(bma_editor)

    response = client.post(edit_url(), {"definition": changed_yaml(time_limit_days=20), "action": "draft"})

    assert response.status_code == 302
    assert response.headers["Location"] == edit_url()
    assert versions_of("food-shop-permit") == [(1, "published"), (2, "draft")]
    entry = AuditEntry.objects.filter(action="catalogue.version_save").latest("id")
    assert entry.actor_id == str(bma_editor.public_id)
    page = client.get(edit_url())
    assert "Version 2 has been saved as a draft. The public sees it only when it is published." in text_of(
        page
    )
    assert "Publish version 2" in text_of(page)
    detail_url = reverse("catalogue:service-detail", kwargs={"code": "food-shop-permit"})
    public = text_of(client_for(AnonymousUser()).get(detail_url))
    assert "30 working days." in public


@pytest.mark.django_db
def test_save_and_publish(service_world: dict[str, Any], bma_editor: Any) -> None:
    client = client_for(bma_editor)

    response = client.post(edit_url(), {"definition": changed_yaml(time_limit_days=20), "action": "publish"})

    assert response.status_code == 302
    assert versions_of("food-shop-permit") == [(1, "retired"), (2, "published")]
    assert Service.objects.get(code="food-shop-permit").published == ServiceVersion.objects.get(
        service__code="food-shop-permit", number=2
    )
    assert "Version 2 is published." in text_of(client.get(edit_url()))
    public = text_of(
        client_for(service_world["anonymous"]).get(
            reverse("catalogue:service-detail", kwargs={"code": "food-shop-permit"})
        )
    )
    assert "The legal time limit for the whole service is 20 working days." in public


@pytest.mark.django_db
def test_publishing_an_existing_draft(service_world: dict[str, Any], bma_editor: Any) -> None:
    client = client_for(bma_editor)
    client.post(edit_url(), {"definition": changed_yaml(time_limit_days=20), "action": "draft"})
    before = catalogue_audit_count()

    response = client.post(publish_url(2))

    assert response.status_code == 302
    assert response.headers["Location"] == edit_url()
    assert versions_of("food-shop-permit") == [(1, "retired"), (2, "published")]
    assert catalogue_audit_count() == before + 1
    assert AuditEntry.objects.filter(action="catalogue.publish").latest("id").payload == {"number": 2}
    assert client.get(publish_url(2)).status_code == 405


@pytest.mark.django_db
def test_publishing_a_version_that_is_not_a_draft_is_refused(
    service_world: dict[str, Any], bma_editor: Any
) -> None:
    before = catalogue_audit_count()

    response = client_for(bma_editor).post(publish_url(1))

    assert response.status_code == 200
    assert "Only a draft version can be published." in text_of(response)
    assert client_for(bma_editor).post(publish_url(9)).status_code == 404
    assert versions_of("food-shop-permit") == [(1, "published")]
    assert catalogue_audit_count() == before


@pytest.mark.django_db
def test_broken_yaml_is_shown_in_the_error_summary_and_nothing_is_saved(
    service_world: dict[str, Any], bma_editor: Any
) -> None:
    before = catalogue_audit_count()

    response = client_for(bma_editor).post(
        edit_url(), {"definition": "code: food-shop-permit\nagency: [bma\n", "action": "publish"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "definition": [
            "The YAML could not be read at line 3, column 1: expected ',' or ']', but got '<stream end>'"
        ]
    }
    page = response.content.decode()
    assert 'class="govuk-error-summary"' in page
    assert 'href="#id_definition"' in page
    assert "agency: [bma" in page  # what was typed is kept
    assert versions_of("food-shop-permit") == [(1, "published")]
    assert catalogue_audit_count() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- just\n- a list\n", "A definition is a set of keys with values, starting with “code:”."),
        ("", "This field is required."),
    ],
)
def test_yaml_that_is_not_a_definition_is_refused(
    service_world: dict[str, Any], bma_editor: Any, text: str, message: str
) -> None:
    response = client_for(bma_editor).post(edit_url(), {"definition": text, "action": "draft"})

    assert response.context["form"].errors == {"definition": [message]}
    assert versions_of("food-shop-permit") == [(1, "published")]


@pytest.mark.django_db
def test_dates_in_yaml_stay_text(service_world: dict[str, Any], bma_editor: Any) -> None:
    """YAML reads 2026-01-01 as a date, which JSON cannot hold; the editor keeps it as text."""
    data = demo_definition("food-shop-permit")
    data["form"]["schema"]["properties"]["opening_date"]["default"] = "2026-01-01"
    text = definition_yaml(data).replace("default: '2026-01-01'", "default: 2026-01-01")
    assert "default: 2026-01-01" in text

    response = client_for(bma_editor).post(edit_url(), {"definition": text, "action": "draft"})

    assert response.status_code == 302
    draft = ServiceVersion.objects.get(service__code="food-shop-permit", number=2)
    assert draft.definition["form"]["schema"]["properties"]["opening_date"]["default"] == "2026-01-01"


@pytest.mark.django_db
def test_a_broken_definition_lists_each_problem_and_nothing_is_saved(
    service_world: dict[str, Any], bma_editor: Any
) -> None:
    data = demo_definition("food-shop-permit")
    data["workflow"]["states"]["orphan"] = {
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
    data["time_limit_days"] = 0
    before = catalogue_audit_count()

    response = client_for(bma_editor).post(
        edit_url(), {"definition": definition_yaml(data), "action": "publish"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "definition": [
            "time_limit_days: Expected a whole number greater than zero.",
            "workflow.states.orphan: State “orphan” cannot be reached from the start state “document_check”.",
        ]
    }
    content = text_of(response)
    assert content.startswith(
        "There is a problem time_limit_days: Expected a whole number greater than zero. "
        "workflow.states.orphan: State “orphan” cannot be reached from the start state “document_check”."
    )
    assert versions_of("food-shop-permit") == [(1, "published")]
    assert catalogue_audit_count() == before


@pytest.mark.django_db
def test_the_code_of_a_service_cannot_be_changed_in_the_editor(
    service_world: dict[str, Any], bma_editor: Any
) -> None:
    response = client_for(bma_editor).post(
        edit_url(), {"definition": changed_yaml(code="food-shop-permit-2"), "action": "publish"}
    )

    assert response.context["form"].errors == {"definition": ["The code of a service cannot change."]}
    assert not Service.objects.filter(code="food-shop-permit-2").exists()


@pytest.mark.django_db
def test_an_editor_cannot_hand_a_service_to_an_agency_where_they_do_not_edit(
    service_world: dict[str, Any], bma_editor: Any
) -> None:
    before = catalogue_audit_count()

    response = client_for(bma_editor).post(
        edit_url(), {"definition": changed_yaml(agency="dbd"), "action": "publish"}
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["You do not have permission to do this."]
    assert Service.objects.get(code="food-shop-permit").agency.code == "bma"
    assert versions_of("food-shop-permit") == [(1, "published")]
    assert catalogue_audit_count() == before


@pytest.mark.django_db
def test_the_editor_in_thai(service_world: dict[str, Any], bma_editor: Any) -> None:
    response = client_for(bma_editor, language="th").post(
        edit_url(), {"definition": changed_yaml(time_limit_days=0), "action": "draft"}
    )

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "th"
    content = text_of(response)
    assert content.startswith("มีข้อมูลที่ต้องแก้ไข time_limit_days: ")
    assert versions_of("food-shop-permit") == [(1, "published")]
