"""A new citizen's whole journey in real Chromium: sign up in Thai (with a Buddhist-era year of birth),
confirm the e-mail address from the message sent, sign in with the national ID number, verify identity
against the population register (one wrong laser code first), sign out and in again, switch to English.
axe-core checks every page on the way. The essentials are repeated with JavaScript off.

The Thai texts are written out rather than looked up in the catalogue, so a page that falls back to
English, or a translation that goes missing, fails here.
"""

import datetime
import re
from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from pracha.accounts.models import AssuranceLevel, User
from pracha.core.thai_ids import format_thai_id, make_valid_id
from pracha.registries.public import PopulationRecord

from .axe import assert_no_axe_violations

pytestmark = pytest.mark.browser

NATIONAL_ID = make_valid_id("199990007001")
NATIONAL_ID_WITHOUT_JS = make_valid_id("199990007002")
PASSWORD = "a-long-pass-phrase-2569"
BIRTHDAY = datetime.date(1988, 3, 7)  # 7 3 2531 in the Buddhist era, as the person types it
LASER_CODE = "JT1234567890"  # the register stores it without the dashes printed on the card
PRINTED_LASER_CODE = "JT1-2345678-90"
WRONG_LASER_CODE = "JT1-2345678-91"

# The Thai of the pages' texts, as the person reads them.
TH = {
    "Pracha": "ประชา",
    "Create an account": "สมัครใช้งาน",
    "Create account": "สมัครใช้งาน",
    "Sign in": "เข้าสู่ระบบ",
    "Sign out": "ออกจากระบบ",
    "My account": "บัญชีของฉัน",
    "Verify your identity": "ยืนยันตัวตน",
    "Verify my identity": "ยืนยันตัวตน",
    "Laser code": "รหัสหลังบัตร (เลเซอร์โค้ด)",
    "Self-asserted": "ยังไม่ได้ยืนยันตัวตน",
    "Verified against the population register": "ยืนยันตัวตนกับทะเบียนราษฎรแล้ว",
    "Identity": "การยืนยันตัวตน",
    "There is a problem": "มีข้อมูลที่ต้องแก้ไข",
    "Error:": "ข้อผิดพลาด:",
    "Success": "สำเร็จ",
    "Language": "ภาษา",
    "Menu": "เมนู",
    "Signed out": "คุณได้ออกจากระบบแล้ว",
    # allauth's own texts, from its Thai catalogue.
    "Verify your e-mail address": "ยืนยันอีเมลของคุณ",
    "Confirm e-mail address": "ยืนยันอีเมล",
    "Confirm": "ยืนยัน",
    "E-mail subject": "[Pracha] กรุณายืนยันอีเมลของคุณ",
    "Verification failed": (
        "ยืนยันตัวตนด้วยข้อมูลนี้ไม่สำเร็จ กรุณาตรวจสอบว่าชื่อ นามสกุล และวันเกิดในหน้านี้ตรงกับบัตรประจำตัวประชาชน"
        "ทุกตัวอักษร และกรอกรหัสหลังบัตร (เลเซอร์โค้ด) ถูกต้อง"
    ),
    "Identity verified": "ยืนยันตัวตนกับทะเบียนราษฎรสำเร็จแล้ว",
    "Not a mobile number": "กรุณากรอกหมายเลขโทรศัพท์มือถือของไทย 10 หลักที่ขึ้นต้นด้วย 06, 08 หรือ 09 เช่น 081 234 5678",
}
SIGN_IN_LABELS_TH = ("เลขประจำตัวประชาชน", "รหัสผ่าน", TH["Sign in"])


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Iterator[None]:
    """allauth counts sign-ups, sign-ins and confirmation e-mails in the cache; start with none."""
    cache.clear()
    yield
    cache.clear()


def register(national_id: str) -> PopulationRecord:
    """The person in the population register, before they have an account."""
    assert not User.objects.filter(national_id=national_id).exists()
    return PopulationRecord.objects.create(
        national_id=national_id,
        title_th="นางสาว",
        first_name_th="สมศรี",
        last_name_th="รักษ์ไทย",
        first_name_en="Somsri",
        last_name_en="Rakthai",
        date_of_birth=BIRTHDAY,
        laser_code=LASER_CODE,
    )


def expect_path(page: Page, path: str) -> None:
    """The browser has arrived at path (after any redirect), whatever the query string."""
    expect(page).to_have_url(re.compile(rf"^https?://[^/]+{re.escape(path)}(?:\?.*)?$"))


