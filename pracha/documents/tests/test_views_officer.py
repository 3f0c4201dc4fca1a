"""The documents desk: the list with its search and filter, a document's page, and revoking, replacing
and signing again. Every page and POST against the authorization matrix, with nothing changed when
refused; each form's happy path and bad input."""

from typing import Any

import pytest
from django.urls import reverse

from pracha.accounts.tests.conftest import client_for
from pracha.audit.public import AuditEntry
from pracha.documents import services
from pracha.documents.models import Document
from pracha.documents.tests.conftest import gettext_in, login_redirect, page_errors
from pracha.documents.tests.factories import LICENCE_NUMBER as NUMBER
from pracha.documents.tests.factories import DocumentFactory

NO_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"
MANAGE = reverse("documents:manage")


def page_url(document: Document) -> str:
    return reverse("documents:manage_document", args=[document.public_id])


def snapshot() -> dict[str, Any]:
    """Everything a refused request must leave exactly as it was."""
    return {
        "documents": sorted(
            Document.objects.values_list("number", "state", "revoked_at", "revocation_reason", "holder_name")
        ),
        "audit": AuditEntry.objects.count(),
    }


def revoke(client: Any, document: Document, reason: str = "withdrawn", note: str = "") -> Any:
    return client.post(page_url(document), {"action": "revoke", "revoke-reason": reason, "revoke-note": note})


def replace(client: Any, document: Document, holder_name: str, note: str = "") -> Any:
    return client.post(
        page_url(document),
        {"action": "replace", "replace-holder_name": holder_name, "replace-note": note},
    )


# --- who may use the desk -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("holder", 403), ("officer_without", 403), ("officer_other_agency", 200)],
)
def test_the_desk_is_for_officers_who_may_revoke(world, licence, who, status):
    response = client_for(world[who]).get(MANAGE)
    assert response.status_code == status
    if status == 302:
        assert response["Location"] == login_redirect(MANAGE)
    if status == 200:
        # Another agency's officer sees the desk, but none of this agency's documents.
        assert response.context["rows"] == []
        assert "Your agencies have not issued any documents yet." in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("holder", 403), ("officer_without", 403), ("officer_other_agency", 404)],
)
def test_a_documents_page_and_its_forms_are_refused_to_anyone_else(world, licence, who, status):
    client = client_for(world[who])  # signing in is audited; being refused is not
    before = snapshot()
    url = page_url(licence)
    assert client.get(url).status_code == status
    responses = [
        revoke(client, licence),
        replace(client, licence, "สมชาย แก้ไขแล้ว"),
        client.post(url, {"action": "retry"}),
    ]
    assert [response.status_code for response in responses] == [status] * 3
    if status == 302:
        assert responses[0]["Location"] == login_redirect(url)
    assert snapshot() == before


def test_the_officer_sees_the_list(world, licence):
    DocumentFactory(agency=world["other"], number="OTHER-2569-000001")
    response = client_for(world["officer_with"]).get(MANAGE)
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_CACHE
    assert [row.document for row in response.context["rows"]] == [licence]
    html = response.content.decode()
    assert '<caption class="govuk-table__caption govuk-table__caption--m">1 document</caption>' in html
    assert f'<a class="govuk-link" href="{page_url(licence)}">{NUMBER}</a>' in html
    assert "OTHER-2569-000001" not in html
    assert f'href="{MANAGE}" aria-current="page"' in html


def test_the_navigation_links_the_desk_only_for_officers_who_may_revoke(world):
    assert f'href="{MANAGE}"' in client_for(world["officer_with"]).get(MANAGE).content.decode()
    verify = reverse("documents:verify")
    assert f'href="{MANAGE}"' not in client_for(world["officer_without"]).get(verify).content.decode()
    assert f'href="{MANAGE}"' not in client_for(world["holder"]).get(verify).content.decode()


def test_search_by_number_id_number_and_status(world, licence):
    failed = DocumentFactory(agency=world["home"], state=Document.State.FAILED)
    revoked = DocumentFactory(agency=world["home"], state=Document.State.SIGNED)
    services.document_revoke(actor=world["officer_with"], document=revoked, reason="fraud", note="")
    client = client_for(world["officer_with"])

    def found(**query: str) -> list[Document]:
        return [row.document for row in client.get(MANAGE, query).context["rows"]]

    assert found(q=NUMBER.lower()) == [licence]
    assert found(q=world["holder"].national_id) == [licence]
    assert found(state="failed") == [failed]
    assert found(state="revoked") == [revoked]
    assert found(q="FSP-2569-999999") == []
    html = client.get(MANAGE, {"q": "FSP-2569-999999"}).content.decode()
    assert "No document matches the search." in html
    assert f'<a class="govuk-link" href="{MANAGE}">Clear the search</a>' in html


