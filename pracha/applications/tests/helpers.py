"""Building applications for tests through the real services, the way an applicant would."""

from typing import Any

from pracha.applications import services
from pracha.applications.models import Application
from pracha.applications.tests.test_uploads import make_pdf, make_png

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
