"""The holder's side: "My documents", a document's page, its PDFs, and share links (made, opened by
anyone who has them, expired, revoked). The authorization matrix: anonymous people are sent to sign in,
the holder and a business's delegate see the document, anyone else gets 404 and changes nothing."""

import datetime
import uuid
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from pracha.accounts.tests.conftest import client_for
from pracha.audit.public import AuditEntry
from pracha.core.storage import private_storage
from pracha.core.thai_dates import buddhist_year, format_date
from pracha.documents import services, views
from pracha.documents.models import Document, ShareLink
from pracha.documents.tests.conftest import gettext_in, login_redirect, page_errors
from pracha.documents.tests.factories import LICENCE_NUMBER as NUMBER
from pracha.documents.tests.factories import (
    DocumentFactory,
    issued_document,
    signed_document,
    stored_bytes,
    thai_name,
)

NO_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"
WALLET = reverse("documents:wallet")
PENDING_HINT = "We are signing it. This takes a minute: refresh the page."
FAILED_HINT = (
    "We could not sign this document yet. The agency has been told and will fix it; you don’t need to do "
    "anything."
)
GONE = "This link does not work. It may have expired or the holder may have revoked it."


@pytest.fixture
def business_receipt(world: dict[str, Any]) -> Document:
    """A signed receipt held by a business, which the director acts for."""
    business = world["business"]
    return signed_document(
        agency=world["home"],
        kind=Document.Kind.RECEIPT,
        title_th="ใบเสร็จรับเงิน",
        title_en="Receipt",
        holder_user=None,
        holder_business=business,
        holder_id_number=business.juristic_number,
        holder_name=business.name_th,
        valid_until=None,
    )


def detail_url(document: Document) -> str:
    return reverse("documents:detail", args=[document.public_id])


def download_url(document: Document, language: str) -> str:
    return reverse("documents:download", args=[document.public_id, language])


def share(client: Any, document: Document, days: str = "7") -> Any:
    return client.post(reverse("documents:share_create", args=[document.public_id]), {"days": days})


# --- my documents -------------------------------------------------------------------------------------


def test_my_documents_needs_sign_in(world):
    response = client_for(world["anonymous"]).get(WALLET)
    assert response.status_code == 302
    assert response["Location"] == login_redirect(WALLET)


def test_the_holder_sees_their_documents_with_status_and_downloads(world, licence):
    pending = issued_document(agency=world["home"], holder_user=world["holder"])
    DocumentFactory(holder_user=world["other_citizen"])
    response = client_for(world["holder"]).get(WALLET)
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_CACHE
    assert [(row.document, row.status, row.languages) for row in response.context["rows"]] == [
        (pending, "pending", []),
        (licence, "valid", ["th", "en"]),
    ]
    html = response.content.decode()
    assert f'<a class="govuk-link" href="{detail_url(licence)}">Food shop permit</a>' in html
    assert f"{NUMBER} · Test District Office" in html
    assert f'<a class="govuk-link" href="{download_url(licence, "th")}">Download the PDF in Thai' in html
    assert f'<a class="govuk-link" href="{download_url(licence, "en")}">Download the PDF in English' in html
    assert download_url(pending, "th") not in html
    assert '<strong class="govuk-tag govuk-tag--light-blue">Being signed</strong>' in html
    assert PENDING_HINT in html
    assert '<strong class="govuk-tag govuk-tag--green">Valid</strong>' in html
    assert f'href="{WALLET}" aria-current="page"' in html


def test_a_failed_signing_is_explained(world):
    DocumentFactory(holder_user=world["holder"], state=Document.State.FAILED)
    html = client_for(world["holder"]).get(WALLET).content.decode()
    assert '<strong class="govuk-tag govuk-tag--orange">Signing failed</strong>' in html
    # An officer signs it again, not the agency on its own: the holder is told nothing is theirs to do.
    assert f'<br><span class="govuk-body-s">{FAILED_HINT}</span>' in html


def test_a_failed_signing_is_explained_on_the_documents_page(world):
    failed = DocumentFactory(holder_user=world["holder"], state=Document.State.FAILED)
    html = client_for(world["holder"]).get(detail_url(failed)).content.decode()
    assert f'<div class="govuk-inset-text">{FAILED_HINT}</div>' in html


def test_a_business_delegate_sees_the_businesss_documents(world, business_receipt):
    response = client_for(world["director"]).get(WALLET)
    assert [row.document for row in response.context["rows"]] == [business_receipt]
    html = response.content.decode()
    assert f"For {world['business'].name_en}" in html
    assert "No end date" in html


