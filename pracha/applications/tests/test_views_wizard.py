"""The applicant's wizard in the browser's place: start, the form (save and continue, save and come back
later), documents, fees, check your answers, the declaration and sending; deleting a draft; renewing."""

import datetime
import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from pracha.accounts.public import businesses_for
from pracha.accounts.tests.conftest import client_for
from pracha.applications import services
from pracha.applications.models import Application, ApplicationDocument, Holder
from pracha.applications.tests.helpers import (
    FOOD_SHOP_ANSWERS,
    act,
    food_shop_draft,
    pay_fee_at_counter,
    submitted_food_shop,
)
from pracha.applications.tests.test_uploads import make_pdf, make_png
from pracha.applications.tests.test_views import (
    audit_count,
    client,
    error_summary,
    field_error,
    snapshot,
)
from pracha.core.thai_dates import format_date

FORM = {
    "shop_name": "ร้านข้าวแกงทดสอบ",
    "shop_address": "99 ถนนสีลม แขวงสุริยวงศ์",
    "district": "bang-rak",
    "shop_area_sqm": "40",
    "seats": "",
    "opening_date": "15/1/2570",  # the Buddhist era: 15 January 2027
}
WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
NOT_A_DOCUMENT = "The file must be a PDF, JPEG or PNG. This file is not one of those, whatever its name says."


@pytest.fixture
def draft(service_world: dict[str, Any]) -> Application:
    return food_shop_draft(service_world["applicant"])


def new_draft(world: dict[str, Any]) -> Application:
    return services.draft_create(actor=world["applicant"], service_code="food-shop-permit")


def upload(data: bytes, name: str, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_the_guide_says_what_is_needed_before_starting(service_world: dict[str, Any]) -> None:
    response = client(service_world, "applicant").get(
        reverse("applications:start", args=["food-shop-permit"])
    )
    page = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Floor plan and layout of the shop",
        "PDF, JPEG or PNG, at most 5 MB",
        "You do not need to send “Copy of the applicant&#x27;s house registration”",
        "Application fee: THB 100.00",
        "Shop area (square metres) up to 50: THB 200.00",
        "Shop area (square metres) more than 200: THB 3,000.00",
        "You are asked to pay after the step “Approval”, when your application reaches "
        "“Waiting for payment”.",
        "The agency must decide within 30 working days",
        "You are applying for yourself.",
        "Start now",
    ):
        assert text in page, text
    assert not Application.objects.exists()


def test_the_guide_is_in_thai_by_default(service_world: dict[str, Any]) -> None:
    response = client(service_world, "applicant", language="th").get(
        reverse("applications:start", args=["food-shop-permit"])
    )
    page = response.content.decode()
    assert "ขอใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร" in page
    assert "100.00 บาท" in page


