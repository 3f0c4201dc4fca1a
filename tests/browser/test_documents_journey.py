"""Issue 5's journey in real Chromium, with axe-core on every page: a traffic fine paid at the Royal Thai
Police counter becomes a signed e-receipt in the offender's "My documents"; she downloads the Thai PDF
(its signature checks out against the demo CA), shares it with a link that shows her full name to
someone not signed in, and revokes the link; a verifier opens what the QR code encodes and sees it
genuine with the name masked, enters her ID number to see it in full, and checks the downloaded PDF
(a match) and a copy with one byte changed (altered); a finance approver of the police revokes the
document on the documents desk and the verification page shows it revoked, with the date and the
reason. And the verification by number, the wallet and a share link without JavaScript, in Thai and in
English.

The pages are found by addresses, form field names and the data of the test (document number, holder's
name), not by the platform's own texts, whose translations are still being written; where a verdict must
be told apart, the expected sentence is the app's own message in the page's language.
"""

import datetime
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from pracha.accounts.models import User
from pracha.core.text import masked_name
from pracha.core.thai_dates import format_date
from pracha.documents import signing
from pracha.documents.models import Document, DocumentFile, ShareLink
from pracha.documents.rendering import verification_url
from pracha.documents.selectors import ALTERED, PROBLEM_MESSAGES
from pracha.payments import services as payments
from pracha.portal import demo_world

from .axe import assert_no_axe_violations

pytestmark = pytest.mark.browser

PEOPLE = {person.number: person for person in demo_world.PEOPLE}
CITIZEN = PEOPLE[2]  # สมหญิง รักไทยทดสอบ, the offender of the tickets below
CASHIER = PEOPLE[105]  # Royal Thai Police: cashier
REVOKER = PEOPLE[108]  # finance approver at the police, with documents.revoke
TICKETS = {ticket.number: ticket for ticket in demo_world.TICKETS}
FINE = TICKETS["TK6900000001"]  # 500 baht, plate 1กข1234
OTHER_FINE = TICKETS["TK6900000002"]  # 500 baht, the same plate and offender
FINE_SATANG = 50_000


@pytest.fixture
def demo(base_url: str) -> Iterator[None]:
    """The demo world, in the database the live server shares; no verification counted from another
    test (the lookups are rate-limited per address)."""
    call_command("seed_demo", stdout=io.StringIO())
    cache.clear()
    yield
    cache.clear()


def pay_fine_at_the_counter(ticket: demo_world.DemoTicket) -> Document:
    """The police cashier takes the fine in cash: the receipt is issued, its ReceiptIssued event issues
    the e-receipt document, and the (immediate) task backend signs it once that is committed."""

    bill = payments.bill_for_traffic_ticket(ticket_number=ticket.number, plate=ticket.plate)
    cashier = User.objects.get(national_id=CASHIER.national_id)
    receipt = payments.bill_cash_record(actor=cashier, bill=bill, amount_satang=bill.amount_satang)
    document = Document.objects.select_related("agency").get(number=receipt.number)
    assert (document.kind, document.agency.code, document.state) == (
        Document.Kind.RECEIPT,
        "rtp",
        Document.State.SIGNED,
    ), document.last_error
    assert document.holder_id_number == CITIZEN.national_id
    return document


@pytest.fixture
def receipt_document(demo: None) -> Document:
    """The signed e-receipt of FINE, paid at the counter."""
    return pay_fine_at_the_counter(FINE)


def checked(page: Page) -> Page:
    """axe-core finds nothing on the page as it is now; the page, to go on with."""
    assert_no_axe_violations(page)
    return page


def expect_path(page: Page, path: str) -> None:
    """The browser has arrived at path (after any redirect), whatever the query string or fragment."""
    expect(page).to_have_url(re.compile(rf"^https?://[^/]+{re.escape(path)}(?:[?#].*)?$"))


def submit(form: Locator) -> None:
    form.locator("button[type=submit]").click()


def in_thai(message: Any) -> str:
    """The app's own message as the Thai page shows it (whatever its translation is today)."""
    with translation.override("th"):
        return str(message)


def status_tag(page: Page, colour: str) -> Locator:
    """The document's status tag in the summary of the main content: green valid, red revoked."""
    return page.get_by_role("main").locator(f"strong.govuk-tag.govuk-tag--{colour}")


def download(page: Page, link: Locator, tmp_path: Path) -> bytes:
    with page.expect_download() as info:
        link.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path.read_bytes()


def signature_of(data: bytes) -> signing.SignatureCheck:
    return signing.check_pdf_signature(data)


def lifetime_in_days(link: ShareLink) -> float:
    """How long the link works, in days (expires_at and created_at are stamped a moment apart)."""
    return round((link.expires_at - link.created_at) / datetime.timedelta(days=1), 3)