def test_the_desk_counts_the_documents_whose_signing_failed_and_links_to_them(world, licence):
    client = client_for(world["officer_with"])
    assert "could not be signed" not in client.get(MANAGE).content.decode()
    DocumentFactory(agency=world["home"], state=Document.State.FAILED)
    DocumentFactory(agency=world["home"], state=Document.State.FAILED)
    DocumentFactory(agency=world["other"], state=Document.State.FAILED)  # not this officer's agency
    response = client.get(MANAGE, {"q": NUMBER})
    assert response.context["failed_count"] == 2
    html = response.content.decode()
    assert (
        '<p class="govuk-notification-banner__heading">2 documents could not be signed. They stay unsigned '
        "until an officer signs them again.</p>"
    ) in html
    link = f"{MANAGE}?state=failed"
    assert (
        f'<a class="govuk-notification-banner__link" href="{link}">See the documents whose signing failed</a>'
    ) in html
    assert len(client.get(link).context["rows"]) == 2


def test_an_unknown_status_is_an_error_and_ignored(world, licence):
    response = client_for(world["officer_with"]).get(MANAGE, {"state": "lost"})
    assert response.status_code == 200
    assert page_errors(response) == {
        "state": ["Select a valid choice. lost is not one of the available choices."]
    }
    assert [row.document for row in response.context["rows"]] == [licence]


def test_the_list_is_paginated(world):
    for n in range(26):
        DocumentFactory(agency=world["home"], number=f"PAGE-2569-{n:06d}")
    client = client_for(world["officer_with"])
    first = client.get(MANAGE)
    assert len(first.context["rows"]) == 25
    html = first.content.decode()
    assert '<caption class="govuk-table__caption govuk-table__caption--m">26 documents</caption>' in html
    assert '<nav class="govuk-pagination" aria-label="Pages of documents">' in html
    assert 'href="?page=2" rel="next"' in html
    second = client.get(MANAGE, {"page": "2"})
    assert [row.document.number for row in second.context["rows"]] == ["PAGE-2569-000000"]


# --- a document's page --------------------------------------------------------------------------------


def test_the_officers_page_of_a_document(world, licence):
    response = client_for(world["officer_with"]).get(page_url(licence))
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_CACHE
    assert (
        response.context["show_revoke"],
        response.context["show_replace"],
        response.context["show_retry"],
    ) == (
        True,
        True,
        False,
    )
    html = response.content.decode()
    assert f'<h1 class="govuk-heading-l">{NUMBER}</h1>' in html
    assert f"<code>{licence.signer_certificate_sha256}</code>" in html
    for file in licence.files.all():
        assert f"<code>{file.sha256}</code>" in html
    assert '<input type="hidden" name="action" value="revoke">' in html
    assert '<input type="hidden" name="action" value="replace">' in html
    assert '<input type="hidden" name="action" value="retry">' not in html
    # Issuing and signing are in its history, newest first.
    assert [row.label for row in response.context["history"]] == ["Signed", "Issued"]
    # "Replaced by a corrected document" is what a replacement records, not a reason to choose.
    assert '<option value="corrected">' not in html
    assert '<option value="fraud">Obtained with false information</option>' in html


def test_a_failed_document_shows_its_error_and_can_be_signed_again(world):
    failed = DocumentFactory(
        agency=world["home"],
        state=Document.State.FAILED,
        sign_attempts=8,
        last_error="SigningUnavailable: no key for agency 'doc-home'",
    )
    client = client_for(world["officer_with"])
    html = client.get(page_url(failed)).content.decode()
    assert "<code>SigningUnavailable: no key for agency &#x27;doc-home&#x27;</code>" in html
    assert '<dd class="govuk-summary-list__value">8</dd>' in html
    assert '<input type="hidden" name="action" value="retry">' in html
    assert '<input type="hidden" name="action" value="replace">' not in html

    response = client.post(page_url(failed), {"action": "retry"}, follow=True)
    assert response.redirect_chain == [(page_url(failed), 302)]
    assert f"Document {failed.number} is being signed again." in response.content.decode()
    failed.refresh_from_db()
    assert (failed.state, failed.sign_attempts, failed.last_error) == ("pending", 0, "")
    assert AuditEntry.objects.filter(action="documents.document_sign_retry").count() == 1


def test_signing_again_a_document_that_did_not_fail_is_refused(world, licence):
    client = client_for(world["officer_with"])
    before = snapshot()
    response = client.post(page_url(licence), {"action": "retry"}, follow=True)
    assert response.redirect_chain == [(page_url(licence), 302)]
    assert "Only a document whose signing failed can be signed again." in response.content.decode()
    assert snapshot() == before


