"""The messages desks in real Chromium, with axe-core: the undelivered messages desk, the template editor
(its Preview without JavaScript, its live SMS count with JavaScript) and the API keys page.

The pages are Thai (no language chosen); where a text must be matched it is the app's own wording in
Thai, whatever its translation is today."""

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import BrowserContext, Page, expect

from pracha.agencies.public import Role
from pracha.backoffice.views import sms_length_text
from pracha.notifications.models import Message
from pracha.notifications.public import sms_length
from pracha.notifications.tests.factories import MessageFactory

from .axe import assert_no_axe_violations

pytestmark = pytest.mark.browser

PERMISSIONS = ["notifications.view", "notifications.templates", "notifications.keys"]
TEMPLATE = reverse("backoffice:message-template", args=["application_received", "sms", "th"])
DOMAIN = settings.PRACHA_OFFICIAL_DOMAIN
SHORT = "ได้รับคำขอแล้ว ดูที่ ((domain))"
LONG = (
    "เราได้รับคำขอของคุณแล้ว เจ้าหน้าที่จะตรวจสอบเอกสารภายในสามวันทำการ "
    "และแจ้งผลให้ทราบทางข้อความนี้ ดูความคืบหน้าได้ที่ ((domain))"
)


def in_thai(text: Callable[[], str]) -> str:
    with translation.override("th"):
        return text()


def count_text(body: str) -> str:
    """What the editor says of this SMS's length, in Thai, with the domain filled in."""
    length = sms_length(body.replace("((domain))", DOMAIN))
    return in_thai(lambda: sms_length_text(length))


@pytest.fixture
def officer(people: dict[str, Any], base_url: str) -> Any:
    """officer_with of the matrix, with the three messages permissions at home-agency, and two messages
    of that agency that could not be delivered."""
    role = Role.objects.get(code="foundation-all")
    role.permissions = [*role.permissions, *PERMISSIONS]
    role.save()
    for channel, address, status in (
        ("sms", "+66899999001", Message.Status.PERMANENTLY_FAILED),
        ("email", "somchai@example.com", Message.Status.FAILED),
    ):
        MessageFactory(
            agency_code="home-agency",
            channel=channel,
            address=address,
            status=status,
            attempts=6 if status == Message.Status.FAILED else 1,
            failed_at=timezone.now(),
            last_error="invalid_number" if channel == "sms" else "SMTP: connection refused",
            next_attempt_at=None,
        )
    cache.clear()
    return people["officer_with"]


def test_the_desks_without_javascript(
    page_without_js: Page, sign_in: Callable[[BrowserContext, Any], None], officer: Any
) -> None:
    page = page_without_js
    sign_in(page.context, officer)

    page.goto(reverse("backoffice:messages-undelivered"))
    table = page.get_by_role("main").locator("table")
    expect(table).to_contain_text("+66 8x xxx 9001")
    expect(table).to_contain_text("s***@example.com")
    expect(table).not_to_contain_text("somchai@example.com")
    assert_no_axe_violations(page)

    page.goto(reverse("backoffice:message-templates"))
    assert_no_axe_violations(page)

    page.goto(TEMPLATE)
    expect(page.locator("#sms-count")).to_be_hidden()  # counted by the script, or by Preview
    page.locator("#id_body").fill(LONG)
    page.locator("button[name=action][value=preview]").click()
    expect(page.locator("#preview-sms-length")).to_have_text(count_text(LONG))
    assert sms_length(LONG.replace("((domain))", DOMAIN)).parts == 2
    expect(page.locator("#id_body")).to_have_value(LONG)  # the text typed is kept for editing
    assert_no_axe_violations(page)

    page.locator("#id_body").fill("ได้รับคำขอแล้ว ((nonsense))")
    page.locator("button[name=action][value=save]").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("((nonsense))")
    expect(summary).to_contain_text("((domain))")
    assert_no_axe_violations(page)

    page.goto(reverse("backoffice:message-keys"))
    assert_no_axe_violations(page)


def test_the_sms_count_follows_the_typing(
    page: Page, sign_in: Callable[[BrowserContext, Any], None], officer: Any
) -> None:
    sign_in(page.context, officer)
    page.goto(TEMPLATE)
    count = page.locator("#sms-count")
    expect(count).to_be_visible()
    expect(count).to_have_attribute("aria-live", "polite")

    body = page.locator("#id_body")
    body.fill(SHORT)
    expect(count).to_have_text(count_text(SHORT))
    assert sms_length(SHORT.replace("((domain))", DOMAIN)).parts == 1

    # Typed key by key past 70 characters: the SMS becomes two parts of 67.
    typed = " เจ้าหน้าที่จะตรวจสอบเอกสารภายในสามวันทำการ"
    body.press_sequentially(typed, delay=10)
    expect(count).to_have_text(count_text(SHORT + typed))
    assert sms_length((SHORT + typed).replace("((domain))", DOMAIN)).parts == 2

    body.fill(LONG)
    expect(count).to_have_text(count_text(LONG))

    # A surrogate pair is never split between two parts, in the page as on the server.
    boundary = "ก" * 66 + "😀" + "ก" * 66
    body.fill(boundary)
    expect(count).to_have_text(count_text(boundary))
    assert sms_length(boundary).parts == 3

    english = "Your application was received. Details at ((domain))."
    body.fill(english)
    expect(count).to_have_text(count_text(english))
    assert sms_length(english.replace("((domain))", DOMAIN)).encoding == "GSM-7"
    assert_no_axe_violations(page)
