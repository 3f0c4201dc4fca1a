"""Issue 6's pages in real Chromium, with axe-core on every page: a person receives an in-app message,
sees the unread count in the header, opens the message (it is then read) and follows its link; turns
SMS off for payments and chooses English for messages; confirms an e-mail address with the code read
from the e-mail sent (a wrong code first); follows an agency's announcements. Then the same pages with
JavaScript off, in English: the language switch, the preferences, a message written in English because
of them, "mark all as read", and the e-mail address confirmed.

Pages are found by addresses, form field names and the test's data; where a text must be told apart,
it is the app's own message in the page's language.
"""

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import BrowserContext, Locator, Page, expect

from conftest import verified_email
from pracha.accounts.tests.factories import UserFactory
from pracha.agencies.tests.factories import AgencyFactory
from pracha.notifications.models import Message, Preference, Profile
from pracha.notifications.public import contacts_for, notify, subscriptions_for

from .axe import assert_no_axe_violations

pytestmark = pytest.mark.browser

INBOX = reverse("notifications:inbox")
PREFERENCES = reverse("notifications:preferences")
SUBSCRIPTIONS = reverse("portal:subscriptions")
WALLET = reverse("documents:wallet")
EMAIL_ADDRESS = "malee@example.com"
# SMS are offered (a gateway is configured) but nothing listens there: no test here sends one.
SMS_GATEWAY_URL = "http://127.0.0.1:9/"


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Iterator[None]:
    """Codes asked for and messages sent are counted in the cache; start with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def citizen(base_url: str, settings: Any) -> Any:
    """A person with an account, in the database the live server shares; SMS offered on the pages."""
    settings.PRACHA_SMS_GATEWAY_URL = SMS_GATEWAY_URL
    AgencyFactory(code="dga", name_th="สำนักงานพัฒนารัฐบาลดิจิทัล", name_en="Digital Government Agency")
    return verified_email(UserFactory())


def in_language(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


def document_ready(person: Any) -> Message:
    """What the documents app sends when a document is signed: an in-app message linking the wallet."""
    made = notify(
        kind="document_ready",
        recipient=person,
        agency_code="dga",
        context={"number": "RC-DGA-2569-000001", "title": {"th": "ใบรับรอง", "en": "Certificate"}},
        link=WALLET,
    )
    return next(message for message in made if message.channel == "inapp")


def checked(page: Page) -> Page:
    assert_no_axe_violations(page)
    return page


def expect_path(page: Page, path: str) -> None:
    expect(page).to_have_url(re.compile(rf"^https?://[^/]+{re.escape(path)}(?:[?#].*)?$"))


def submit(form: Locator) -> None:
    form.locator("button[type=submit]").first.click()


def inbox_link(page: Page) -> Locator:
    return page.locator(f"header nav a[href='{INBOX}']")


def unread_label(language: str, number: int) -> str:
    return in_language(language, "Inbox (%(number)s unread)") % {"number": number}


def sent_code(address: str) -> str:
    """The 6-digit code of the last e-mail sent to address (the live server shares this process's outbox)."""
    to_address = [message for message in mail.outbox if address in message.to]
    assert to_address, f"no e-mail to {address}"
    body = str(to_address[-1].body)
    assert "http" not in body  # a code never comes with a link
    found = re.findall(r"\b(\d{6})\b", body)
    assert found, body
    return str(found[0])


def confirm_email_address(page: Page, language: str) -> None:
    """From the preferences page: add the e-mail address, enter a wrong code, then the one e-mailed."""
    main = page.get_by_role("main")
    address_path = reverse("notifications:contact-address", args=["email"])
    confirm_path = reverse("notifications:contact-confirm", args=["email"])
    main.locator(f"a[href='{address_path}']").click()
    expect_path(page, address_path)
    checked(page)
    form = main.locator(f"form[action='{address_path}']")
    form.locator("input[name=address]").fill("Malee@Example.com ")
    submit(form)

    expect_path(page, confirm_path)
    expect(main).to_contain_text(EMAIL_ADDRESS)
    checked(page)
    code = sent_code(EMAIL_ADDRESS)
    form = main.locator(f"form[action='{confirm_path}']")
    form.locator("input[name=code]").fill("000000" if code != "000000" else "111111")
    submit(form)

    expect_path(page, confirm_path)
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(
        in_language(language, "That code is not right. Check the latest message we sent and try again.")
    )
    expect(summary.locator("a[href='#id_code']")).to_have_count(1)
    checked(page)
    form.locator("input[name=code]").fill(code)
    submit(form)

    expect_path(page, PREFERENCES)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(EMAIL_ADDRESS)
    expect(main.locator(".govuk-summary-list")).to_contain_text(EMAIL_ADDRESS)
    checked(page)


def test_a_message_in_the_inbox_preferences_a_confirmed_address_and_a_topic(
    citizen: Any, page: Page, sign_in: Callable[[BrowserContext, Any], None]
) -> None:
    message = document_ready(citizen)
    main = page.get_by_role("main")
    sign_in(page.context, citizen)

    # --- the header counts the unread message; the inbox shows it -----------------------------------
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "th")
    expect(inbox_link(page)).to_have_text(unread_label("th", 1))
    checked(page)
    inbox_link(page).click()

    expect_path(page, INBOX)
    row = main.locator("table tbody tr", has_text=message.subject)
    expect(row).to_have_count(1)
    expect(row.locator("strong.govuk-tag")).to_have_text(in_language("th", "Unread"))
    checked(page)
    message_path = reverse("notifications:message", args=[message.public_id])
    row.locator(f"a[href='{message_path}']").click()

    # --- opening it marks it read; its button leads to the document ------------------------------------
    expect_path(page, message_path)
    expect(main.get_by_role("heading", level=1)).to_have_text(message.subject)
    expect(inbox_link(page)).to_have_text(in_language("th", "Inbox"))
    checked(page)
    message.refresh_from_db()
    assert message.read_at is not None
    main.locator(f"a.govuk-button[href='{WALLET}']").click()
    expect_path(page, WALLET)

    page.goto(INBOX)
    expect(main.locator("table tbody tr strong.govuk-tag")).to_have_count(0)

    # --- preferences: no SMS about payments, messages in English ----------------------------------------
    page.goto(PREFERENCES)
    checked(page)
    form = main.locator(f"form[action='{PREFERENCES}']")
    legal = form.locator("input[name='application_approved-sms']")
    expect(legal).to_be_checked()
    expect(legal).to_be_disabled()
    form.locator("input[name='payment_received-sms']").uncheck()
    form.locator("input[name=language][value=en]").check()
    submit(form)

    expect_path(page, PREFERENCES)
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    expect(form.locator("input[name='payment_received-sms']")).not_to_be_checked()
    expect(form.locator("input[name='payment_received-email']")).to_be_checked()
    checked(page)
    assert set(Preference.objects.filter(user=citizen, enabled=False).values_list("kind", "channel")) == {
        ("payment_received", "sms")
    }
    assert Profile.objects.get(user=citizen).language == "en"

    # --- an e-mail address, confirmed with the code e-mailed ---------------------------------------------
    confirm_email_address(page, "th")
    contact = contacts_for(user=citizen)["email"]
    assert contact is not None and contact.address == EMAIL_ADDRESS

    # --- topics: an agency's announcements ----------------------------------------------------------------
    page.goto(SUBSCRIPTIONS)
    checked(page)
    topics = main.locator(f"form[action='{SUBSCRIPTIONS}']")
    topics.locator("input[name=agencies][value=dga]").check()
    submit(topics)
    expect_path(page, SUBSCRIPTIONS)
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    expect(topics.locator("input[name=agencies][value=dga]")).to_be_checked()
    checked(page)
    assert subscriptions_for(user=citizen) == ["agency:dga"]


