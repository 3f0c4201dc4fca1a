"""Issue 4's journey in real Chromium, with axe-core on every page: someone who is not signed in looks up
a traffic fine by its ticket number and licence plate, sees the bill with its PromptPay QR code, pays it
in the demo bank's app (the simulator, its own process), comes back to see the bill paid and opens the
e-receipt; then a Royal Thai Police officer finds the payment on the payments desk. And the look-up and
the bill page without JavaScript, in Thai and in English.

The pages are found by addresses, form field names and the demo data (ticket, plate, amounts in Thai
words), not by the platform's own texts, whose translations are still being written.
"""

import io
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import BrowserContext, Page, expect

from pracha.accounts.models import User
from pracha.core.money import format_baht
from pracha.core.text import masked_name
from pracha.payments import selectors
from pracha.payments.public import Bill, Receipt
from pracha.portal import demo_world
from simulators.running import RunningBank

from .axe import assert_no_axe_violations

pytestmark = pytest.mark.browser

TICKETS = {ticket.number: ticket for ticket in demo_world.TICKETS}
TICKET = TICKETS["TK6900000001"]  # 500 baht, plate 1กข1234, against demo person 2
OTHER_TICKET = TICKETS["TK6900000004"]  # 500 baht, plate 2กค5678, against demo person 1
POLICE_OFFICER = next(person for person in demo_world.PEOPLE if person.number == 105)  # RTP cashier
FINE_SATANG = 50_000
FINE_IN_WORDS = "ห้าร้อยบาทถ้วน"
BILL_PAGE = re.compile(r"/payments/bills/[0-9a-f-]{36}/$")


@pytest.fixture
def demo(base_url: str) -> Iterator[None]:
    """The demo world (its traffic tickets among it), in the database the live server shares."""
    call_command("seed_demo", stdout=io.StringIO())
    cache.clear()
    yield
    cache.clear()


def checked(page: Page) -> Page:
    """axe-core finds nothing on the page as it is now; the page, to go on with."""
    assert_no_axe_violations(page)
    return page


def expect_path(page: Page, path: str) -> None:
    expect(page).to_have_url(re.compile(rf"^https?://[^/]+{re.escape(path)}(?:[?#].*)?$"))


def look_up(page: Page, ticket_number: str, plate: str) -> None:
    form = page.get_by_role("main").locator(f"form[action='{reverse('payments:fine-lookup')}']")
    form.locator("input[name=ticket_number]").fill(ticket_number)
    form.locator("input[name=plate]").fill(plate)
    form.locator("button[type=submit]").click()


def fine_bill(ticket_number: str) -> Bill:
    return Bill.objects.get(kind=Bill.Kind.TRAFFIC_FINE, subject_reference=ticket_number)


def bill_biller(bill: Bill) -> str:
    biller = selectors.biller_for(bill.agency)
    assert biller is not None
    return biller.biller_id


