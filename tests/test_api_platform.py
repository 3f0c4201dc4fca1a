"""The API's own platform endpoints and its error envelope for paths it does not know."""

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation

from pracha.core.errors import NotFound


@pytest.mark.django_db
def test_health_reports_ok_with_the_database_reachable():
    response = Client().get("/api/v1/health")
    assert (response.status_code, response.json()) == (
        200,
        {"status": "ok", "database": "ok", "version": "1"},
    )


@pytest.mark.django_db
def test_health_reports_unavailable_when_the_database_does_not_answer(monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OSError("database unreachable")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = Client().get("/api/v1/health")
    assert (response.status_code, response.json()) == (
        503,
        {"status": "unavailable", "database": "unreachable", "version": "1"},
    )


def test_the_openapi_document_and_the_docs_page_are_published():
    document = Client().get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert document["info"]["title"] == "Pracha API"
    assert "/api/v1/health" in document["paths"]
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200
    assert "/api/v1/openapi.json" in docs.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "th"])
def test_an_unknown_api_path_answers_in_the_error_envelope_in_the_persons_language(language):
    client = Client()
    client.cookies["pracha_language"] = language
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert (body["code"], body["fields"]) == ("not_found", {})
    with translation.override(language):
        expected = str(NotFound.default_message)
    assert body["message"] == expected
    assert (expected == "We could not find what you asked for.") is (language == "en")


def test_an_unknown_page_is_still_an_html_page():
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")
