"""Issue 3's journey in real Chromium, with JavaScript off and axe-core on every page: a citizen finds the
food-shop service, applies with a floor plan and a photo, is sent back to correct the shop's area and
sends the correction; an officer of the district office, signed in with a TOTP code, checks the
documents, passes the site inspection, approves, opens the fee's bill from the case page, records the fee
paid in cash there (the receipt is issued at once) and issues the permit; the citizen sees the permit's
number and validity.

The pages are found by addresses, form field names and the Thai texts of the service definition
(food-shop-permit.yaml), not by the platform's own texts, whose translations are still being written.
"""

import datetime
import io
import re
import struct
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfWriter

from pracha.accounts.models import User
from pracha.applications.models import Application, Holder
from pracha.core.money import format_baht
from pracha.core.thai_dates import buddhist_year, format_date
from pracha.payments.public import Bill, Receipt
from pracha.portal import demo_world

from .axe import assert_no_axe_violations

pytestmark = pytest.mark.browser

SERVICE = "food-shop-permit"
PEOPLE = {person.number: person for person in demo_world.PEOPLE}
CITIZEN = PEOPLE[2]  # สมหญิง รักไทยทดสอบ, of Bang Rak
OFFICER = PEOPLE[104]  # Bang Rak district office: reviewer, inspector, approver, cashier

# The Thai of food-shop-permit.yaml, as the citizen and the officer read it.
SERVICE_NAME = "ขอใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร"
SHOP_NAME = "ชื่อร้าน"
SHOP_ADDRESS = "ที่ตั้งร้าน"
DISTRICT = "เขตที่ร้านตั้งอยู่"
BANG_RAK = "เขตบางรัก"
SHOP_AREA = "พื้นที่ร้าน (ตารางเมตร)"
FLOOR_PLAN = "แบบแปลนร้านและผังการจัดวางพื้นที่"
SHOP_PHOTO = "รูปถ่ายหน้าร้านและบริเวณที่ปรุงอาหาร"
PERMIT_NAME = "ใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร"
DOCUMENT_CHECK = "ตรวจเอกสาร"
CORRECTION = "รอผู้ยื่นแก้ไขคำขอ"
PERMIT_ISSUED = "ออกใบอนุญาตแล้ว"

SEND_BACK_NOTE = "พื้นที่ร้านในแบบแปลนคือ 60 ตารางเมตร ไม่ใช่ 40 ตารางเมตร กรุณาแก้ไขให้ตรงกัน"
# 60 m²: the application fee, 100 baht, and the permit fee of a shop up to 200 m², 1,000 baht.
FEE_SATANG = 10_000 + 100_000
DRAFT_FORM = re.compile(r"/applications/[0-9a-f-]{36}/form/$")


@pytest.fixture
def demo(base_url: str) -> Iterator[None]:
    """The demo world with its published services, in the database the live server shares; no sign-in
    attempts counted from another test."""
    call_command("seed_demo", stdout=io.StringIO())
    cache.clear()
    yield
    cache.clear()


def make_pdf(tmp_path: Path) -> Path:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)  # A4, in points
    path = tmp_path / "floor-plan.pdf"
    with path.open("wb") as out:
        writer.write(out)
    return path


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def make_png(tmp_path: Path, width: int = 4, height: int = 3) -> Path:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    rows = b"".join(b"\x00" + b"\x00\x80\x00" * width for _ in range(height))  # filter 0, green pixels
    data = (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(rows))
        + _png_chunk(b"IEND", b"")
    )
    path = tmp_path / "shop-front.png"
    path.write_bytes(data)
    return path


def expect_path(page: Page, path: str) -> None:
    """The browser has arrived at path (after any redirect), whatever the query string or fragment."""
    expect(page).to_have_url(re.compile(rf"^https?://[^/]+{re.escape(path)}(?:[?#].*)?$"))


def checked(page: Page) -> Page:
    """axe-core finds nothing on the page as it is now; the page, to go on with."""
    assert_no_axe_violations(page)
    return page