def new_page(browser: Browser, base_url: str) -> Page:
    """A page in a browser of its own: no cookies, nobody signed in."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    return context.new_page()


def test_a_paid_fine_becomes_a_signed_receipt_shared_verified_and_revoked(
    receipt_document: Document,
    page: Page,
    browser: Browser,
    base_url: str,
    sign_in: Callable[[BrowserContext, Any], None],
    tmp_path: Path,
) -> None:
    document = receipt_document
    holder_name = document.holder_name
    main = page.get_by_role("main")
    detail_path = reverse("documents:detail", args=[document.public_id])
    verify_path = reverse("documents:verify_document", args=[document.public_id])

    # --- the holder: "My documents", the document, the Thai PDF ---------------------------------------
    sign_in(page.context, User.objects.get(national_id=CITIZEN.national_id))
    page.goto(reverse("documents:wallet"))
    expect(page.locator("html")).to_have_attribute("lang", "th")
    row = main.locator("table tbody tr", has_text=document.number)
    expect(row).to_have_count(1)
    expect(row.locator("strong.govuk-tag")).to_have_class(re.compile(r"\bgovuk-tag--green\b"))  # valid
    th_pdf = reverse("documents:download", args=[document.public_id, "th"])
    expect(row.locator(f"a[href='{th_pdf}']")).to_have_count(1)
    checked(page)
    row.locator(f"a[href='{detail_path}']").click()

    expect_path(page, detail_path)
    expect(main.get_by_role("heading", level=1)).to_have_text(document.title_th)
    expect(status_tag(page, "green")).to_have_count(1)
    expect(main.locator(".govuk-summary-list")).to_contain_text(holder_name)
    # The link of the QR code: the public verification page of this document.
    expect(main.locator(f"a[href='{verification_url(document)}']")).to_have_count(1)
    checked(page)
    data = download(page, main.locator(f"a[href='{th_pdf}']"), tmp_path)
    assert data.startswith(b"%PDF-")
    stored = DocumentFile.objects.get(document=document, language="th")
    assert hashlib.sha256(data).hexdigest() == stored.sha256
    check = signature_of(data)
    assert check.valid, check.problem
    assert check.signer_certificate_sha256 == document.signer_certificate_sha256

    # --- a share link for 7 days, opened by someone not signed in --------------------------------------
    share = main.locator(f"form[action='{reverse('documents:share_create', args=[document.public_id])}']")
    share.locator("select[name=days]").select_option("7")
    submit(share)

    expect_path(page, detail_path)
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    link = ShareLink.objects.get(document=document)
    assert lifetime_in_days(link) == 7
    share_url = main.locator(f"input#share-{link.public_id}")
    shared_path = reverse("documents:shared", args=[link.token])
    expect(share_url).to_have_value(re.compile(rf"^https?://[^/]+{re.escape(shared_path)}$"))
    assert urlsplit(share_url.input_value()).path == shared_path
    checked(page)

    friend = new_page(browser, base_url)
    response = friend.goto(shared_path)
    assert response is not None and response.status == 200
    expect(friend.locator("head meta[name=robots]")).to_have_attribute("content", "noindex, nofollow")
    friend_main = friend.get_by_role("main")
    expect(friend_main.locator(".govuk-panel--confirmation")).to_be_visible()  # genuine
    expect(friend_main.locator(".govuk-summary-list")).to_contain_text(holder_name)  # in full
    expect(friend_main.locator(".govuk-summary-list")).to_contain_text(document.number)
    shared_pdf = reverse("documents:shared_download", args=[link.token, "th"])
    expect(friend_main.locator(f"a[href='{shared_pdf}']")).to_have_count(1)
    checked(friend)

    # The holder revokes the link: it no longer opens anything.
    revoke_link = reverse("documents:share_revoke", args=[document.public_id, link.public_id])
    submit(main.locator(f"form[action='{revoke_link}']"))
    expect_path(page, detail_path)
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    expect(main.locator(f"input#share-{link.public_id}")).to_have_count(0)
    expect(main.locator(f"form[action='{revoke_link}']")).to_have_count(0)
    expect(main.locator("table tbody tr strong.govuk-tag--red")).to_have_count(1)
    checked(page)
    link.refresh_from_db()
    assert link.revoked_at is not None

    response = friend.reload()
    assert response is not None and response.status == 404
    expect(friend.get_by_role("heading", level=1)).to_have_count(1)
    expect(friend_main).not_to_contain_text(holder_name)
    expect(friend_main).not_to_contain_text(document.number)
    expect(friend_main.locator(f"a[href='{reverse('documents:verify')}']")).to_have_count(1)
    checked(friend)
    friend.context.close()

    # --- a verifier, not signed in, opens what the QR code encodes ---------------------------------------
    verifier = new_page(browser, base_url)
    desk = verifier.get_by_role("main")
    verifier.goto(verify_path)
    expect(verifier.locator("html")).to_have_attribute("lang", "th")
    expect(desk.locator(".govuk-panel--confirmation h1")).to_have_count(1)  # genuine, as the main heading
    expect(status_tag(verifier, "green")).to_have_count(1)  # valid
    facts = desk.locator(".govuk-summary-list")
    expect(facts).to_contain_text(document.number)
    expect(facts).to_contain_text(masked_name(holder_name))
    expect(desk).not_to_contain_text(holder_name)
    expect(desk).not_to_contain_text(CITIZEN.national_id)
    checked(verifier)
    holder_form = desk.locator(f"form[action='{verify_path}']")
    holder_form.locator("input[name=holder_id_number]").fill(CITIZEN.national_id)
    submit(holder_form)

    expect_path(verifier, verify_path)
    expect(facts).to_contain_text(holder_name)
    expect(desk.locator(f"form[action='{verify_path}']")).to_have_count(0)  # nothing more to confirm
    expect(desk).not_to_contain_text(CITIZEN.national_id)  # the number typed is not shown back
    checked(verifier)

    # The downloaded PDF, uploaded on the verification page: the very file issued.
    verifier.goto(reverse("documents:verify"))
    checked(verifier)
    by_file = desk.locator("form", has=verifier.locator("input[name=check][value=file]"))
    by_file.locator("input[name=file-file]").set_input_files(
        {"name": f"{document.number}-th.pdf", "mimeType": "application/pdf", "buffer": data}
    )
    submit(by_file)

    expect_path(verifier, reverse("documents:verify"))
    expect(desk.locator(".govuk-panel--confirmation h1")).to_have_count(1)
    expect(facts).to_contain_text(document.number)
    expect(facts).to_contain_text(masked_name(holder_name))
    expect(desk).not_to_contain_text(holder_name)
    checked(verifier)

    # The same file with one byte changed (in the binary comment under the header, inside the signed
    # range): not a file issued here, and the page says it was altered.
    altered = bytearray(data)
    altered[10] ^= 0x01
    verifier.goto(reverse("documents:verify"))
    by_file.locator("input[name=file-file]").set_input_files(
        {"name": f"{document.number}-th.pdf", "mimeType": "application/pdf", "buffer": bytes(altered)}
    )
    submit(by_file)

    expect_path(verifier, reverse("documents:verify"))
    expect(desk.locator(".govuk-panel--confirmation")).to_have_count(0)
    expect(desk.locator(".govuk-warning-text__text")).to_contain_text(in_thai(PROBLEM_MESSAGES[ALTERED]))
    expect(desk.locator(".govuk-summary-list")).to_have_count(0)  # no document to show
    expect(desk).not_to_contain_text(document.number)
    checked(verifier)

    # --- a finance approver of the police revokes it on the documents desk -------------------------------
    page.context.clear_cookies()
    sign_in(page.context, User.objects.get(national_id=REVOKER.national_id))
    page.goto(reverse("documents:manage"))
    checked(page)
    search = main.locator(f"form[action='{reverse('documents:manage')}']")
    search.locator("input[name=q]").fill(document.number)
    submit(search)

    expect(page).to_have_url(re.compile(r"/documents/manage/\?(?:.*&)?q=" + re.escape(document.number)))
    rows = main.locator("table tbody tr")
    expect(rows).to_have_count(1)
    manage_path = reverse("documents:manage_document", args=[document.public_id])
    expect(rows.first.locator(f"th a[href='{manage_path}']")).to_have_text(document.number)
    checked(page)
    rows.first.locator(f"a[href='{manage_path}']").click()

    expect_path(page, manage_path)
    expect(main.get_by_role("heading", level=1)).to_have_text(document.number)
    expect(status_tag(page, "green")).to_have_count(1)
    checked(page)
    revoke = main.locator("form", has=page.locator("input[name=action][value=revoke]"))
    revoke.locator("select[name=revoke-reason]").select_option(Document.RevocationReason.WITHDRAWN.value)
    revoke.locator("textarea[name=revoke-note]").fill("ใบเสร็จออกซ้ำกับการชำระที่ธนาคาร")
    submit(revoke)

    expect_path(page, manage_path)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(document.number)
    expect(status_tag(page, "red")).to_have_count(1)
    expect(main.locator("input[name=action][value=revoke]")).to_have_count(0)  # it cannot be undone
    checked(page)
    document.refresh_from_db()
    assert document.revoked_at is not None
    assert document.revocation_reason == Document.RevocationReason.WITHDRAWN

    # --- the verification page now says revoked, with the date and the reason ----------------------------
    verifier.goto(verify_path)
    expect(desk.locator(".govuk-panel--confirmation")).to_have_count(0)
    expect(desk.get_by_role("heading", level=1)).to_have_count(1)
    expect(status_tag(verifier, "red")).to_have_count(1)  # revoked
    revoked_on = format_date(document.revoked_at, lang="th")
    reason = in_thai(Document.RevocationReason.WITHDRAWN.label)
    for place in (desk.locator(".govuk-warning-text__text"), facts):
        expect(place).to_contain_text(revoked_on)
        expect(place).to_contain_text(reason)
    expect(desk).not_to_contain_text("ใบเสร็จออกซ้ำ")  # the officer's note is for the audit log only
    expect(desk).not_to_contain_text(holder_name)
    checked(verifier)
    verifier.context.close()


def test_verification_the_wallet_and_a_share_link_work_without_javascript_in_thai_and_english(
    demo: None,
    page_without_js: Page,
    base_url: str,
    sign_in: Callable[[BrowserContext, Any], None],
    tmp_path: Path,
) -> None:
    document = pay_fine_at_the_counter(OTHER_FINE)
    page = page_without_js
    main = page.get_by_role("main")
    verify_path = reverse("documents:verify")

    # --- by number, typed in lower case, with the holder's ID number as people write it ------------------
    page.goto(verify_path)
    expect(page.locator("html")).to_have_attribute("lang", "th")
    checked(page)
    by_number = main.locator("form", has=page.locator("input[name=check][value=number]"))
    by_number.locator("input[name=number-number]").fill(document.number.lower())
    by_number.locator("input[name=number-holder_id_number]").fill("1-2345-67890-12-3")  # not hers
    submit(by_number)

    expect_path(page, verify_path)
    expect(main.locator(".govuk-panel--confirmation h1")).to_have_count(1)
    expect(status_tag(page, "green")).to_have_count(1)
    facts = main.locator(".govuk-summary-list")
    expect(facts).to_contain_text(document.number)
    expect(facts).to_contain_text(masked_name(document.holder_name))  # a wrong ID number shows no more
    expect(main).not_to_contain_text(document.holder_name)
    checked(page)

    # A number never issued: not valid, on a page that passes axe too.
    page.goto(verify_path)
    by_number.locator("input[name=number-number]").fill("RC-RTP-2500-999999")
    submit(by_number)
    expect_path(page, verify_path)
    expect(main.locator(".govuk-panel--confirmation")).to_have_count(0)
    expect(main.locator(".govuk-summary-list")).to_have_count(0)
    checked(page)

    # --- the wallet: the document, its page, the PDF and a share link -----------------------------------
    sign_in(page.context, User.objects.get(national_id=CITIZEN.national_id))
    page.goto(reverse("documents:wallet"))
    row = main.locator("table tbody tr", has_text=document.number)
    expect(row.locator("strong.govuk-tag")).to_have_class(re.compile(r"\bgovuk-tag--green\b"))
    checked(page)
    detail_path = reverse("documents:detail", args=[document.public_id])
    row.locator(f"a[href='{detail_path}']").click()

    expect_path(page, detail_path)
    checked(page)
    en_pdf = reverse("documents:download", args=[document.public_id, "en"])
    data = download(page, main.locator(f"a[href='{en_pdf}']"), tmp_path)
    assert data.startswith(b"%PDF-")
    stored = DocumentFile.objects.get(document=document, language="en")
    assert hashlib.sha256(data).hexdigest() == stored.sha256
    share = main.locator(f"form[action='{reverse('documents:share_create', args=[document.public_id])}']")
    share.locator("select[name=days]").select_option("1")
    submit(share)

    expect_path(page, detail_path)
    link = ShareLink.objects.get(document=document)
    assert lifetime_in_days(link) == 1
    expect(main.locator(f"input#share-{link.public_id}")).to_have_count(1)
    checked(page)

    # --- in English: the wallet and the verification result -------------------------------------------
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base_url}])
    page.goto(reverse("documents:wallet"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(main.get_by_role("link", name=document.title_en, exact=True)).to_have_count(1)
    checked(page)

    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base_url}])
    page.goto(reverse("documents:verify_document", args=[document.public_id]))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(main.locator(".govuk-panel--confirmation h1")).to_have_text("Genuine")
    expect(main.locator(".govuk-panel__body")).to_contain_text(document.agency.name_en)
    expect(status_tag(page, "green")).to_have_text("Valid")
    expect(facts).to_contain_text(document.title_en)
    expect(facts).to_contain_text(format_date(document.valid_from, lang="en"))
    expect(facts).to_contain_text(masked_name(document.holder_name))
    expect(main).not_to_contain_text(document.holder_name)
    checked(page)