def fill_signup_form(page: Page, record: PopulationRecord, *, email: str, phone: str) -> None:
    """Fill the Thai sign-up form by its labels, as printed on the card; the year in the Buddhist era."""
    form = page.get_by_role("main").locator("form")
    form.get_by_label("เลขประจำตัวประชาชน", exact=True).fill(format_thai_id(record.national_id))
    form.get_by_label("ชื่อภาษาไทย", exact=True).fill(record.first_name_th)
    form.get_by_label("นามสกุลภาษาไทย", exact=True).fill(record.last_name_th)
    form.get_by_label("ชื่อภาษาอังกฤษ", exact=True).fill(record.first_name_en)
    form.get_by_label("นามสกุลภาษาอังกฤษ", exact=True).fill(record.last_name_en)
    birthday = form.get_by_role("group", name="วันเกิด")
    birthday.get_by_label("วัน", exact=True).fill("7")
    birthday.get_by_label("เดือน", exact=True).fill("3")
    birthday.get_by_label("ปี", exact=True).fill("2531")
    form.get_by_label("หมายเลขโทรศัพท์มือถือ", exact=True).fill(phone)
    form.get_by_label("อีเมล", exact=True).fill(email)
    fill_passwords(form)


def fill_passwords(form: Locator) -> None:
    form.get_by_label("รหัสผ่าน", exact=True).fill(PASSWORD)
    form.get_by_label("รหัสผ่าน (อีกครั้ง)", exact=True).fill(PASSWORD)


def confirmation_link(base_url: str, email: str, *, subject: str) -> str:
    """The one message sent so far: to this address, in the language of the sign-up, with a link back to
    this server (the live server runs in this process, so the locmem backend's outbox is this one)."""
    assert [(message.to, message.subject) for message in mail.outbox] == [([email], subject)]
    links = re.findall(r"https?://\S+", str(mail.outbox[0].body))
    confirm = [link for link in links if "/accounts/confirm-email/" in link]
    assert len(confirm) == 1, links
    assert confirm[0].startswith(f"{base_url}/accounts/confirm-email/")
    return confirm[0]


def sign_in_with_the_form(page: Page, national_id: str, *, labels: tuple[str, str, str]) -> None:
    """labels: the national ID field's, the password field's and the button's, in the page's language."""
    national_id_label, password_label, button = labels
    form = page.get_by_role("main").locator("form")
    form.get_by_label(national_id_label, exact=True).fill(national_id)
    form.get_by_label(password_label, exact=True).fill(PASSWORD)
    form.get_by_role("button", name=button, exact=True).click()


def identity_tag(page: Page, label: str) -> Locator:
    """The identity status on my account: the tag in the summary list row labelled `label`."""
    row = page.locator(".govuk-summary-list__row").filter(has=page.get_by_text(label, exact=True))
    return row.locator("strong.govuk-tag")


def language_switch(page: Page, name: str) -> Locator:
    return page.get_by_role("form", name=name)