@pytest.mark.parametrize("who", ["other_citizen", "officer_with", "officer_other_agency"])
def test_nobody_else_sees_them(world, licence, business_receipt, who):
    response = client_for(world[who]).get(WALLET)
    assert response.context["rows"] == []
    assert (
        "You have no documents yet. When an agency issues you a licence or a certificate, or you pay a fee "
        "or a fine, it appears here."
    ) in response.content.decode()


def test_my_documents_in_thai(world, licence):
    html = client_for(world["holder"], language="th").get(WALLET).content.decode()
    assert '<html lang="th"' in html
    assert "ใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร" in html
    assert "สำนักงานเขตทดสอบ" in html
    assert str(buddhist_year(licence.valid_until)) in html
    assert f'<h1 class="govuk-heading-l">{gettext_in("th", "My documents")}</h1>' in html


def test_my_documents_in_english(world, licence):
    html = client_for(world["holder"], language="en").get(WALLET).content.decode()
    assert '<html lang="en"' in html
    assert '<h1 class="govuk-heading-l">My documents</h1>' in html
    assert "Food shop permit" in html
    assert format_date(licence.valid_until, lang="en") in html
    assert "ใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร" not in html


def test_the_navigation_links_my_documents_for_people_signed_in(world):
    signed_in = client_for(world["other_citizen"]).get(reverse("documents:verify")).content.decode()
    assert f'<a class="govuk-service-navigation__link" href="{WALLET}">' in signed_in
    anonymous = client_for(world["anonymous"]).get(reverse("documents:verify")).content.decode()
    assert WALLET not in anonymous


# --- a document's page --------------------------------------------------------------------------------


def test_the_holders_page_of_a_document(world, licence):
    response = client_for(world["holder"]).get(detail_url(licence))
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_CACHE
    assert response.context["status"] == "valid"
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Food shop permit</h1>' in html
    assert thai_name(world["holder"]) in html
    assert f'href="http://testserver/verify/{licence.public_id}/"' in html
    assert f'href="http://testserver/verify/{licence.public_id}/document.jws"' in html
    assert f'action="{reverse("documents:share_create", args=[licence.public_id])}"' in html
    assert '<option value="7" selected>7 days</option>' in html
    assert download_url(licence, "en") in html


@pytest.mark.parametrize(("who", "status"), [("holder", 200), ("director", 404), ("anonymous", 302)])
def test_who_sees_a_persons_document(world, licence, who, status):
    response = client_for(world[who]).get(detail_url(licence))
    assert response.status_code == status
    if status == 302:
        assert response["Location"] == login_redirect(detail_url(licence))


@pytest.mark.parametrize("who", ["other_citizen", "officer_with", "officer_other_agency", "officer_without"])
def test_anyone_else_gets_not_found(world, licence, business_receipt, who):
    client = client_for(world[who])
    for document in (licence, business_receipt):
        assert client.get(detail_url(document)).status_code == 404
        assert client.get(download_url(document, "th")).status_code == 404


def test_the_delegate_sees_the_businesss_document(world, business_receipt):
    response = client_for(world["director"]).get(detail_url(business_receipt))
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-l">Receipt</h1>' in response.content.decode()


def test_a_verified_person_sees_a_document_issued_to_their_id_number(world):
    by_id = signed_document(
        agency=world["home"],
        holder_user=None,
        holder_id_number=world["other_citizen"].national_id,
        holder_name=thai_name(world["other_citizen"]),
    )
    assert client_for(world["other_citizen"]).get(detail_url(by_id)).status_code == 200
    assert client_for(world["holder"]).get(detail_url(by_id)).status_code == 404


def test_an_unknown_document_is_not_found(world):
    response = client_for(world["holder"]).get(reverse("documents:detail", args=[uuid.uuid4()]))
    assert response.status_code == 404


def test_a_revoked_and_replaced_document_says_so_and_links_the_replacement(world, licence):
    replacement = services.document_replace(
        actor=world["officer_with"], document=licence, holder_name="สมชาย แก้ไขแล้ว", note="สะกดชื่อผิด"
    )
    licence.refresh_from_db()
    response = client_for(world["holder"]).get(detail_url(licence))
    html = response.content.decode()
    revoked_on = format_date(licence.revoked_at, lang="en")
    assert (
        f"This document was revoked on {revoked_on}. Reason: Replaced by a corrected document. "
        "It can no longer be used."
    ) in html
    assert (
        f'<a class="govuk-link" href="{detail_url(replacement)}">'
        f"See the corrected document, number {replacement.number}</a>"
    ) in html
    assert "A revoked document cannot be shared." in html
    assert f'action="{reverse("documents:share_create", args=[licence.public_id])}"' not in html
    # The replacement is being signed: no downloads yet, and it says so.
    pending = client_for(world["holder"]).get(detail_url(replacement)).content.decode()
    assert PENDING_HINT in pending
    assert download_url(replacement, "th") not in pending
    assert f'<dd class="govuk-summary-list__value">{NUMBER}</dd>' in pending


