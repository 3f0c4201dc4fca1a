"""Fixtures of the workbench tests: the service world's people plus two more Bang Rak officers, clients
signed in as each, and food-shop applications made through the real applications services."""

from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from conftest import verified_email, with_totp
from pracha.accounts.tests.factories import UserFactory
from pracha.agencies.public import Agency, Role
from pracha.agencies.tests.factories import MembershipFactory
from pracha.applications import services
from pracha.applications.models import Application
from pracha.applications.tests.test_uploads import make_pdf, make_png

FOOD_SHOP_ANSWERS: dict[str, Any] = {
    "shop_name": "ร้านข้าวแกงทดสอบ",
    "shop_address": "99 ถนนสีลม แขวงสุริยวงศ์",
    "district": "bang-rak",
    "shop_area_sqm": 40,
}


@pytest.fixture(autouse=True)
def fresh_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def bang_rak_officer(*role_codes: str) -> Any:
    officer = with_totp(verified_email(UserFactory()))
    MembershipFactory(
        user=officer,
        agency=Agency.objects.get(code="bma-bang-rak"),
        roles=list(Role.objects.filter(code__in=role_codes)),
    )
    return officer


@pytest.fixture
def world(service_world: dict[str, Any]) -> dict[str, Any]:
    """service_world, plus cashier_only (Bang Rak cashier: sees the cases, takes no workflow step) and
    second_reviewer (Bang Rak reviewer, for claims)."""
    return {
        **service_world,
        "cashier_only": bang_rak_officer("cashier"),
        "second_reviewer": bang_rak_officer("reviewer"),
    }


def client_for(user: Any, *, language: str = "en") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if getattr(user, "is_authenticated", False):
        client.force_login(user)
    return client


def submit_food_shop(applicant: Any, **answers: Any) -> Application:
    """A food-shop application as the applicant makes it: draft, answers, documents, submit."""
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
    return services.application_submit(
        actor=applicant, application=draft, idempotency_key=f"key-{draft.public_id}"
    )


@pytest.fixture
def case(world: dict[str, Any]) -> Application:
    """A submitted Bang Rak food-shop application at document_check, unassigned."""
    return submit_food_shop(world["applicant"])