def test_an_unknown_action_is_a_bad_request(world, licence):
    client = client_for(world["officer_with"])
    before = snapshot()
    assert client.post(page_url(licence), {"action": "delete"}).status_code == 400
    assert snapshot() == before


# --- revoking -----------------------------------------------------------------------------------------


def test_the_officer_revokes_a_document(world, licence):
    client = client_for(world["officer_with"])
    response = revoke(client, licence, "issued_in_error", "ออกให้ผิดคน")
    assert response.status_code == 302
    assert response["Location"] == page_url(licence)
    licence.refresh_from_db()
    assert (licence.revocation_reason, licence.revocation_note, licence.revoked_by) == (
        "issued_in_error",
        "ออกให้ผิดคน",
        world["officer_with"],
    )
    page = client.get(response["Location"])
    html = page.content.decode()
    assert f"Document {NUMBER} has been revoked." in html
    assert '<strong class="govuk-tag govuk-tag--red">Revoked</strong>' in html
    assert "ออกให้ผิดคน" in html
    assert page.context["show_revoke"] is False
    assert page.context["show_replace"] is False
    assert [row.label for row in page.context["history"]] == ["Revoked", "Signed", "Issued"]


@pytest.mark.parametrize("language", ["en", "th"])
@pytest.mark.parametrize("reason", ["", "corrected", "lost"])
def test_revoking_needs_one_of_the_reasons(world, licence, reason, language):
    client = client_for(world["officer_with"], language=language)
    before = snapshot()
    response = revoke(client, licence, reason)
    assert response.status_code == 200
    assert page_errors(response) == {"reason": [gettext_in(language, "Choose why the document is revoked.")]}
    html = response.content.decode()
    assert '<a href="#id_revoke-reason">' in html
    assert f"<title>{gettext_in(language, 'Error:')} {NUMBER}" in html
    assert snapshot() == before


def test_a_note_too_long_is_refused(world, licence):
    client = client_for(world["officer_with"])
    before = snapshot()
    response = revoke(client, licence, "withdrawn", "ก" * 1001)
    assert page_errors(response) == {"note": ["Ensure this value has at most 1000 characters (it has 1001)."]}
    assert snapshot() == before


def test_revoking_twice_is_refused_on_the_form(world, licence):
    client = client_for(world["officer_with"])
    revoke(client, licence)
    before = snapshot()
    response = revoke(client, licence, "fraud")
    assert response.status_code == 200
    assert page_errors(response) == {"__all__": ["This document has already been revoked."]}
    assert snapshot() == before


# --- replacing ----------------------------------------------------------------------------------------


def test_the_officer_replaces_a_document_after_a_correction(world, licence):
    client = client_for(world["officer_with"])
    response = replace(client, licence, "  สมชาย   แก้ไขแล้ว ", "สะกดชื่อผิด")
    replacement = Document.objects.get(number=f"{NUMBER}-R1")
    assert response.status_code == 302
    assert response["Location"] == page_url(replacement)
    assert (replacement.holder_name, replacement.replaces, replacement.state) == (
        "สมชาย แก้ไขแล้ว",
        licence,
        "pending",
    )
    licence.refresh_from_db()
    assert licence.revocation_reason == "corrected"
    html = client.get(response["Location"]).content.decode()
    assert f"Document {NUMBER}-R1 replaces {NUMBER}, which is now revoked. It is being signed." in html
    assert f'<a class="govuk-link" href="{page_url(licence)}">{NUMBER}</a>' in html


def test_replacing_needs_the_name(world, licence):
    client = client_for(world["officer_with"])
    before = snapshot()
    response = replace(client, licence, "   ")
    assert response.status_code == 200
    assert page_errors(response) == {
        "holder_name": ["Enter the holder's name as it should be on the document."]
    }
    assert '<a href="#id_replace-holder_name">' in response.content.decode()
    assert snapshot() == before


def test_a_pending_document_cannot_be_replaced(world):
    pending = DocumentFactory(agency=world["home"])
    client = client_for(world["officer_with"])
    before = snapshot()
    response = replace(client, pending, "สมชาย แก้ไขแล้ว")
    assert page_errors(response) == {
        "__all__": ["Only a signed document that has not been revoked can be replaced."]
    }
    assert snapshot() == before


def test_the_desk_in_thai(world, licence):
    html = client_for(world["officer_with"], language="th").get(page_url(licence)).content.decode()
    assert '<html lang="th"' in html
    assert "ใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร" in html
    assert f'<h2 class="govuk-heading-m">{gettext_in("th", "What you can do")}</h2>' in html
