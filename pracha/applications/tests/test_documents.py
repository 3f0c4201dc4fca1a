"""What an approval and a paid fee give the applicant: signed documents, pending until the background
task signs them, and shown on the case page."""

from typing import Any, cast

import pytest
from django.urls import reverse
from django.utils import timezone

from pracha.accounts.public import Business, BusinessAuthorisation, User
from pracha.accounts.tests.factories import BusinessAuthorisationFactory, BusinessFactory
from pracha.applications import services
from pracha.applications.models import Application
from pracha.applications.tests.helpers import FOOD_SHOP_ANSWERS, act, pay_fee_at_counter, submitted_food_shop
from pracha.applications.tests.test_uploads import make_pdf, make_png
from pracha.applications.tests.test_views import client
from pracha.audit.public import AuditEntry
from pracha.documents.public import Document, documents_for_subject, selectors
from pracha.payments.public import Receipt


def paid_permit(world: dict[str, Any], application: Application | None = None) -> Application:
    reviewer = world["reviewer"]
    application = application or submitted_food_shop(world["applicant"])
    for action in ("accept", "pass", "approve_for_payment"):
        application = act(reviewer, application, action)
    return pay_fee_at_counter(reviewer, application)


def test_approval_issues_a_pending_document_which_the_task_signs(
    service_world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    applicant = service_world["applicant"]
    application = paid_permit(service_world)
    with django_capture_on_commit_callbacks() as callbacks:
        application = act(service_world["reviewer"], application, "issue")
    outcome = application.outcome
    [document] = documents_for_subject(subject_reference=str(application.reference))
    assert (
        document.number, document.kind, document.title_th, document.title_en, document.agency,
        document.holder_user, document.holder_business, document.holder_id_number, document.holder_name,
        document.valid_from, document.valid_until, document.state,
    ) == (
        outcome.number, "licence", outcome.name_th, outcome.name_en, outcome.agency,
        applicant, None, applicant.national_id, f"{applicant.first_name_th} {applicant.last_name_th}",
        outcome.valid_from, outcome.valid_until, "pending",
    )  # fmt: skip
    assert document.content == {
        "application_reference": application.reference,
        "service_name_th": "ขอใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร",
        "service_name_en": "Food-shop permit",
        "business_name_th": "",
        "business_name_en": "",
        "juristic_number": "",
        "conditions": outcome.conditions,
    }
    assert (
        AuditEntry.objects.filter(
            action="documents.document_issue", target_id=str(document.public_id)
        ).count()
        == 1
    )
    page = client(service_world, "applicant").get(
        reverse("applications:detail", args=[application.reference])
    )
    assert "The agency is signing your document." in page.content.decode()
    for callback in callbacks:
        callback()
    document.refresh_from_db()
    assert (document.state, document.files.count()) == ("signed", 2)
    page = client(service_world, "applicant").get(
        reverse("applications:detail", args=[application.reference])
    )
    content = page.content.decode()
    assert "The agency is signing your document." not in content
    assert f'href="{reverse("documents:download", args=[document.public_id, "th"])}"' in content
    assert f'href="{reverse("documents:download", args=[document.public_id, "en"])}"' in content


def test_the_paid_fee_gives_a_signed_e_receipt(service_world: dict[str, Any]) -> None:
    application = paid_permit(service_world)
    receipt = Receipt.objects.get(payment__bill__subject_reference=application.reference)
    document = Document.objects.get(number=receipt.number)
    bill = receipt.payment.bill
    assert (document.kind, document.subject_reference, document.holder_user, document.holder_id_number) == (
        "receipt", bill.reference, service_world["applicant"], bill.payer_id_number,
    )  # fmt: skip
    assert (document.content["amount_satang"], document.content["channel"]) == (
        receipt.amount_satang,
        "counter",
    )
    # pay_fee_at_counter ran what follows the commit: the receipt's event, then the signing it enqueued.
    assert document.state == "signed"


def test_a_licence_for_a_business_is_the_businesss(service_world: dict[str, Any]) -> None:
    applicant = service_world["applicant"]
    business = cast(
        Business, BusinessFactory(name_th="บริษัท ข้าวแกงทดสอบ จำกัด", name_en="Khao Kaeng Test Co., Ltd.")
    )
    BusinessAuthorisationFactory(business=business, user=applicant)
    draft = services.draft_create(actor=applicant, service_code="food-shop-permit", on_behalf_of=business)
    services.draft_answers_save(actor=applicant, application=draft, answers=FOOD_SHOP_ANSWERS, complete=True)
    for requirement, data, name in [
        ("floor-plan", make_pdf(1), "plan.pdf"),
        ("shop-photo", make_png(), "shop.png"),
    ]:
        services.document_upload(
            actor=applicant, application=draft, requirement=requirement, data=data, filename=name
        )
    sent = services.application_submit(
        actor=applicant, application=draft, idempotency_key=f"key-{draft.public_id}"
    )
    application = act(service_world["reviewer"], paid_permit(service_world, sent), "issue")
    document = Document.objects.get(number=application.outcome.number)
    holder = (document.holder_user, document.holder_business, document.holder_id_number, document.holder_name)
    assert holder == (None, business, business.juristic_number, "บริษัท ข้าวแกงทดสอบ จำกัด")
    assert [document.content[key] for key in ("business_name_th", "business_name_en", "juristic_number")] == [
        "บริษัท ข้าวแกงทดสอบ จำกัด", "Khao Kaeng Test Co., Ltd.", business.juristic_number,
    ]  # fmt: skip

    # Held by whoever acts for the business: a delegate no longer authorised no longer holds it.
    def held() -> list[str]:
        return [entry.document.kind for entry in selectors.wallet_documents(user=applicant)]

    assert (selectors.may_hold(user=applicant, document=document), held()) == (True, ["licence", "receipt"])
    BusinessAuthorisation.objects.filter(business=business, user=applicant).update(revoked_at=timezone.now())
    # The fee's receipt was the applicant's own: only the licence goes.
    assert (selectors.may_hold(user=applicant, document=document), held()) == (False, ["receipt"])


@pytest.mark.parametrize(
    ("names", "holder_name"),
    [
        (
            {"first_name_th": "", "last_name_th": "", "first_name_en": "Anna", "last_name_en": "Smith"},
            "Anna Smith",
        ),
        ({"first_name_th": "", "last_name_th": "", "first_name_en": "", "last_name_en": ""}, "—"),
    ],
)
def test_a_person_without_a_thai_name_is_never_named_by_their_id_number(
    service_world: dict[str, Any], names: dict[str, str], holder_name: str
) -> None:
    applicant = service_world["applicant"]
    application = paid_permit(service_world)
    User.objects.filter(pk=applicant.pk).update(**names)
    application = act(service_world["reviewer"], application, "issue")
    document = Document.objects.get(number=application.outcome.number)
    assert (document.holder_name, document.holder_user, document.holder_id_number) == (
        holder_name, applicant, applicant.national_id,
    )  # fmt: skip