# --- downloads ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["th", "en"])
def test_the_holder_downloads_the_signed_pdf(world, licence, language):
    response = client_for(world["holder"]).get(download_url(licence, language))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{NUMBER}-{language}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    stored = licence.files.get(language=language)
    assert response["Content-Length"] == str(stored.size)
    assert b"".join(response.streaming_content) == stored_bytes(stored)


def test_a_pdf_is_streamed_from_the_stored_file(world, licence):
    # The test client wraps what it streams, so the view's response is looked at directly: it reads the
    # stored file as it sends it rather than holding a copy in memory.
    response = views.pdf_response(licence, "th")
    try:
        assert response.file_to_stream.name == private_storage().path(
            licence.files.get(language="th").stored_name
        )
    finally:
        response.close()


def test_the_delegate_downloads_the_businesss_pdf(world, business_receipt):
    response = client_for(world["director"]).get(download_url(business_receipt, "en"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{business_receipt.number}-en.pdf"'


def test_nothing_to_download_while_pending_or_in_another_language(world, licence):
    pending = issued_document(agency=world["home"], holder_user=world["holder"])
    client = client_for(world["holder"])
    assert client.get(download_url(pending, "th")).status_code == 404
    assert client.get(download_url(licence, "fr")).status_code == 404


def test_downloading_needs_sign_in(world, licence):
    response = client_for(world["anonymous"]).get(download_url(licence, "th"))
    assert response.status_code == 302
    assert response["Location"] == login_redirect(download_url(licence, "th"))


# --- share links --------------------------------------------------------------------------------------


def test_the_holder_makes_a_share_link_and_sees_its_address(world, licence):
    client = client_for(world["holder"])
    before = timezone.now()
    response = share(client, licence, "1")
    assert response.status_code == 302
    assert response["Location"] == f"{detail_url(licence)}#share-links"
    link = ShareLink.objects.get(document=licence)
    assert (
        before + datetime.timedelta(days=1) <= link.expires_at <= timezone.now() + datetime.timedelta(days=1)
    )
    assert AuditEntry.objects.filter(action="documents.share_link_create").count() == 1
    page = client.get(response["Location"])
    html = page.content.decode()
    assert (
        f"A share link has been made. It works until {format_date(link.expires_at, lang='en')}. "
        "Copy it from the list below."
    ) in html
    assert f'value="http://testserver/documents/shared/{link.token}/" readonly' in html
    assert '<strong class="govuk-tag govuk-tag--green">Works</strong>' in html
    revoke = reverse("documents:share_revoke", args=[licence.public_id, link.public_id])
    assert f'action="{revoke}"' in html


def test_the_shared_page_shows_the_document_with_the_full_name_to_anyone(world, licence):
    link = services.share_link_create(actor=world["holder"], document=licence, days=7)
    response = client_for(world["anonymous"]).get(reverse("documents:shared", args=[link.token]))
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == NO_CACHE
    html = response.content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert '<h1 class="govuk-panel__title">Genuine</h1>' in html
    assert thai_name(world["holder"]) in html
    assert "Part of the name is hidden" not in html
    # The holder's ID number is not part of what is shared.
    assert world["holder"].national_id not in html
    th_pdf = reverse("documents:shared_download", args=[link.token, "th"])
    assert f'<a class="govuk-link" href="{th_pdf}">Download the PDF in Thai' in html
    download = client_for(world["anonymous"]).get(th_pdf)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == f'attachment; filename="{NUMBER}-th.pdf"'
    assert download["Cache-Control"] == "private, no-store"
    assert download["Referrer-Policy"] == "no-referrer"
    assert b"".join(download.streaming_content) == stored_bytes(licence.files.get(language="th"))


def test_a_shared_document_revoked_since_shows_as_not_valid(world, licence):
    link = services.share_link_create(actor=world["holder"], document=licence, days=7)
    services.document_revoke(actor=world["officer_with"], document=licence, reason="withdrawn", note="")
    response = client_for(world["anonymous"]).get(reverse("documents:shared", args=[link.token]))
    assert response.status_code == 200
    assert (response.context["verdict"].genuine, response.context["verdict"].problem) == (False, "revoked")
    # The page says so, but the revoked document's file is no longer handed out.
    assert response.context["languages"] == []
    html = response.content.decode()
    assert '<h1 class="govuk-heading-xl govuk-!-margin-bottom-4">Not valid</h1>' in html
    for language in ("th", "en"):
        assert reverse("documents:shared_download", args=[link.token, language]) not in html
    assert "Download the PDF" not in html


@pytest.mark.parametrize("language", ["th", "en"])
def test_a_shared_document_revoked_since_cannot_be_downloaded(world, licence, language):
    link = services.share_link_create(actor=world["holder"], document=licence, days=7)
    services.document_revoke(actor=world["officer_with"], document=licence, reason="withdrawn", note="")
    response = client_for(world["anonymous"]).get(
        reverse("documents:shared_download", args=[link.token, language])
    )
    assert response.status_code == 404
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">This link does not work</h1>' in html
    assert "This document has been revoked, so it can no longer be downloaded." in html


def assert_gone(response: Any) -> None:
    assert response.status_code == 404
    assert response["Referrer-Policy"] == "no-referrer"
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">This link does not work</h1>' in html
    assert GONE in html
    assert '<meta name="robots" content="noindex, nofollow">' in html


def test_an_expired_share_link_no_longer_works(world, licence):
    link = services.share_link_create(actor=world["holder"], document=licence, days=1)
    # A day later (the test moves the link's expiry rather than the clock).
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    client = client_for(world["anonymous"])
    assert_gone(client.get(reverse("documents:shared", args=[link.token])))
    assert_gone(client.get(reverse("documents:shared_download", args=[link.token, "th"])))
    html = client_for(world["holder"]).get(detail_url(licence)).content.decode()
    assert '<strong class="govuk-tag govuk-tag--grey">Expired</strong>' in html
    assert f"http://testserver/documents/shared/{link.token}/" not in html


def test_the_holder_revokes_a_share_link(world, licence):
    link = services.share_link_create(actor=world["holder"], document=licence, days=30)
    client = client_for(world["holder"])
    response = client.post(reverse("documents:share_revoke", args=[licence.public_id, link.public_id]))
    assert response.status_code == 302
    assert response["Location"] == f"{detail_url(licence)}#share-links"
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert_gone(client_for(world["anonymous"]).get(reverse("documents:shared", args=[link.token])))
    html = client.get(detail_url(licence)).content.decode()
    assert "The share link has been revoked. It no longer works." in html
    assert '<strong class="govuk-tag govuk-tag--red">Revoked</strong>' in html


def test_an_unknown_share_link_is_a_kind_404(world):
    assert_gone(client_for(world["anonymous"]).get(reverse("documents:shared", args=["no-such-token"])))


@pytest.mark.parametrize("who", ["other_citizen", "officer_with"])
def test_nobody_else_makes_or_revokes_share_links(world, licence, who):
    link = services.share_link_create(actor=world["holder"], document=licence, days=7)
    client = client_for(world[who])  # signing in is audited; being refused is not
    audit_before = AuditEntry.objects.count()
    assert share(client, licence).status_code == 404
    revoke = reverse("documents:share_revoke", args=[licence.public_id, link.public_id])
    assert client.post(revoke).status_code == 404
    assert ShareLink.objects.filter(document=licence).count() == 1
    link.refresh_from_db()
    assert link.revoked_at is None
    assert AuditEntry.objects.count() == audit_before


def test_a_share_link_of_another_document_is_not_found(world, licence):
    other = signed_document(agency=world["home"], holder_user=world["other_citizen"])
    theirs = services.share_link_create(actor=world["other_citizen"], document=other, days=7)
    response = client_for(world["holder"]).post(
        reverse("documents:share_revoke", args=[licence.public_id, theirs.public_id])
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_share_links_are_posts(world, licence):
    client = client_for(world["holder"])
    assert client.get(reverse("documents:share_create", args=[licence.public_id])).status_code == 405
    assert ShareLink.objects.count() == 0


@pytest.mark.parametrize("language", ["en", "th"])
@pytest.mark.parametrize("days", ["2", "", "0"])
def test_a_share_link_needs_one_of_the_offered_lengths(world, licence, days, language):
    response = share(client_for(world["holder"], language=language), licence, days)
    assert response.status_code == 200
    assert page_errors(response) == {"days": [gettext_in(language, "Choose how long the link works.")]}
    assert '<a href="#id_days">' in response.content.decode()
    assert ShareLink.objects.count() == 0


def test_a_revoked_document_cannot_be_shared(world, licence):
    services.document_revoke(actor=world["officer_with"], document=licence, reason="withdrawn", note="")
    response = share(client_for(world["holder"]), licence)
    assert response.status_code == 200
    assert page_errors(response) == {
        "__all__": ["Only a signed document that has not been revoked can be shared."]
    }
    assert ShareLink.objects.count() == 0
