"""After sending: my applications, an application's page (status, timeline, messages, fees, outcome),
withdrawing, corrections asked for by the agency, the second party's consent, and document downloads."""

import hashlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pracha.applications import services
from pracha.applications.models import Application, ApplicationDocument, Holder, Message
from pracha.applications.tests.helpers import (
    act,
    fee_bill,
    food_shop_draft,
    pay_fee_at_counter,
    submitted_food_shop,
)
from pracha.applications.tests.test_uploads import make_pdf
from pracha.applications.tests.test_views import (
    OUTSIDERS,
    audit_count,
    audit_total,
    client,
    error_summary,
    field_error,
    sign_in_url,
    snapshot,
)
from pracha.applications.tests.test_views_wizard import approved_permit
from pracha.core.thai_dates import format_date
from pracha.payments.public import Receipt


@pytest.fixture
def sent(service_world: dict[str, Any]) -> Application:
    return submitted_food_shop(service_world["applicant"])


@pytest.fixture
def sent_back(service_world: dict[str, Any], sent: Application) -> Application:
    return act(
        service_world["reviewer"],
        sent,
        "send_back",
        fields=["shop_area_sqm"],
        documents=["floor-plan"],
        note="พื้นที่ร้านไม่ตรงกับแบบแปลน",
    )


def detail_url(application: Application) -> str:
    return reverse("applications:detail", args=[application.reference])


# --- my applications ----------------------------------------------------------------------------------


def test_my_applications_lists_drafts_and_sent_applications(
    service_world: dict[str, Any], sent: Application
) -> None:
    draft = services.draft_create(actor=service_world["applicant"], service_code="food-shop-permit")
    submitted_food_shop(service_world["other_citizen"])  # someone else's: never listed
    response = client(service_world, "applicant").get(reverse("applications:my-applications"))
    rows = [(row.application, row.status, row.holder, row.url) for row in response.context["rows"]]
    assert rows == [
        (draft, "Draft", "With you", reverse("applications:form", args=[draft.public_id])),
        (sent, "Document check", "Bang Rak District Office", detail_url(sent)),
    ]
    page = response.content.decode()
    assert sent.due_date is not None
    assert format_date(sent.due_date, lang="en") in page
    assert f'<td class="govuk-table__cell">{sent.reference}</td>' in page
    assert "You have no licences or certificates yet." in page


def test_my_applications_says_who_holds_each(service_world: dict[str, Any], sent_back: Application) -> None:
    response = client(service_world, "applicant").get(reverse("applications:my-applications"))
    assert [(row.status, row.holder) for row in response.context["rows"]] == [
        ("Waiting for the applicant's corrections", "With you")
    ]


def test_my_applications_in_thai(service_world: dict[str, Any], sent: Application) -> None:
    page = client(service_world, "applicant", language="th").get(reverse("applications:my-applications"))
    text = page.content.decode()
    assert "ขอใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร" in text
    assert "ตรวจเอกสาร" in text
    assert sent.due_date is not None
    assert format_date(sent.due_date, lang="th") in text


# --- the application's page ---------------------------------------------------------------------------


def test_the_timeline_names_the_agency_not_the_officer(
    service_world: dict[str, Any], sent: Application
) -> None:
    reviewer = service_world["reviewer"]
    act(reviewer, sent, "accept", note="เอกสารครบ นัดตรวจวันจันทร์")
    response = client(service_world, "applicant").get(detail_url(sent))
    timeline = [(row.what, row.who, row.note, row.now) for row in response.context["timeline"]]
    assert timeline == [
        ("Application sent", "You", "", "Document check"),
        (
            "Documents complete; send for site inspection",
            "Bang Rak District Office",
            "เอกสารครบ นัดตรวจวันจันทร์",
            "Site inspection",
        ),
    ]
    page = response.content.decode()
    assert reviewer.first_name_en not in page and reviewer.first_name_th not in page
    assert "เอกสารครบ นัดตรวจวันจันทร์" in page