def test_the_whole_wizard_through_to_the_confirmation(service_world: dict[str, Any]) -> None:
    applicant = client(service_world, "applicant")
    started = applicant.post(reverse("applications:start", args=["food-shop-permit"]))
    application = Application.objects.get()
    assert started.headers["Location"] == reverse("applications:form", args=[application.public_id])
    assert (application.applicant, application.on_behalf_of, application.holder) == (
        service_world["applicant"], None, Holder.DRAFT,
    )  # fmt: skip
    assert audit_count("applications.draft_create") == 1

    saved = applicant.post(started.headers["Location"], {**FORM, "save": "continue"})
    assert saved.headers["Location"] == reverse("applications:documents", args=[application.public_id])
    application.refresh_from_db()
    assert application.answers == {**FOOD_SHOP_ANSWERS, "sells_alcohol": False, "opening_date": "2027-01-15"}

    for requirement, file in (
        ("floor-plan", upload(make_pdf(2), "แบบแปลน.pdf", "application/pdf")),
        ("shop-photo", upload(make_png(), "shop.png", "image/png")),
    ):
        uploaded = applicant.post(
            reverse("applications:document-upload", args=[application.public_id, requirement]),
            {f"{requirement}-file": file},
        )
        assert uploaded.headers["Location"] == reverse("applications:documents", args=[application.public_id])
    documents = applicant.get(
        reverse("applications:documents", args=[application.public_id])
    ).content.decode()
    plan = ApplicationDocument.objects.get(requirement="floor-plan")
    assert (plan.original_name, plan.kind, plan.pages) == ("แบบแปลน.pdf", "pdf", 2)
    assert f'href="{reverse("applications:document", args=[plan.public_id])}"' in documents
    assert "แบบแปลน.pdf" in documents

    fees = applicant.get(reverse("applications:fees", args=[application.public_id])).content.decode()
    assert "THB 100.00" in fees and "THB 200.00" in fees and "<strong>THB 300.00</strong>" in fees
    assert "You do not pay anything when you apply." in fees

    check = applicant.get(reverse("applications:check", args=[application.public_id]))
    page = check.content.decode()
    assert "ร้านข้าวแกงทดสอบ" in page and "Bang Rak" in page and "15 January 2027" in page
    assert f'href="{reverse("applications:form", args=[application.public_id])}#id_district_0"' in page
    key = check.context["form"]["idempotency_key"].value()
    assert uuid.UUID(str(key))
    assert "Your application is not complete yet" not in page

    sent = applicant.post(check.request["PATH_INFO"], {"declaration": "on", "idempotency_key": key})
    application.refresh_from_db()
    assert application.reference is not None
    assert sent.headers["Location"] == reverse("applications:submitted", args=[application.reference])
    assert (application.state, application.holder, application.handling_agency.code) == (  # type: ignore[union-attr]
        "document_check", Holder.AGENCY, "bma-bang-rak",
    )  # fmt: skip
    confirmation = applicant.get(sent.headers["Location"]).content.decode()
    assert '<h1 class="govuk-panel__title">Application sent</h1>' in confirmation
    assert f"<strong>{application.reference}</strong>" in confirmation
    assert application.due_date is not None
    assert f"Expected completion: by {format_date(application.due_date, lang='en')}." in confirmation
    assert audit_count("applications.submit") == 1

    # The same page sent again (a double click, a retried request): the same confirmation, nothing new.
    again = applicant.post(check.request["PATH_INFO"], {"declaration": "on", "idempotency_key": key})
    assert again.headers["Location"] == sent.headers["Location"]
    assert Application.objects.count() == 1
    assert audit_count("applications.submit") == 1
    # A new key on the old page is told it was sent already, and nothing changes.
    other = applicant.post(
        check.request["PATH_INFO"], {"declaration": "on", "idempotency_key": str(uuid.uuid4())}
    )
    assert other.headers["Location"] == reverse("applications:detail", args=[application.reference])
    assert audit_count("applications.submit") == 1


def test_the_confirmation_is_in_thai_with_the_buddhist_era(service_world: dict[str, Any], draft: Any) -> None:
    thai = client(service_world, "applicant", language="th")
    check = thai.get(reverse("applications:check", args=[draft.public_id]))
    thai.post(check.request["PATH_INFO"], {"declaration": "on", "idempotency_key": str(uuid.uuid4())})
    draft.refresh_from_db()
    page = thai.get(reverse("applications:submitted", args=[draft.reference])).content.decode()
    assert format_date(draft.due_date, lang="th") in page
    assert str(draft.due_date.year + 543) in page


def test_save_and_come_back_later_keeps_what_is_given_with_a_required_field_empty(
    service_world: dict[str, Any],
) -> None:
    application = new_draft(service_world)
    response = client(service_world, "applicant").post(
        reverse("applications:form", args=[application.public_id]),
        {"save": "later", "shop_name": "ร้านใหม่", "shop_area_sqm": "", "district": ""},
    )
    assert response.headers["Location"] == reverse("applications:my-applications")
    application.refresh_from_db()
    assert application.answers == {"shop_name": "ร้านใหม่", "sells_alcohol": False}
    assert audit_count("applications.answers_save") == 1