def sign_in_with_the_form(page: Page, national_id: str) -> None:
    form = page.get_by_role("main").locator("form", has=page.locator("input[name=login]"))
    form.locator("input[name=login]").fill(national_id)
    form.locator("input[name=password]").fill(demo_world.DEMO_PASSWORD)
    form.locator("button[type=submit]").click()


def totp_code(secret: str) -> str:
    """The authenticator app's code now; if the 30-second period is about to end, the next one's."""
    if time.time() % 30 > 25:
        time.sleep(30 - time.time() % 30 + 0.5)
    return str(format_hotp_value(hotp_value(secret, int(time.time()) // 30)))


def submit(form: Locator) -> None:
    """Press the form's (only) submit button."""
    form.locator("button[type=submit]").click()


def case_action(page: Page, name: str) -> Locator:
    """The form on the case page that takes the workflow action `name`."""
    return page.get_by_role("main").locator("form", has=page.locator(f"input[name=action][value='{name}']"))


def take_action(page: Page, reference: str, name: str, *, state: str) -> None:
    """The officer takes a workflow action and is back on the case page, which says it was done."""
    submit(case_action(page, name))
    expect_path(page, reverse("backoffice:case", args=[reference]))
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    assert Application.objects.get(reference=reference).state == state
    checked(page)


def test_citizen_applies_is_sent_back_corrects_and_gets_the_permit_without_javascript(
    demo: None, new_page_without_js: Callable[[], Page], tmp_path: Path
) -> None:
    year = buddhist_year(timezone.localdate())
    reference = f"APP-{year}-000001"

    # --- the citizen finds the service and applies ----------------------------------------------------
    citizen = new_page_without_js()
    main = citizen.get_by_role("main")
    menu = citizen.get_by_role("navigation", name=re.compile("^(เมนู|Menu)$"))
    citizen.goto(reverse("account_login"))
    expect(citizen.locator("html")).to_have_attribute("lang", "th")
    checked(citizen)
    sign_in_with_the_form(citizen, CITIZEN.national_id)

    expect_path(citizen, reverse("accounts:my-account"))
    checked(citizen)
    menu.locator(f"a[href='{reverse('portal:home')}']").click()

    expect_path(citizen, reverse("portal:home"))
    checked(citizen)
    menu.locator(f"a[href='{reverse('catalogue:service-list')}']").click()

    expect_path(citizen, reverse("catalogue:service-list"))
    checked(citizen)
    search = main.locator("form", has=citizen.locator("input[name=q]"))
    search.locator("input[name=q]").fill("อาหาร")
    search.locator("input[name=q] ~ button[type=submit]").click()

    expect(citizen).to_have_url(re.compile(r"/services/\?(?:.*&)?q=%E0%B8%AD%E0%B8%B2%E0%B8%AB"))
    expect(main.locator("input[name=q]")).to_have_value("อาหาร")
    results = main.locator("ul[aria-labelledby=results-heading] > li")
    expect(results.get_by_role("link", name=SERVICE_NAME, exact=True)).to_have_count(1)
    checked(citizen)
    results.get_by_role("link", name=SERVICE_NAME, exact=True).click()

    expect_path(citizen, reverse("catalogue:service-detail", args=[SERVICE]))
    expect(citizen.get_by_role("heading", level=1)).to_have_text(SERVICE_NAME)
    checked(citizen)
    main.locator(f"a[href='{reverse('applications:start', args=[SERVICE])}']").first.click()

    expect_path(citizen, reverse("applications:start", args=[SERVICE]))
    checked(citizen)
    submit(main.locator(f"form[action='{reverse('applications:start', args=[SERVICE])}']"))

    expect(citizen).to_have_url(DRAFT_FORM)  # the draft is made before the database is asked about it
    draft = Application.objects.get(applicant__national_id=CITIZEN.national_id)
    assert (draft.holder, draft.reference) == (Holder.DRAFT, None)
    expect_path(citizen, reverse("applications:form", args=[draft.public_id]))
    checked(citizen)
    main.get_by_label(SHOP_NAME, exact=True).fill("ครัวบ้านสมหญิง")
    main.get_by_label(SHOP_ADDRESS, exact=True).fill("99 ซอยเจริญกรุง 36 ถนนเจริญกรุง แขวงบางรัก")
    main.get_by_role("group", name=DISTRICT).get_by_label(BANG_RAK, exact=True).check()
    main.get_by_label(SHOP_AREA, exact=True).fill("40")
    main.locator("button[name=save][value=continue]").click()

    # Documents: a real PDF as the floor plan, a real PNG as the photo; each upload comes back here.
    documents_path = reverse("applications:documents", args=[draft.public_id])
    expect_path(citizen, documents_path)
    checked(citizen)
    for code, path in (("floor-plan", make_pdf(tmp_path)), ("shop-photo", make_png(tmp_path))):
        section = main.locator(f"section[aria-labelledby='doc-{code}-title']")
        section.locator("input[type=file]").set_input_files(path)
        submit(section.locator("form"))
        expect_path(citizen, documents_path)
        expect(section.locator("a[download]")).to_have_text(path.name)
        checked(citizen)
    assert sorted(draft.documents.values_list("requirement", "original_name")) == [
        ("floor-plan", "floor-plan.pdf"),
        ("shop-photo", "shop-front.png"),
    ]
    main.locator(f"a.govuk-button[href='{reverse('applications:fees', args=[draft.public_id])}']").click()

    # Fees for 40 m²: 100 baht and the permit fee of a shop up to 50 m², 200 baht.
    expect_path(citizen, reverse("applications:fees", args=[draft.public_id]))
    expect(main.locator("table")).to_contain_text(format_baht(30_000, lang="th"))
    checked(citizen)
    main.locator(f"a.govuk-button[href='{reverse('applications:check', args=[draft.public_id])}']").click()

    expect_path(citizen, reverse("applications:check", args=[draft.public_id]))
    expect(main.locator(".govuk-summary-list__row", has_text=SHOP_AREA)).to_contain_text("40")
    expect(main.locator(".govuk-summary-list__row", has_text=DISTRICT)).to_contain_text(BANG_RAK)
    checked(citizen)
    declaration = main.locator("form", has=citizen.locator("input[name=declaration]"))
    declaration.locator("input[name=declaration]").check()
    submit(declaration)

    expect_path(citizen, reverse("applications:submitted", args=[reference]))
    expect(citizen.locator(".govuk-panel__body strong")).to_have_text(reference)
    checked(citizen)
    draft.refresh_from_db()
    assert (draft.reference, draft.state, draft.holder) == (reference, "document_check", Holder.AGENCY)
    assert draft.answers["shop_area_sqm"] == 40

    # --- the officer signs in with a TOTP code and sends it back --------------------------------------
    officer = new_page_without_js()
    desk = officer.get_by_role("main")
    officer.goto(reverse("backoffice:queue"))
    expect_path(officer, reverse("account_login"))
    checked(officer)
    sign_in_with_the_form(officer, OFFICER.national_id)

    expect_path(officer, reverse("mfa_authenticate"))
    checked(officer)
    secret = Authenticator.objects.get(
        user=User.objects.get(national_id=OFFICER.national_id), type=Authenticator.Type.TOTP
    ).data["secret"]
    code_form = desk.locator("form", has=officer.locator("input[name=code]"))
    code_form.locator("input[name=code]").fill(totp_code(secret))
    code_form.locator("button[type=submit]:not([form])").click()  # the other one cancels the sign-in

    expect_path(officer, reverse("backoffice:queue"))
    checked(officer)
    desk.get_by_role("link", name=reference, exact=True).click()

    case_path = reverse("backoffice:case", args=[reference])
    expect_path(officer, case_path)
    expect(officer.get_by_role("heading", level=1)).to_have_text(reference)
    expect(desk.locator(".govuk-tag").first).to_have_text(DOCUMENT_CHECK)
    checked(officer)
    submit(desk.locator(f"form[action='{reverse('backoffice:case-claim', args=[reference])}']"))

    expect_path(officer, case_path)
    release = reverse("backoffice:case-release", args=[reference])
    expect(desk.locator(f"form[action='{release}']")).to_have_count(1)
    checked(officer)
    assert Application.objects.get(reference=reference).assigned_to == User.objects.get(
        national_id=OFFICER.national_id
    )
    send_back = case_action(officer, "send_back")
    send_back.get_by_role("group").get_by_label(SHOP_AREA, exact=True).check()
    send_back.locator("textarea[name='action-send_back-note']").fill(SEND_BACK_NOTE)
    take_action(officer, reference, "send_back", state="correction")
    application = Application.objects.get(reference=reference)
    assert application.holder == Holder.APPLICANT
    assert application.corrections["fields"] == ["shop_area_sqm"]
    assert application.corrections["note"] == SEND_BACK_NOTE

    # --- the citizen sees it is back with them and corrects the area ----------------------------------
    menu.locator(f"a[href='{reverse('applications:my-applications')}']").click()

    expect_path(citizen, reverse("applications:my-applications"))
    row = main.locator("tr", has=citizen.get_by_role("link", name=re.compile(re.escape(reference))))
    expect(row).to_contain_text(CORRECTION)
    checked(citizen)
    row.get_by_role("link", name=re.compile(re.escape(reference))).click()

    expect_path(citizen, reverse("applications:detail", args=[reference]))
    banner = main.get_by_role("region").filter(has_text=SEND_BACK_NOTE)
    expect(banner).to_contain_text(SHOP_AREA)
    checked(citizen)
    banner.locator(f"a[href='{reverse('applications:corrections', args=[reference])}']").click()

    expect_path(citizen, reverse("applications:corrections", args=[reference]))
    expect(main.locator(".govuk-inset-text")).to_contain_text(SEND_BACK_NOTE)
    area = main.get_by_label(SHOP_AREA, exact=True)
    expect(area).to_have_value("40")
    # Only the marked answer can be changed; the others are shown as they are.
    expect(main.get_by_label(SHOP_NAME, exact=True)).to_have_count(0)
    expect(main.locator(".govuk-summary-list")).to_contain_text("ครัวบ้านสมหญิง")
    checked(citizen)
    area.fill("60")
    submit(main.locator("form", has=citizen.locator("input[name=shop_area_sqm]")))

    expect_path(citizen, reverse("applications:detail", args=[reference]))
    expect(citizen.locator(".govuk-notification-banner--success")).to_be_visible()
    checked(citizen)
    application.refresh_from_db()
    assert (application.state, application.holder) == ("document_check", Holder.AGENCY)
    assert application.answers["shop_area_sqm"] == 60

    # --- the officer checks, inspects, approves, takes the fee and issues the permit -------------------
    officer.goto(case_path)
    expect(desk.locator(".govuk-tag").first).to_have_text(DOCUMENT_CHECK)
    checked(officer)
    take_action(officer, reference, "accept", state="site_inspection")
    take_action(officer, reference, "pass", state="approval")
    take_action(officer, reference, "approve_for_payment", state="awaiting_payment")

    # The FeeDue announced on the commit has become a bill; the cashier takes the cash on its page.
    bill = Bill.objects.get(kind="application_fee", subject_reference=reference)
    bill_path = reverse("payments:manage-bill", args=[bill.reference])
    desk.locator(f"a.govuk-button[href='{bill_path}']").click()

    expect_path(officer, bill_path)
    checked(officer)
    cash = desk.locator(f"form[action='{reverse('payments:manage-bill-cash', args=[bill.reference])}']")
    expect(cash.locator("xpath=..")).to_contain_text(format_baht(FEE_SATANG, lang="th"))
    cash.locator("input[name=cash-amount]").fill("1,100")
    submit(cash)

    # The receipt is issued in the same transaction; its PaymentSettled moves the case on to "issue".
    receipt = Receipt.objects.get(payment__bill=bill)
    assert receipt.number == f"RC-BMA-BANG-RAK-{year}-000001"
    expect_path(officer, reverse("payments:receipt", args=[receipt.public_id]))
    expect(officer.locator(".govuk-notification-banner--success")).to_contain_text(receipt.number)
    checked(officer)
    application.refresh_from_db()
    assert (application.state, application.fee_total_satang) == ("issue", FEE_SATANG)
    assert list(application.payments.values_list("amount_satang", "receipt_number")) == [
        (FEE_SATANG, receipt.number)
    ]
    officer.goto(case_path)
    take_action(officer, reference, "issue", state="approved")

    # --- the citizen sees the permit ------------------------------------------------------------------
    permit_number = f"FSP-{year}-000001"
    today = timezone.localdate()
    valid_until = format_date(today + datetime.timedelta(days=365), lang="th")
    citizen.goto(reverse("applications:detail", args=[reference]))
    panel = main.locator(".govuk-panel--confirmation")
    expect(panel.get_by_role("heading", level=2)).to_have_text(PERMIT_NAME)
    expect(panel.locator("strong")).to_have_text(permit_number)
    validity = main.locator(".govuk-summary-list").first
    expect(validity).to_contain_text(format_date(today, lang="th"))
    expect(validity).to_contain_text(valid_until)
    expect(main.locator("strong.govuk-tag--green")).to_have_text(PERMIT_ISSUED)
    checked(citizen)
    menu.locator(f"a[href='{reverse('applications:my-applications')}']").click()

    expect_path(citizen, reverse("applications:my-applications"))
    permit_row = main.locator("tr", has_text=permit_number)
    expect(permit_row).to_have_count(1)
    expect(permit_row).to_contain_text(PERMIT_NAME)
    expect(permit_row).to_contain_text(valid_until)
    checked(citizen)


def test_the_form_step_shows_a_wrong_area_accessibly(demo: None, page: Page) -> None:
    """With JavaScript on: the error summary takes the focus and links to the field, which says what is
    wrong and keeps what was typed."""
    main = page.get_by_role("main")
    page.goto(reverse("applications:start", args=[SERVICE]))
    sign_in_with_the_form(page, CITIZEN.national_id)
    expect_path(page, reverse("applications:start", args=[SERVICE]))
    submit(main.locator(f"form[action='{reverse('applications:start', args=[SERVICE])}']"))
    expect(page).to_have_url(DRAFT_FORM)
    draft = Application.objects.get(applicant__national_id=CITIZEN.national_id)
    expect_path(page, reverse("applications:form", args=[draft.public_id]))
    main.get_by_label(SHOP_NAME, exact=True).fill("ครัวบ้านสมหญิง")
    main.get_by_label(SHOP_ADDRESS, exact=True).fill("99 ถนนเจริญกรุง แขวงบางรัก")
    main.get_by_role("group", name=DISTRICT).get_by_label(BANG_RAK, exact=True).check()
    area = main.get_by_label(SHOP_AREA, exact=True)
    area.fill("abc")
    main.locator("button[name=save][value=continue]").click()

    expect_path(page, reverse("applications:form", args=[draft.public_id]))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    links = summary.get_by_role("alert").get_by_role("link")
    expect(links).to_have_count(1)
    expect(links).to_have_attribute("href", "#id_shop_area_sqm")
    error = page.locator("#id_shop_area_sqm-error")
    expect(error).to_be_visible()
    expect(area).to_have_attribute("aria-describedby", re.compile(r"\bid_shop_area_sqm-error\b"))
    expect(area).to_have_value("abc")
    expect(main.get_by_label(SHOP_NAME, exact=True)).to_have_value("ครัวบ้านสมหญิง")
    expect(page).to_have_title(re.compile(r"^(ข้อผิดพลาด|Error):"))
    assert_no_axe_violations(page)
    draft.refresh_from_db()
    assert "shop_area_sqm" not in draft.answers

    links.click()
    expect(area).to_be_focused()