def test_a_refusal_shows_its_reason(service_world: dict[str, Any], sent: Application) -> None:
    act(service_world["reviewer"], sent, "reject", reason="ร้านอยู่นอกเขตที่รับคำขอ")
    response = client(service_world, "applicant").get(detail_url(sent))
    assert response.context["decision_note"] == "ร้านอยู่นอกเขตที่รับคำขอ"
    assert response.context["can_withdraw"] is False
    assert reverse("applications:withdraw", args=[sent.reference]) not in response.content.decode()


def test_awaiting_payment_shows_the_fee_and_a_link_to_pay_the_bill(
    service_world: dict[str, Any], sent: Application, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for action in ("accept", "pass", "approve_for_payment"):
            sent = act(service_world["reviewer"], sent, action)
    bill = fee_bill(sent)
    page = client(service_world, "applicant").get(detail_url(sent)).content.decode()
    assert "The fee for your application is due: THB 300.00." in page
    assert "Application fee" in page and "Permit fee (by the size of the shop)" in page
    assert f"Bill number {bill.reference}. Please pay by {format_date(bill.due_date, lang='en')}." in page
    pay_url = reverse("payments:bill", args=[bill.public_id])
    assert f'href="{pay_url}">Pay now</a>' in page
    assert "You can also pay in cash at the counter of Bang Rak District Office" in page


def test_while_the_bill_is_being_made_the_page_says_so(
    service_world: dict[str, Any], sent: Application
) -> None:
    # The FeeDue handler has not run (no after-commit callbacks here): there is no bill yet.
    for action in ("accept", "pass", "approve_for_payment"):
        sent = act(service_world["reviewer"], sent, action)
    page = client(service_world, "applicant").get(detail_url(sent)).content.decode()
    assert "The fee for your application is due: THB 300.00." in page
    assert "Your bill is being prepared. Refresh this page in a minute to pay." in page
    assert "Pay now" not in page


def test_a_paid_fee_links_to_its_receipt(service_world: dict[str, Any], sent: Application) -> None:
    for action in ("accept", "pass", "approve_for_payment"):
        sent = act(service_world["reviewer"], sent, action)
    paid = pay_fee_at_counter(service_world["reviewer"], sent)
    receipt = Receipt.objects.get(payment__bill__subject_reference=paid.reference)
    page = client(service_world, "applicant").get(detail_url(paid)).content.decode()
    receipt_url = reverse("payments:receipt", args=[receipt.public_id])
    assert f'<a class="govuk-link" href="{receipt_url}">receipt {receipt.number}</a>' in page
    assert "Pay now" not in page
    assert "The fee for your application is due" not in page


def test_an_approved_application_shows_its_licence(service_world: dict[str, Any]) -> None:
    permit = approved_permit(service_world)
    outcome = permit.outcome
    page = client(service_world, "applicant").get(detail_url(permit)).content.decode()
    assert f"<strong>{outcome.number}</strong>" in page
    assert outcome.valid_until is not None
    assert format_date(outcome.valid_until, lang="en") in page
    assert "Display the permit where customers can easily see it." in page
    listing = client(service_world, "applicant").get(reverse("applications:my-applications"))
    assert [row.outcome for row in listing.context["outcomes"]] == [outcome]


def test_the_applicant_sends_a_message(service_world: dict[str, Any], sent: Application) -> None:
    applicant = client(service_world, "applicant")
    response = applicant.post(
        reverse("applications:message", args=[sent.reference]), {"body": "ขอเลื่อนนัดตรวจ"}
    )
    assert response.headers["Location"] == detail_url(sent) + "#messages"
    message = Message.objects.get()
    assert (message.author, message.party, message.internal, message.body) == (
        service_world["applicant"], "applicant", False, "ขอเลื่อนนัดตรวจ",
    )  # fmt: skip
    assert audit_count("applications.message") == 1
    services.message_post(actor=service_world["reviewer"], application=sent, body="นัดวันพุธได้ค่ะ")
    services.message_post(actor=service_world["reviewer"], application=sent, body="ภายใน", internal=True)
    thread = [(row.who, row.body) for row in applicant.get(detail_url(sent)).context["thread"]]
    assert thread == [("You", "ขอเลื่อนนัดตรวจ"), ("Bang Rak District Office", "นัดวันพุธได้ค่ะ")]


def test_an_empty_message_is_refused(service_world: dict[str, Any], sent: Application) -> None:
    response = client(service_world, "applicant").post(
        reverse("applications:message", args=[sent.reference]), {"body": "   "}
    )
    assert response.status_code == 200
    assert field_error(response, "body") == "Write your message."
    assert not Message.objects.exists()
    assert audit_count("applications.message") == 0


# --- withdrawing --------------------------------------------------------------------------------------


def test_withdrawing_after_confirming(service_world: dict[str, Any], sent: Application) -> None:
    applicant = client(service_world, "applicant")
    url = reverse("applications:withdraw", args=[sent.reference])
    assert "Withdraw your application?" in applicant.get(url).content.decode()
    response = applicant.post(url, {"reason": "เปลี่ยนทำเลร้าน"})
    assert response.headers["Location"] == detail_url(sent)
    sent.refresh_from_db()
    assert (sent.state, sent.holder) == ("withdrawn", Holder.DONE)
    assert audit_count("applications.withdraw") == 1
    page = applicant.get(detail_url(sent))
    assert page.context["status"] == "Withdrawn"
    assert [row.note for row in page.context["timeline"]][-1] == "เปลี่ยนทำเลร้าน"
    # Once withdrawn, it cannot be withdrawn again.
    again = applicant.post(url, {"reason": ""})
    assert again.headers["Location"] == detail_url(sent)
    assert audit_count("applications.withdraw") == 1


def test_a_draft_is_deleted_not_withdrawn(service_world: dict[str, Any]) -> None:
    draft = food_shop_draft(service_world["applicant"])
    response = client(service_world, "applicant").get(
        reverse("applications:withdraw", args=[draft.public_id])
    )
    assert response.headers["Location"] == reverse("applications:form", args=[draft.public_id])


# --- corrections --------------------------------------------------------------------------------------


def test_the_page_shows_exactly_what_the_agency_marked(
    service_world: dict[str, Any], sent_back: Application
) -> None:
    applicant = client(service_world, "applicant")
    page = applicant.get(detail_url(sent_back)).content.decode()
    assert "The agency has asked you to correct your application." in page
    assert "พื้นที่ร้านไม่ตรงกับแบบแปลน" in page
    assert "<li>Shop area (square metres)</li>" in page
    assert "<li>Floor plan and layout of the shop</li>" in page
    assert reverse("applications:corrections", args=[sent_back.reference]) in page

    form = applicant.get(reverse("applications:corrections", args=[sent_back.reference])).content.decode()
    assert 'name="shop_area_sqm"' in form
    assert 'name="shop_name"' not in form and 'name="district"' not in form  # shown, not editable
    assert "ร้านข้าวแกงทดสอบ" in form
    assert 'name="floor-plan-file"' in form and 'name="shop-photo-file"' not in form


def test_a_wrong_correction_changes_nothing(service_world: dict[str, Any], sent_back: Application) -> None:
    before = snapshot(sent_back)
    audited = audit_total()
    response = client(service_world, "applicant").post(
        reverse("applications:corrections", args=[sent_back.reference]), {"shop_area_sqm": "0"}
    )
    assert field_error(response, "shop_area_sqm") == "“Shop area (square metres)” must be 1 or more."
    assert snapshot(sent_back) == before
    assert audit_total() == audited + 1  # signing in


def test_corrections_are_sent_back_to_the_agency(
    service_world: dict[str, Any], sent_back: Application
) -> None:
    applicant = client(service_world, "applicant")
    url = reverse("applications:corrections", args=[sent_back.reference])
    uploaded = applicant.post(
        reverse("applications:document-upload", args=[sent_back.public_id, "floor-plan"]),
        {"floor-plan-file": SimpleUploadedFile("plan-v2.pdf", make_pdf(3))},
    )
    assert uploaded.headers["Location"] == url
    # Only what was marked can change: a posted shop name is ignored.
    response = applicant.post(url, {"shop_area_sqm": "120", "shop_name": "ชื่ออื่น"})
    assert response.headers["Location"] == detail_url(sent_back)
    sent_back.refresh_from_db()
    assert (sent_back.state, sent_back.holder, sent_back.corrections) == ("document_check", Holder.AGENCY, {})
    assert (sent_back.answers["shop_area_sqm"], sent_back.answers["shop_name"]) == (120, "ร้านข้าวแกงทดสอบ")
    current = ApplicationDocument.objects.filter(
        application=sent_back, requirement="floor-plan", replaced=False
    )
    assert list(current.values_list("original_name", flat=True)) == ["plan-v2.pdf"]
    assert list(sent_back.events.values_list("action", flat=True)) == ["submit", "send_back", "resubmit"]
    assert audit_count("applications.act") == 2  # send back, resubmit


def test_an_unmarked_document_cannot_be_replaced(
    service_world: dict[str, Any], sent_back: Application
) -> None:
    response = client(service_world, "applicant").post(
        reverse("applications:document-upload", args=[sent_back.public_id, "shop-photo"]),
        {"shop-photo-file": SimpleUploadedFile("x.pdf", make_pdf(1))},
    )
    assert response.status_code == 404
    assert audit_count("applications.document_upload") == 2  # the two of the draft
    assert ApplicationDocument.objects.filter(application=sent_back, requirement="shop-photo").count() == 1


def test_a_document_asked_for_is_uploaded_and_sent(service_world: dict[str, Any], sent: Application) -> None:
    act(service_world["reviewer"], sent, "request_document", requested_document="floor-plan", note="ขอแบบใหม่")
    applicant = client(service_world, "applicant")
    url = reverse("applications:corrections", args=[sent.reference])
    form = applicant.get(url).content.decode()
    assert 'name="floor-plan-file"' in form and 'name="shop_area_sqm"' not in form
    applicant.post(
        reverse("applications:document-upload", args=[sent.public_id, "floor-plan"]),
        {"floor-plan-file": SimpleUploadedFile("plan.pdf", make_pdf(1))},
    )
    assert applicant.post(url).headers["Location"] == detail_url(sent)
    sent.refresh_from_db()
    assert sent.state == "document_check"


# --- consent ------------------------------------------------------------------------------------------


@pytest.fixture
def moving(service_world: dict[str, Any]) -> Application:
    """A change of address waiting for the house owner's consent."""
    applicant = service_world["applicant"]
    draft = services.draft_create(actor=applicant, service_code="change-of-address")
    services.draft_answers_save(
        actor=applicant,
        application=draft,
        answers={
            "new_house_number": "12/3",
            "new_address": "ถนนพระราม 4 แขวงสีลม",
            "moving_date": "2026-12-15",
            "owner_national_id": service_world["house_owner"].national_id,
            "reason": "ย้ายมาใกล้ที่ทำงานใหม่",
        },
        complete=True,
    )
    return services.application_submit(actor=applicant, application=draft, idempotency_key="move")


def test_the_house_owner_sees_the_request_and_only_what_consenting_needs(
    service_world: dict[str, Any], moving: Application
) -> None:
    owner = client(service_world, "house_owner")
    listing = owner.get(reverse("applications:my-applications"))
    assert [application for application, _name in listing.context["consent_requests"]] == [moving]
    response = owner.get(reverse("applications:consent", args=[moving.reference]))
    page = response.content.decode()
    assert f"{service_world['applicant'].full_name} asks for your consent" in page
    assert [(label, value) for _name, label, value in response.context["answers"]] == [
        ("House number of the new home", "12/3"),
        ("New address", "ถนนพระราม 4 แขวงสีลม"),
        ("Date you moved in", "15 December 2026"),
    ]
    assert "ย้ายมาใกล้ที่ทำงานใหม่" not in page  # the applicant's reason is not the owner's business
    assert service_world["house_owner"].national_id not in page
    assert "Agree to the move" in page and "Do not agree" in page


@pytest.mark.parametrize("who", ["applicant", *OUTSIDERS, "registrar"])
def test_nobody_else_answers_for_the_owner(
    service_world: dict[str, Any], moving: Application, who: str
) -> None:
    visitor = client(service_world, who)
    before = snapshot(moving)
    audited = audit_total()
    url = reverse("applications:consent", args=[moving.reference])
    assert visitor.get(url).status_code == 404
    assert visitor.post(url, {"action": "consent"}).status_code == 404
    assert snapshot(moving) == before
    assert audit_total() == audited


def test_anonymous_people_are_sent_to_sign_in_to_consent(
    service_world: dict[str, Any], moving: Application
) -> None:
    url = reverse("applications:consent", args=[moving.reference])
    response = client(service_world, "anonymous").post(url, {"action": "consent"})
    assert response.headers["Location"] == sign_in_url(url)
    assert snapshot(moving)[0] == "owner_consent"


def test_the_owner_consents(service_world: dict[str, Any], moving: Application) -> None:
    owner = client(service_world, "house_owner")
    url = reverse("applications:consent", args=[moving.reference])
    response = owner.post(url, {"action": "consent", "note": "ยินดีให้ย้ายเข้า"})
    assert response.headers["Location"] == reverse("applications:my-applications")
    moving.refresh_from_db()
    assert (moving.state, moving.holder, moving.holding_agency.code) == (  # type: ignore[union-attr]
        "registrar_review", Holder.AGENCY, "dopa",
    )  # fmt: skip
    assert owner.get(url).status_code == 404  # answered: no longer waiting
    timeline = client(service_world, "applicant").get(detail_url(moving)).context["timeline"]
    assert [(row.what, row.who, row.note) for row in timeline][-1] == (
        "Agree to the move", "The person asked to consent", "ยินดีให้ย้ายเข้า",
    )  # fmt: skip


def test_the_owner_declines(service_world: dict[str, Any], moving: Application) -> None:
    client(service_world, "house_owner").post(
        reverse("applications:consent", args=[moving.reference]), {"action": "decline"}
    )
    moving.refresh_from_db()
    assert (moving.state, moving.holder) == ("declined", Holder.DONE)


def test_an_unknown_answer_is_refused(service_world: dict[str, Any], moving: Application) -> None:
    response = client(service_world, "house_owner").post(
        reverse("applications:consent", args=[moving.reference]), {"action": "approve"}
    )
    assert error_summary(response) == ["Choose whether you agree."]
    assert snapshot(moving)[0] == "owner_consent"


# --- documents ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["applicant", "reviewer"])
def test_the_applicant_and_the_officers_of_the_case_download_a_document(
    service_world: dict[str, Any], sent: Application, who: str
) -> None:
    document = ApplicationDocument.objects.get(application=sent, requirement="floor-plan")
    response = client(service_world, who).get(reverse("applications:document", args=[document.public_id]))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="floor-plan.pdf"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert hashlib.sha256(content).hexdigest() == document.sha256


@pytest.mark.parametrize("who", ["other_citizen", "officer_other_agency", "officer_without", "house_owner"])
def test_nobody_else_downloads_a_document(service_world: dict[str, Any], sent: Application, who: str) -> None:
    document = ApplicationDocument.objects.get(application=sent, requirement="floor-plan")
    response = client(service_world, who).get(reverse("applications:document", args=[document.public_id]))
    assert response.status_code == 404


def test_a_draft_s_documents_are_the_applicant_s_alone(service_world: dict[str, Any]) -> None:
    draft = food_shop_draft(service_world["applicant"])
    document = ApplicationDocument.objects.get(application=draft, requirement="floor-plan")
    url = reverse("applications:document", args=[document.public_id])
    assert client(service_world, "applicant").get(url).status_code == 200
    assert client(service_world, "reviewer").get(url).status_code == 404