def test_save_and_continue_needs_every_required_answer(service_world: dict[str, Any]) -> None:
    application = new_draft(service_world)
    response = client(service_world, "applicant").post(
        reverse("applications:form", args=[application.public_id]), {"save": "continue", "shop_name": "ร้าน"}
    )
    assert response.status_code == 200
    assert error_summary(response) == [
        "Enter “Shop address”.",
        "Choose an answer for “District where the shop is”.",
        "Enter “Shop area (square metres)”.",
    ]
    assert response.content.decode().count('href="#id_district_0"') == 1
    application.refresh_from_db()
    assert application.answers == {}
    assert audit_count("applications.answers_save") == 0


@pytest.mark.parametrize("save", ["later", "continue"])
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "“%(label)s” must be a number."),
        ("0", "“%(label)s” must be %(limit)s or more."),
        ("-5", "“%(label)s” must be %(limit)s or more."),
    ],
)
@pytest.mark.parametrize(
    ("language", "label"), [("en", "Shop area (square metres)"), ("th", "พื้นที่ร้าน (ตารางเมตร)")]
)
def test_a_wrong_value_is_a_field_error_in_the_person_s_language_and_saves_nothing(
    service_world: dict[str, Any], draft: Any, save: str, value: str, message: str, language: str, label: str
) -> None:
    before = snapshot(draft)
    response = client(service_world, "applicant", language=language).post(
        reverse("applications:form", args=[draft.public_id]),
        {**FORM, "shop_name": "ชื่อที่ไม่ควรถูกบันทึก", "shop_area_sqm": value, "save": save},
    )
    with translation.override(language):
        expected = gettext(message) % {"label": label, "limit": "1"}
    assert response.status_code == 200
    assert response.headers["Content-Language"] == language
    assert field_error(response, "shop_area_sqm") == expected
    assert error_summary(response) == [expected]
    assert snapshot(draft) == before
    assert audit_count("applications.answers_save") == 1  # the fixture's own save, no other


def test_a_wrong_date_is_a_field_error(service_world: dict[str, Any], draft: Any) -> None:
    before = snapshot(draft)
    response = client(service_world, "applicant").post(
        reverse("applications:form", args=[draft.public_id]),
        {**FORM, "opening_date": "31/2/2570", "save": "later"},
    )
    assert field_error(response, "opening_date") == "“Planned opening date” must be a real date."
    assert snapshot(draft) == before


def test_a_renamed_program_is_refused_as_a_floor_plan(service_world: dict[str, Any]) -> None:
    application = new_draft(service_world)
    response = client(service_world, "applicant").post(
        reverse("applications:document-upload", args=[application.public_id, "floor-plan"]),
        {"floor-plan-file": upload(WINDOWS_PROGRAM, "floor-plan.pdf", "application/pdf")},
    )
    assert response.status_code == 200
    assert field_error(response, "floor-plan-file") == NOT_A_DOCUMENT
    assert error_summary(response) == [NOT_A_DOCUMENT]
    assert 'href="#id_floor-plan-file"' in response.content.decode()
    assert not ApplicationDocument.objects.exists()
    assert audit_count("applications.document_upload") == 0


def test_a_file_over_the_limit_is_refused_without_reading_it_all(service_world: dict[str, Any]) -> None:
    application = new_draft(service_world)
    huge = b"%PDF-1.4\n" + b"0" * (6 * 1024 * 1024)
    response = client(service_world, "applicant").post(
        reverse("applications:document-upload", args=[application.public_id, "shop-photo"]),
        {"shop-photo-file": upload(huge, "photo.png")},
    )
    assert (
        field_error(response, "shop-photo-file")
        == "The selected file is too large. It must be 5 MB or smaller."
    )
    assert not ApplicationDocument.objects.exists()


