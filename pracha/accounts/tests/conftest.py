"""Fixtures for the accounts tests: clients in each language, a person in the population register."""

import datetime
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from pracha.registries.public import PopulationRecord

LASER_CODE = "JT1234567890"


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Any:
    """allauth keeps sign-in attempts in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def english_client() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def client_for(user: Any, *, language: str = "en") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if getattr(user, "is_authenticated", False):
        client.force_login(user)
    return client


def form_errors(response: Any) -> dict[str, list[str]]:
    """The form's errors as the page showed them: allauth's lazy messages are read in the page's language."""
    with translation.override(response.headers["Content-Language"]):
        return {
            field: [str(error) for error in errors]
            for field, errors in response.context["form"].errors.items()
        }


def register_person(user: Any, **overrides: Any) -> PopulationRecord:
    """The population register's record of this person, matching their account unless overridden."""
    values: dict[str, Any] = {
        "national_id": user.national_id,
        "first_name_th": user.first_name_th,
        "last_name_th": user.last_name_th,
        "first_name_en": user.first_name_en,
        "last_name_en": user.last_name_en,
        "date_of_birth": user.date_of_birth or datetime.date(1990, 1, 15),
        "laser_code": LASER_CODE,
    }
    values.update(overrides)
    return PopulationRecord.objects.create(**values)
