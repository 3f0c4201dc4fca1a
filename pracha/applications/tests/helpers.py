"""Building applications for tests through the real services, the way an applicant would."""

from typing import Any

from django.test import TestCase

from pracha.applications import services
from pracha.applications.models import Application
from pracha.applications.tests.test_uploads import make_pdf, make_png
from pracha.core import events
from pracha.payments.public import Bill
from pracha.payments.public import selectors as payment_selectors
from pracha.payments.public import services as payment_services

FOOD_SHOP_ANSWERS = {
    "shop_name": "ร้านข้าวแกงทดสอบ",
    "shop_address": "99 ถนนสีลม แขวงสุริยวงศ์",
    "district": "bang-rak",
    "shop_area_sqm": 40,
}


def food_shop_draft(applicant: Any, **answers: Any) -> Application:
    draft = services.draft_create(actor=applicant, service_code="food-shop-permit")
    services.draft_answers_save(
        actor=applicant, application=draft, answers={**FOOD_SHOP_ANSWERS, **answers}, complete=True
    )
    services.document_upload(
        actor=applicant, application=draft, requirement="floor-plan", data=make_pdf(2), filename="plan.pdf"
    )
    services.document_upload(
        actor=applicant, application=draft, requirement="shop-photo", data=make_png(), filename="shop.png"
    )
    draft.refresh_from_db()
    return draft


def submitted_food_shop(applicant: Any, **answers: Any) -> Application:
    draft = food_shop_draft(applicant, **answers)
    return services.application_submit(
        actor=applicant, application=draft, idempotency_key=f"key-{draft.public_id}"
    )


def act(actor: Any, application: Application, action: str, **details: Any) -> Application:
    return services.application_act(actor=actor, application=application, action=action, **details)


def fee_bill(application: Application) -> Bill:
    """The case's fee bill. A test that moved the case into payment without running the after-commit
    handlers never had its FeeDue turned into a bill: it is announced again here, as the catch-up does."""
    assert application.reference is not None
    bill = payment_selectors.live_bill_for(kind="application_fee", subject_reference=application.reference)
    if bill is None:
        events.deliver(services.fee_due_event(application))
        bill = payment_selectors.live_bill_for(
            kind="application_fee", subject_reference=application.reference
        )
    assert bill is not None
    return bill


def pay_fee_at_counter(officer: Any, application: Application) -> Application:
    """The fee paid in cash the way a cashier takes it, against the case's bill, and what follows the
    commit (the payment's PaymentSettled moves the case on)."""
    application.refresh_from_db()
    bill = fee_bill(application)
    with TestCase.captureOnCommitCallbacks(execute=True):
        payment_services.bill_cash_record(actor=officer, bill=bill, amount_satang=bill.amount_satang)
    application.refresh_from_db()
    return application