def test_no_file_chosen_and_an_unknown_document(service_world: dict[str, Any]) -> None:
    application = new_draft(service_world)
    applicant = client(service_world, "applicant")
    response = applicant.post(
        reverse("applications:document-upload", args=[application.public_id, "floor-plan"])
    )
    assert field_error(response, "floor-plan-file") == "Choose a file to upload."
    held = applicant.post(
        reverse("applications:document-upload", args=[application.public_id, "house-registration"]),
        {"house-registration-file": upload(make_pdf(1), "copy.pdf")},
    )
    assert held.status_code == 404
    assert not ApplicationDocument.objects.exists()


def test_a_new_file_replaces_the_old_one(service_world: dict[str, Any], draft: Any) -> None:
    client(service_world, "applicant").post(
        reverse("applications:document-upload", args=[draft.public_id, "floor-plan"]),
        {"floor-plan-file": upload(make_pdf(3), "plan-v2.pdf")},
    )
    current = ApplicationDocument.objects.filter(application=draft, requirement="floor-plan", replaced=False)
    assert list(current.values_list("original_name", "pages")) == [("plan-v2.pdf", 3)]


def test_fees_wait_for_the_answers_they_depend_on(service_world: dict[str, Any]) -> None:
    application = new_draft(service_world)
    page = client(service_world, "applicant").get(reverse("applications:fees", args=[application.public_id]))
    assert "The amount will be shown here once the form is complete." in page.content.decode()


def test_sending_needs_the_declaration(service_world: dict[str, Any], draft: Any) -> None:
    response = client(service_world, "applicant").post(
        reverse("applications:check", args=[draft.public_id]), {"idempotency_key": str(uuid.uuid4())}
    )
    assert response.status_code == 200
    assert error_summary(response) == ["Tick the box to declare that the information you gave is true."]
    assert (
        field_error(response, "declaration")
        == "Tick the box to declare that the information you gave is true."
    )
    draft.refresh_from_db()
    assert (draft.holder, draft.reference) == (Holder.DRAFT, None)
    assert audit_count("applications.submit") == 0


def test_sending_an_incomplete_draft_lists_what_is_missing_with_links(service_world: dict[str, Any]) -> None:
    application = new_draft(service_world)
    services.draft_answers_save(
        actor=service_world["applicant"], application=application, answers={"shop_name": "ร้าน"}
    )
    applicant = client(service_world, "applicant")
    check = applicant.get(reverse("applications:check", args=[application.public_id])).content.decode()
    assert "Your application is not complete yet. Before you can send it:" in check
    response = applicant.post(
        reverse("applications:check", args=[application.public_id]),
        {"declaration": "on", "idempotency_key": str(uuid.uuid4())},
    )
    assert error_summary(response) == [
        "Some answers or documents are missing or not valid. Please check and try again.",
        "Enter “Shop address”.",
        "Choose an answer for “District where the shop is”.",
        "Enter “Shop area (square metres)”.",
        "Upload “Floor plan and layout of the shop”.",
        "Upload “Photo of the shop front and the kitchen area”.",
    ]
    page = response.content.decode()
    documents = reverse("applications:documents", args=[application.public_id])
    assert f'<a href="{documents}#id_floor-plan-file">' in page
    application.refresh_from_db()
    assert (application.holder, application.reference) == (Holder.DRAFT, None)
    assert audit_count("applications.submit") == 0


def test_a_draft_is_deleted_after_confirming(service_world: dict[str, Any], draft: Any) -> None:
    applicant = client(service_world, "applicant")
    url = reverse("applications:delete", args=[draft.public_id])
    assert "Delete this draft?" in applicant.get(url).content.decode()
    assert Application.objects.filter(pk=draft.pk).exists()
    response = applicant.post(url)
    assert response.headers["Location"] == reverse("applications:my-applications")
    assert not Application.objects.filter(pk=draft.pk).exists()
    assert audit_count("applications.draft_delete") == 1


