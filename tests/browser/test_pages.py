"""The public pages in real Chromium: language switch (with and without JavaScript), the agency
directory, the not-found page, each checked with axe-core."""

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import BrowserContext, Page, Response, expect

from pracha.accounts.tests.factories import UserFactory
from pracha.agencies.models import Agency
from pracha.agencies.tests.factories import AgencyFactory

from .axe import assert_no_axe_violations
from .budget import PAGE_BUDGET_KB, page_weight

pytestmark = pytest.mark.browser


def open_page(page: Page, path: str) -> Response:
    response = page.goto(path)
    assert response is not None
    return response


def failed_requests(page: Page) -> list[str]:
    """Start recording responses of 400 and above (a missing stylesheet, font or script)."""
    failures: list[str] = []
    page.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return failures


@pytest.fixture
def agencies() -> dict[str, Agency]:
    ministry = AgencyFactory.create(
        code="moi", kind=Agency.Kind.MINISTRY, name_th="กระทรวงมหาดไทย", name_en="Ministry of Interior"
    )
    department = AgencyFactory.create(
        code="dopa",
        kind=Agency.Kind.DEPARTMENT,
        parent=ministry,
        name_th="กรมการปกครอง",
        name_en="Department of Provincial Administration",
        phone="02 791 7000",
        email="contact@dopa.example",
        address_th="ถนนนครราชสีมา แขวงดุสิต เขตดุสิต กรุงเทพมหานคร",
        address_en="Nakhon Ratchasima Road, Dusit, Bangkok",
    )
    office = AgencyFactory.create(
        code="dopa-registration",
        kind=Agency.Kind.OFFICE,
        parent=department,
        name_th="สำนักบริหารการทะเบียน",
        name_en="Bureau of Registration Administration",
    )
    return {"ministry": ministry, "department": department, "office": office}


def test_home_is_thai_then_switches_to_english(page: Page) -> None:
    failures = failed_requests(page)
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    page.on("console", lambda msg: script_errors.append(msg.text) if msg.type == "error" else None)
    response = open_page(page, "/")

    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "th")
    switch = page.get_by_role("form", name=re.compile("Language|ภาษา"))
    expect(switch.locator("button[lang=th]")).to_have_attribute("aria-current", "true")
    expect(switch.locator("button[lang=en]")).to_have_text("English")
    expect(switch.locator("button[lang=th]")).to_have_text("ไทย")
    # The Thai font is the theme's, served from /static/fonts/sarabun/, and the lines are tall enough.
    page.evaluate("() => document.fonts.ready")
    assert page.evaluate("() => document.fonts.check('19px Sarabun', 'ประชา')") is True
    assert page.evaluate(
        "() => [...document.fonts].some(f => f.family.includes('Sarabun') && f.status === 'loaded')"
    )
    body = page.locator(".govuk-body").first
    ratio = body.evaluate(
        "e => parseFloat(getComputedStyle(e).lineHeight) / parseFloat(getComputedStyle(e).fontSize)"
    )
    assert round(ratio, 2) >= 1.6
    assert_no_axe_violations(page)

    switch.locator("button[lang=en]").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert urlsplit(page.url).path == "/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Pracha")
    expect(page.get_by_role("link", name="Directory of government agencies")).to_be_visible()
    expect(switch.locator("button[lang=en]")).to_have_attribute("aria-current", "true")
    assert_no_axe_violations(page)
    assert failures == []
    # The design system's script loaded and started without an error.
    assert script_errors == []
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))


def test_language_switch_works_without_javascript(page_without_js: Page, agencies: dict[str, Agency]) -> None:
    page = page_without_js
    open_page(page, "/agencies/dopa/")
    expect(page.get_by_role("heading", level=1)).to_have_text("กรมการปกครอง")
    assert_no_axe_violations(page)

    page.locator("form.pracha-language-switch button[lang=en]").click()

    # Back on the same page, now in English, and it stays English on the next page.
    assert page.url.endswith("/agencies/dopa/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Department of Provincial Administration")
    page.get_by_role("link", name="Ministry of Interior").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ministry of Interior")

    page.locator("form.pracha-language-switch button[lang=th]").click()

    expect(page.locator("html")).to_have_attribute("lang", "th")
    expect(page.get_by_role("heading", level=1)).to_have_text("กระทรวงมหาดไทย")
    assert_no_axe_violations(page)


def test_agency_directory_shows_the_hierarchy_and_leads_to_details(
    page: Page, agencies: dict[str, Agency]
) -> None:
    failures = failed_requests(page)
    open_page(page, "/agencies/")

    tree = page.locator("ul.pracha-tree")
    # Each level is a list nested in its parent's item, which screen readers announce as a level.
    expect(tree.locator(":scope > li > a")).to_have_text(["กระทรวงมหาดไทย"])
    expect(tree.locator(":scope > li > ul > li > a")).to_have_text(["กรมการปกครอง"])
    expect(tree.locator(":scope > li > ul > li > ul > li > a")).to_have_text(["สำนักบริหารการทะเบียน"])
    assert_no_axe_violations(page)

    page.get_by_role("link", name="กรมการปกครอง").click()

    assert page.url.endswith("/agencies/dopa/")
    expect(page.get_by_role("heading", level=1)).to_have_text("กรมการปกครอง")
    expect(page.locator("dd[lang=en]")).to_have_text("Department of Provincial Administration")
    expect(page.get_by_role("link", name="02 791 7000")).to_have_attribute("href", "tel:027917000")
    expect(page.get_by_role("link", name="contact@dopa.example")).to_have_attribute(
        "href", "mailto:contact@dopa.example"
    )
    expect(page.get_by_role("main").get_by_role("link", name="สำนักบริหารการทะเบียน")).to_be_visible()
    assert_no_axe_violations(page)
    assert failures == []


def test_signed_in_person_signs_out_with_the_header_button(
    page: Page, base_url: str, sign_in: Callable[[BrowserContext, Any], None]
) -> None:
    sign_in(page.context, UserFactory.create())
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base_url}])
    open_page(page, "/")
    navigation = page.get_by_role("navigation", name="Menu")
    expect(navigation.get_by_role("link", name="Sign in")).to_have_count(0)
    assert_no_axe_violations(page)

    navigation.get_by_role("button", name="Sign out").click()

    expect(page.get_by_role("alert")).to_contain_text("Success")
    expect(navigation.get_by_role("link", name="Sign in")).to_be_visible()
    expect(navigation.get_by_role("button", name="Sign out")).to_have_count(0)
    assert_no_axe_violations(page)


def test_not_found_page_is_friendly_and_accessible(page: Page) -> None:
    response = open_page(page, "/no-such-page/")

    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "th")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("main").get_by_role("link")).to_have_attribute("href", "/")
    assert_no_axe_violations(page)


def test_home_page_is_within_the_page_weight_budget(page: Page) -> None:
    sizes = page_weight(page, "/")

    total_kb = sum(sizes.values()) / 1024
    listing = "\n".join(f"  {size / 1024:7.1f} KB  {url}" for url, size in sorted(sizes.items()))
    assert total_kb <= PAGE_BUDGET_KB, f"{total_kb:.1f} KB is over the {PAGE_BUDGET_KB} KB budget:\n{listing}"
    # The page really loaded its style, script and Thai font (a budget met by failing to load is no budget).
    assert any(url.endswith("/static/build/pracha.css") for url in sizes)
    assert any(url.endswith("/static/govuk/govuk-frontend.min.js") for url in sizes)
    assert any(url.endswith("/sarabun-thai-400-normal.woff2") for url in sizes)