def test_a_fine_is_looked_up_paid_at_the_demo_bank_and_found_by_the_police(
    demo: None,
    page: Page,
    bank_simulator: RunningBank,
    sign_in: Callable[[BrowserContext, Any], None],
) -> None:
    main = page.get_by_role("main")

    # --- the look-up, without an account ---------------------------------------------------------------
    page.goto(reverse("payments:fine-lookup"))
    expect(page.locator("html")).to_have_attribute("lang", "th")
    checked(page)
    look_up(page, TICKET.number, "1กข 1234")  # as on the plate, with its space

    expect(page).to_have_url(BILL_PAGE)
    bill = fine_bill(TICKET.number)
    expect_path(page, reverse("payments:bill", args=[bill.public_id]))
    assert (bill.state, bill.amount_satang, bill.agency.code) == (Bill.State.PENDING, FINE_SATANG, "rtp")
    payload = selectors.promptpay_payload(bill)
    expect(main.locator("figure.pracha-thai-qr svg")).to_be_visible()
    expect(main.locator(".pracha-thai-qr__amount")).to_have_text(format_baht(FINE_SATANG, lang="th"))
    expect(main.locator("#promptpay-payload")).to_have_value(payload)
    checked(page)
    to_the_bank = main.locator(f"a[href^='{bank_simulator.url}']")
    expect(to_the_bank).to_have_count(1)
    to_the_bank.click()

    # --- the demo bank's app: the payload filled in, reviewed, confirmed ----------------------------------
    expect(page).to_have_url(re.compile(rf"^{re.escape(bank_simulator.url)}\?"))
    expect(page.locator("textarea#payload")).to_have_value(payload)
    checked(page)
    page.locator("form[action='/review'] button[type=submit]").click()

    expect(page).to_have_url(f"{bank_simulator.url}review")
    details = page.locator("main dl dd")
    expect(details).to_have_text(
        [f"สำนักงานตำรวจแห่งชาติ · Royal Thai Police ({bill_biller(bill)})", bill.ref1, bill.ref2, "500.00 บาท"]
    )
    checked(page)
    page.locator("form[action='/confirm'] button[type=submit]").click()

    expect(page.locator("#transaction-id")).to_have_text(re.compile(r"^SIM\d{14}$"))
    transaction_id = page.locator("#transaction-id").inner_text()
    checked(page)
    page.locator(f"main a[href$='{reverse('payments:bill', args=[bill.public_id])}']").click()

    # --- back at Pracha: the page shows the payment once the bank's notification has arrived -------------
    expect_path(page, reverse("payments:bill", args=[bill.public_id]))
    expect(main.locator(".govuk-panel--confirmation")).to_be_visible(timeout=15_000)
    expect(main.locator("figure.pracha-thai-qr")).to_have_count(0)
    bill.refresh_from_db()
    assert bill.state == Bill.State.PAID
    receipt = Receipt.objects.select_related("payment").get(payment__bill=bill)
    assert receipt.payment.bank_transaction_id == transaction_id
    checked(page)
    main.locator(f"a[href='{reverse('payments:receipt', args=[receipt.public_id])}']").click()

    # --- the e-receipt ---------------------------------------------------------------------------------
    expect_path(page, reverse("payments:receipt", args=[receipt.public_id]))
    expect(main.locator("h1")).to_contain_text("ใบเสร็จรับเงินอิเล็กทรอนิกส์")
    expect(main.get_by_text(receipt.number, exact=True)).to_be_visible()
    expect(main.get_by_text(f"({FINE_IN_WORDS})", exact=True)).to_be_visible()
    expect(main.get_by_text(bill.reference, exact=True)).to_be_visible()
    # The payer did not sign in: the name on a receipt reached by its link is masked.
    expect(main.get_by_text(masked_name(bill.payer_name), exact=True)).to_be_visible()
    checked(page)

    # --- a police officer finds the payment on the payments desk ---------------------------------------
    page.context.clear_cookies()
    sign_in(page.context, User.objects.get(national_id=POLICE_OFFICER.national_id))
    page.goto(reverse("payments:manage"))
    checked(page)
    search = main.locator(f"form[action='{reverse('payments:manage')}']")
    search.locator("input[name=q]").fill(bill.reference)
    search.locator("button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/payments/manage/\?(?:.*&)?q=BILL-"))
    rows = main.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("th")).to_have_text(bill.reference)
    checked(page)
    rows.first.locator(f"a[href='{reverse('payments:manage-bill', args=[bill.reference])}']").click()

    expect_path(page, reverse("payments:manage-bill", args=[bill.reference]))
    expect(main.get_by_role("heading", level=1)).to_have_text(bill.reference)
    expect(main.get_by_text(re.compile(rf"^{transaction_id} \("))).to_be_visible()
    receipt_link = main.locator(f"a[href='{reverse('payments:receipt', args=[receipt.public_id])}']")
    expect(receipt_link).to_have_text(receipt.number)
    # Paid: nothing is left to take at the counter.
    cash = reverse("payments:manage-bill-cash", args=[bill.reference])
    expect(main.locator(f"form[action='{cash}']")).to_have_count(0)
    checked(page)


def test_the_fine_look_up_and_the_bill_page_work_without_javascript_in_thai_and_english(
    demo: None, page_without_js: Page, base_url: str
) -> None:
    page = page_without_js
    main = page.get_by_role("main")
    page.goto(reverse("payments:fine-lookup"))

    # A wrong plate gets the same answer as a wrong number, on the form, and nothing is issued.
    look_up(page, OTHER_TICKET.number, "9ฮฮ 9999")
    expect_path(page, reverse("payments:fine-lookup"))
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(main.locator(".govuk-form-group--error input[name=ticket_number]")).to_have_count(1)
    assert not Bill.objects.filter(subject_reference=OTHER_TICKET.number).exists()
    checked(page)
    look_up(page, OTHER_TICKET.number.lower(), OTHER_TICKET.plate)

    expect(page).to_have_url(BILL_PAGE)
    bill = fine_bill(OTHER_TICKET.number)
    payload = selectors.promptpay_payload(bill)
    expect(main.locator("figure.pracha-thai-qr svg")).to_be_visible()
    expect(main.locator("#promptpay-payload")).to_have_value(payload)
    expect(main.get_by_text(bill.ref1, exact=True)).to_have_count(1)  # in the details list
    # Without a script the page reloads itself until the payment arrives.
    expect(page.locator("head meta[http-equiv=refresh]")).to_have_attribute("content", "10")
    # No demo bank in this test: no link to it.
    expect(main.locator("a[href*='payload=']")).to_have_count(0)
    checked(page)

    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base_url}])
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(main.get_by_role("heading", level=1)).to_have_text(bill.description_en)
    expect(main.locator(".pracha-thai-qr__amount")).to_have_text(format_baht(FINE_SATANG, lang="en"))
    expect(main.locator("#promptpay-payload")).to_have_value(payload)
    checked(page)