def test_wizard_pages_of_a_sent_application_lead_to_its_page(
    service_world: dict[str, Any], draft: Any
) -> None:
    services.application_submit(actor=service_world["applicant"], application=draft, idempotency_key="k")
    draft.refresh_from_db()
    applicant = client(service_world, "applicant")
    for step in ("form", "documents", "fees", "check", "delete"):
        response = applicant.get(reverse(f"applications:{step}", args=[draft.public_id]))
        assert response.headers["Location"] == reverse("applications:detail", args=[draft.reference])
    before = snapshot(draft)
    applicant.post(reverse("applications:form", args=[draft.public_id]), {**FORM, "save": "continue"})
    applicant.post(reverse("applications:delete", args=[draft.public_id]))
    assert snapshot(draft) == before


def test_a_person_acting_for_a_business_applies_for_it(service_world: dict[str, Any]) -> None:
    applicant = client(service_world, "applicant")
    business = next(
        b for b in businesses_for(user=service_world["applicant"]) if b.name_en.startswith("Kuay")
    )
    applicant.post(reverse("accounts:act-for", args=[business.public_id]))
    guide = applicant.get(reverse("applications:start", args=["food-shop-permit"])).content.decode()
    assert "You are applying for the business Kuay Teow Test Limited Partnership." in guide
    applicant.post(reverse("applications:start", args=["food-shop-permit"]))
    assert Application.objects.get().on_behalf_of == business


def test_a_service_needing_a_verified_identity_says_so_and_refuses(service_world: dict[str, Any]) -> None:
    person = service_world["applicant"]
    person.assurance_level = "self_asserted"
    person.save(update_fields=["assurance_level"])
    applicant = client_for(person)
    url = reverse("applications:start", args=["house-registration-copy"])
    guide = applicant.get(url).content.decode()
    assert "This service needs a verified identity." in guide
    assert "Start now" not in guide
    response = applicant.post(url)
    assert error_summary(response) == [
        "This service needs a verified identity. Verify your identity in “My account” first."
    ]
    assert not Application.objects.exists()


def approved_permit(world: dict[str, Any]) -> Application:
    """A food-shop permit through the whole workflow, paid at the counter and issued."""
    reviewer = world["reviewer"]
    application = submitted_food_shop(world["applicant"])
    for action in ("accept", "pass", "approve_for_payment"):
        application = act(reviewer, application, action)
    return act(reviewer, pay_fee_at_counter(reviewer, application), "issue")


def test_a_licence_is_renewed_from_my_applications(service_world: dict[str, Any]) -> None:
    permit = approved_permit(service_world)
    outcome = permit.outcome
    applicant = client(service_world, "applicant")
    listing = applicant.get(reverse("applications:my-applications")).content.decode()
    renew_url = reverse("applications:renew", args=[outcome.public_id])
    assert f'href="{renew_url}"' in listing
    guide = applicant.get(renew_url).content.decode()
    assert "Food-shop permit renewal" in guide and outcome.number in guide
    response = applicant.post(renew_url)
    renewal = Application.objects.get(service__code="food-shop-permit-renewal")
    assert response.headers["Location"] == reverse("applications:form", args=[renewal.public_id])
    assert (renewal.renewal_of, renewal.answers) == (outcome, FOOD_SHOP_ANSWERS)
    form = applicant.get(response.headers["Location"]).content.decode()
    assert 'value="ร้านข้าวแกงทดสอบ"' in form
    # Nobody else renews it, or even sees the page.
    other = client(service_world, "other_citizen")
    assert other.get(renew_url).status_code == 404
    assert other.post(renew_url).status_code == 404
    assert Application.objects.filter(service__code="food-shop-permit-renewal").count() == 1


def test_the_date_example_follows_the_calendar_of_the_language(
    service_world: dict[str, Any], draft: Any
) -> None:
    url = reverse("applications:form", args=[draft.public_id])
    assert (
        "For example 12/3/2026 (day/month/year)."
        in client(service_world, "applicant").get(url).content.decode()
    )
    with translation.override("th"):
        expected = gettext("For example %(date)s (day/month/year).") % {"date": "12/3/2569"}
    thai = client(service_world, "applicant", language="th").get(url).content.decode()
    assert expected in thai
    assert datetime.date(2026, 3, 12).year + 543 == 2569
