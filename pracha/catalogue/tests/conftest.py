"""Fixtures of the catalogue's tests: the demo definitions as loaded from their files, and an editor of the
Bangkok Metropolitan Administration's services."""

import copy
from typing import Any

import pytest
from django.core.cache import cache

from conftest import verified_email, with_totp
from pracha.accounts.tests.factories import UserFactory
from pracha.agencies.public import Agency, Role
from pracha.agencies.tests.factories import MembershipFactory
from pracha.catalogue.management.commands.load_services import DEFINITIONS_DIR, read_definition


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Any:
    cache.clear()
    yield
    cache.clear()


def demo_definition(code: str) -> dict[str, Any]:
    """A fresh copy of a demo definition, as the load_services command reads it."""
    return copy.deepcopy(read_definition(DEFINITIONS_DIR / f"{code}.yaml"))


@pytest.fixture
def bma_editor(service_world: dict[str, Any]) -> Any:
    """An officer of the BMA (the owner of the food-shop services) with the catalogue-editor role."""
    editor = with_totp(verified_email(UserFactory()))
    MembershipFactory(
        user=editor, agency=Agency.objects.get(code="bma"), roles=[Role.objects.get(code="catalogue-editor")]
    )
    return editor
