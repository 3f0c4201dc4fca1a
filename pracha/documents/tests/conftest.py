"""Fixtures for the documents tests: the world of holders and officers, the licence most tests look at,
and the helpers of the page tests."""

from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from pracha.documents.models import Document
from pracha.documents.tests.factories import LICENCE_NUMBER, documents_world, signed_document


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    """See factories.documents_world."""
    return documents_world()


@pytest.fixture
def licence(world: dict[str, Any]) -> Document:
    """A signed licence the home agency issued to the holder, valid for a year."""
    return signed_document(agency=world["home"], holder_user=world["holder"], number=LICENCE_NUMBER)


@pytest.fixture
def fresh_rate_limits() -> Any:
    """Lookups are counted in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


def login_redirect(url: str) -> str:
    return f"{reverse('account_login')}?next={url}"


def gettext_in(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


def page_errors(response: Any) -> dict[str, list[str]]:
    form = response.context["form"]
    with translation.override(response.headers["Content-Language"]):
        return {name: [str(error) for error in errors] for name, errors in form.errors.items()}