def test_the_pages_work_without_javascript_in_english(
    citizen: Any, page_without_js: Page, sign_in: Callable[[BrowserContext, Any], None]
) -> None:
    page = page_without_js
    main = page.get_by_role("main")
    sign_in(page.context, citizen)
    page.goto(PREFERENCES)
    page.locator("form.pracha-language-switch button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect_path(page, PREFERENCES)
    checked(page)

    # --- messages in English, and no e-mail when a document is ready ------------------------------------
    form = main.locator(f"form[action='{PREFERENCES}']")
    form.locator("input[name=language][value=en]").check()
    form.locator("input[name='document_ready-email']").uncheck()
    submit(form)
    expect_path(page, PREFERENCES)
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    checked(page)

    # --- two messages, written in English because of that choice ------------------------------------------
    first, second = document_ready(citizen), document_ready(citizen)
    assert (first.language, second.language) == ("en", "en")
    page.goto(INBOX)
    expect(inbox_link(page)).to_have_text("Inbox (2 unread)")
    expect(main.locator("table tbody tr")).to_have_count(2)
    checked(page)
    main.locator(f"a[href='{reverse('notifications:message', args=[first.public_id])}']").click()
    expect(main.get_by_role("heading", level=1)).to_have_text(first.subject)
    expect(inbox_link(page)).to_have_text("Inbox (1 unread)")
    checked(page)
    main.locator(f"a.govuk-button[href='{WALLET}']").click()
    expect_path(page, WALLET)

    page.goto(INBOX)
    submit(main.locator(f"form[action='{reverse('notifications:mark-all-read')}']"))
    expect_path(page, INBOX)
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    expect(inbox_link(page)).to_have_text("Inbox")
    expect(main.locator("table tbody tr strong.govuk-tag")).to_have_count(0)
    checked(page)
    second.refresh_from_db()
    assert second.read_at is not None

    # --- the e-mail address, confirmed ------------------------------------------------------------------
    page.goto(PREFERENCES)
    confirm_email_address(page, "en")