def test_new_citizen_signs_up_verifies_identity_signs_out_and_in_and_switches_to_english(
    page: Page, base_url: str
) -> None:
    record = register(NATIONAL_ID)
    email = "somsri@example.test"
    menu = page.get_by_role("navigation", name=TH["Menu"])
    main = page.get_by_role("main")

    # Home, in Thai by default.
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "th")
    assert_no_axe_violations(page)
    main.get_by_role("link", name=TH["Create an account"], exact=True).click()

    # Sign up.
    expect_path(page, reverse("account_signup"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TH["Create an account"])
    assert_no_axe_violations(page)
    fill_signup_form(page, record, email=email, phone="081-234-5678")
    main.get_by_role("button", name=TH["Create account"], exact=True).click()

    # "Verify your e-mail": the account exists, self-asserted, its date of birth typed as 2531 BE.
    expect_path(page, reverse("account_email_verification_sent"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TH["Verify your e-mail address"])
    expect(page.locator("html")).to_have_attribute("lang", "th")
    assert_no_axe_violations(page)
    user = User.objects.get(national_id=NATIONAL_ID)
    assert (user.first_name_th, user.last_name_th, user.first_name_en, user.last_name_en) == (
        "สมศรี",
        "รักษ์ไทย",
        "Somsri",
        "Rakthai",
    )
    assert (user.date_of_birth, user.phone, user.email) == (BIRTHDAY, "0812345678", email)
    assert (user.assurance_level, user.verified_at) == (AssuranceLevel.SELF_ASSERTED, None)

    # The link in the message opens the confirmation page; confirming leads to the sign-in page.
    page.goto(confirmation_link(base_url, email, subject=TH["E-mail subject"]))
    expect(page.get_by_role("heading", level=1)).to_have_text(TH["Confirm e-mail address"])
    expect(main).to_contain_text(email)
    assert_no_axe_violations(page)
    main.get_by_role("button", name=TH["Confirm"], exact=True).click()

    expect_path(page, reverse("account_login"))
    expect(page.get_by_role("alert")).to_have_text(re.compile(rf"^\s*{TH['Success']}\s+.*{re.escape(email)}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TH["Sign in"])
    assert_no_axe_violations(page)
    sign_in_with_the_form(page, NATIONAL_ID, labels=SIGN_IN_LABELS_TH)

    # My account: not verified yet.
    expect_path(page, reverse("accounts:my-account"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TH["My account"])
    expect(identity_tag(page, TH["Identity"])).to_have_text(TH["Self-asserted"])
    assert_no_axe_violations(page)
    main.get_by_role("link", name=TH["Verify your identity"], exact=True).click()

    # Verify identity: a wrong laser code first.
    expect_path(page, reverse("accounts:verify-identity"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TH["Verify your identity"])
    assert_no_axe_violations(page)
    laser_code = page.get_by_label(TH["Laser code"], exact=True)
    laser_code.fill(WRONG_LASER_CODE)
    main.get_by_role("button", name=TH["Verify my identity"], exact=True).click()

    expect(page).to_have_title(f"{TH['Error:']} {TH['Verify your identity']} – {TH['Pracha']}")
    summary = page.locator(".govuk-error-summary")
    alert = summary.get_by_role("alert")
    expect(alert.get_by_role("heading", level=2)).to_have_text(TH["There is a problem"])
    expect(alert.get_by_role("link")).to_have_text([TH["Verification failed"]])
    expect(alert.get_by_role("link")).to_have_attribute("href", "#id_laser_code")
    # The design system's script makes the summary focusable and moves the focus to it, so it is read first.
    expect(summary).to_have_attribute("tabindex", "-1")
    expect(summary).to_be_focused()
    expect(page.locator("#id_laser_code-error")).to_have_text(f"{TH['Error:']} {TH['Verification failed']}")
    expect(laser_code).to_have_attribute("aria-describedby", "id_laser_code-hint id_laser_code-error")
    expect(laser_code).to_have_value(WRONG_LASER_CODE)
    assert_no_axe_violations(page)
    user.refresh_from_db()
    assert (user.assurance_level, user.verified_at) == (AssuranceLevel.SELF_ASSERTED, None)

    # The summary's link leads to the field; then the laser code as printed on the card, with dashes.
    alert.get_by_role("link").click()
    expect(laser_code).to_be_focused()
    laser_code.fill(PRINTED_LASER_CODE)
    main.get_by_role("button", name=TH["Verify my identity"], exact=True).click()

    expect_path(page, reverse("accounts:my-account"))
    expect(page.get_by_role("alert")).to_have_text(
        re.compile(rf"^\s*{TH['Success']}\s+{TH['Identity verified']}\s*$")
    )
    expect(identity_tag(page, TH["Identity"])).to_have_text(TH["Verified against the population register"])
    expect(main.get_by_role("link", name=TH["Verify your identity"], exact=True)).to_have_count(0)
    assert_no_axe_violations(page)
    user.refresh_from_db()
    assert user.assurance_level == "verified"
    assert user.verified_at is not None

    # Sign out with the header's button: home, signed out, and my account asks to sign in again.
    menu.get_by_role("button", name=TH["Sign out"], exact=True).click()

    expect_path(page, reverse("portal:home"))
    expect(page.get_by_role("alert")).to_have_text(
        re.compile(rf"^\s*{TH['Success']}\s+{TH['Signed out']}\s*$")
    )
    expect(menu.get_by_role("button", name=TH["Sign out"], exact=True)).to_have_count(0)
    expect(menu.get_by_role("link", name=TH["My account"], exact=True)).to_have_count(0)
    expect(menu.get_by_role("link", name=TH["Sign in"], exact=True)).to_be_visible()
    assert_no_axe_violations(page)
    page.goto(reverse("accounts:my-account"))
    expect_path(page, reverse("account_login"))

    # Sign in again: back to my account, still verified.
    sign_in_with_the_form(page, NATIONAL_ID, labels=SIGN_IN_LABELS_TH)
    expect_path(page, reverse("accounts:my-account"))
    expect(identity_tag(page, TH["Identity"])).to_have_text(TH["Verified against the population register"])

    # Switch to English: the same page, now in English, and the next page too.
    language_switch(page, TH["Language"]).get_by_role("button", name="English", exact=True).click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect_path(page, reverse("accounts:my-account"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    expect(identity_tag(page, "Identity")).to_have_text("Verified against the population register")
    expect(language_switch(page, "Language").locator("button[lang=en]")).to_have_attribute(
        "aria-current", "true"
    )
    assert_no_axe_violations(page)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Home", exact=True).click()

    expect_path(page, reverse("portal:home"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pracha")
    expect(main.get_by_role("button", name="Go to my account", exact=True)).to_be_visible()
    assert_no_axe_violations(page)


def test_sign_up_with_a_mistake_and_the_language_switch_work_without_javascript(
    page_without_js: Page, base_url: str
) -> None:
    page = page_without_js
    main = page.get_by_role("main")
    record = register(NATIONAL_ID_WITHOUT_JS)
    email = "somsri.nojs@example.test"
    page.goto(reverse("account_signup"))
    expect(page.locator("html")).to_have_attribute("lang", "th")
    assert_no_axe_violations(page)

    # A landline number: the page comes back with the error summary and what was typed kept.
    fill_signup_form(page, record, email=email, phone="02 123 4567")
    main.get_by_role("button", name=TH["Create account"], exact=True).click()

    expect(page).to_have_title(f"{TH['Error:']} {TH['Create an account']} – {TH['Pracha']}")
    expect_path(page, reverse("account_signup"))
    alert = page.locator(".govuk-error-summary").get_by_role("alert")
    expect(alert.get_by_role("heading", level=2)).to_have_text(TH["There is a problem"])
    expect(alert.get_by_role("link")).to_have_text([TH["Not a mobile number"]])
    expect(alert.get_by_role("link")).to_have_attribute("href", "#id_phone")
    expect(page.locator("#id_phone-error")).to_have_text(f"{TH['Error:']} {TH['Not a mobile number']}")
    phone = main.get_by_label("หมายเลขโทรศัพท์มือถือ", exact=True)
    expect(phone).to_have_value("02 123 4567")
    expect(phone).to_have_attribute("aria-describedby", "id_phone-hint id_phone-error")
    expect(main.get_by_label("ชื่อภาษาไทย", exact=True)).to_have_value("สมศรี")
    expect(main.get_by_role("group", name="วันเกิด").get_by_label("ปี", exact=True)).to_have_value("2531")
    assert_no_axe_violations(page)
    assert not User.objects.filter(national_id=NATIONAL_ID_WITHOUT_JS).exists()
    assert mail.outbox == []

    # Corrected (passwords are never sent back, so typed again), the account is made.
    form = main.locator("form")
    phone.fill("0812345678")
    fill_passwords(form)
    form.get_by_role("button", name=TH["Create account"], exact=True).click()

    expect_path(page, reverse("account_email_verification_sent"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TH["Verify your e-mail address"])
    user = User.objects.get(national_id=NATIONAL_ID_WITHOUT_JS)
    assert (user.date_of_birth, user.phone) == (BIRTHDAY, "0812345678")

    # The language switch is a plain form: English on this page and on the next ones.
    language_switch(page, TH["Language"]).get_by_role("button", name="English", exact=True).click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect_path(page, reverse("account_email_verification_sent"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify Your Email Address")
    assert_no_axe_violations(page)
    page.goto(confirmation_link(base_url, email, subject=TH["E-mail subject"]))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    main.get_by_role("button", name="Confirm", exact=True).click()

    expect_path(page, reverse("account_login"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    sign_in_with_the_form(page, NATIONAL_ID_WITHOUT_JS, labels=("National ID number", "Password", "Sign in"))

    expect_path(page, reverse("accounts:my-account"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    expect(identity_tag(page, "Identity")).to_have_text("Self-asserted")
    assert_no_axe_violations(page)
