"""Fixtures for the documents tests: the world of holders and officers."""

from typing import Any

import pytest

from pracha.documents.tests.factories import documents_world


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    """See factories.documents_world."""
    return documents_world()
