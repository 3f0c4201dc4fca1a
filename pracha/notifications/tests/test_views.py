"""The person's notification pages: the inbox, a message, the preferences and the contact details with
their one-time code. The authorization matrix: anonymous people are sent to sign in; everyone signed in,
officers too, sees and changes only their own messages and choices; another person's message is 404 and
stays unread."""

import datetime
import re
import uuid
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from pracha.audit.public import AuditEntry
from pracha.core.thai_dates import format_datetime
from pracha.notifications.models import Contact, Message, Preference, Profile
from pracha.notifications.public import (
    KINDS,
    contact_confirmed,
    contacts_for,
    notify,
    preferences_for,
    unread_count,
)

INBOX = reverse("notifications:inbox")
MARK_ALL = reverse("notifications:mark-all-read")
PREFERENCES = reverse("notifications:preferences")
NO_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"
LINK = "/applications/APP-2569-000123/"
PREFERENCE_KINDS = [code for code, kind in KINDS.items() if kind.preference]
LEGAL_KINDS = [code for code in PREFERENCE_KINDS if KINDS[code].legal]
CHOOSABLE_KINDS = [code for code in PREFERENCE_KINDS if not KINDS[code].legal]
EMAIL_ADDRESS = "somchai@example.com"
MOBILE = "+66812345678"


# Everyone of the authorization matrix but the owner (conftest `people`).
NOT_THE_OWNER = ["anonymous", "other_citizen", "officer_without", "officer_with", "officer_other_agency"]

# Nothing listens there: SMS are offered, and none is sent (the tests that send run only e-mail's tasks).
SMS_GATEWAY_URL = "http://127.0.0.1:9/"


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Any:
    """Codes asked for are counted in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def sms_gateway(settings: Any) -> None:
    """The platform has an SMS gateway (tests of a platform without one set it back to "")."""
    settings.PRACHA_SMS_GATEWAY_URL = SMS_GATEWAY_URL


def client_for(user: Any, *, language: str = "en") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if getattr(user, "is_authenticated", False):
        client.force_login(user)
    return client


def login_redirect(url: str) -> str:
    return f"{reverse('account_login')}?next={url}"


def gettext_in(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


def in_thai(text: Any) -> str:
    with translation.override("th"):
        return str(text)


def page_errors(response: Any) -> dict[str, list[str]]:
    """The errors of the page's form, in the page's language."""
    form = response.context["form"]
    with translation.override(response.headers["Content-Language"]):
        return {name: [str(error) for error in errors] for name, errors in form.errors.items()}


def inapp(user: Any, **fields: Any) -> Message:
    """An in-app message to user, as notify() stores it, with the fields given."""
    values: dict[str, Any] = {
        "kind": "application_received",
        "channel": "inapp",
        "recipient": user,
        "language": "en",
        "subject": "Your application APP-2569-000123 was received",
        "body": "We received your application.",
        "link": LINK,
        "agency_code": "home-agency",
        "status": Message.Status.DELIVERED,
    }
    values.update(fields)
    return Message.objects.create(**values)


def notified(user: Any) -> Message:
    """The in-app message of an application received, made by the notifications service."""
    made = notify(
        kind="application_received",
        recipient=user,
        agency_code="home-agency",
        context={
            "reference": "APP-2569-000123",
            "service": {"th": "ใบอนุญาตร้านอาหาร", "en": "Food shop permit"},
        },
        link=LINK,
    )
    return next(message for message in made if message.channel == "inapp")


def message_url(message: Message) -> str:
    return reverse("notifications:message", args=[message.public_id])


def contact_url(name: str, channel: str) -> str:
    return reverse(f"notifications:{name}", args=[channel])


def html_of(response: Any) -> str:
    return response.content.decode()


def main_of(response: Any) -> str:
    return html_of(response).split('<main class="govuk-main-wrapper" id="main-content">', 1)[1]


def contact_list(response: Any) -> str:
    """The list of "Where we send messages" on the preferences page."""
    match = re.search(r'<dl class="govuk-summary-list">.*?</dl>', main_of(response), re.S)
    assert match is not None
    return match.group(0)


def nav_inbox(html: str) -> str:
    """The text of the navigation's inbox link, spaces collapsed."""
    match = re.search(rf'<a class="govuk-service-navigation__link" href="{INBOX}"[^>]*>(.*?)</a>', html, re.S)
    assert match is not None, "no inbox link in the navigation"
    return " ".join(re.sub(r"<[^>]+>", "", match.group(1)).split())


# --- who may open what --------------------------------------------------------------------------------


def every_page() -> list[tuple[str, str]]:
    some_message = reverse("notifications:message", args=[uuid.uuid4()])
    return [
        ("get", INBOX),
        ("post", MARK_ALL),
        ("get", some_message),
        ("get", PREFERENCES),
        ("post", PREFERENCES),
        ("get", contact_url("contact-address", "email")),
        ("post", contact_url("contact-address", "sms")),
        ("get", contact_url("contact-confirm", "email")),
        ("post", contact_url("contact-confirm", "email")),
        ("post", contact_url("contact-remove", "email")),
    ]


@pytest.mark.parametrize(("method", "url"), every_page())
def test_anonymous_people_are_sent_to_sign_in(people, method, url):
    response = getattr(client_for(people["anonymous"]), method)(url)
    assert response.status_code == 302
    assert response["Location"] == login_redirect(url)


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", MARK_ALL),
        ("post", INBOX),
        ("get", contact_url("contact-remove", "email")),
    ],
)
def test_each_page_takes_only_its_methods(people, method, url):
    assert getattr(client_for(people["owner"]), method)(url).status_code == 405


@pytest.mark.parametrize("channel", ["inapp", "fax", "EMAIL"])
def test_contact_pages_exist_only_for_email_and_sms(people, channel):
    client = client_for(people["owner"])
    assert client.get(contact_url("contact-address", channel)).status_code == 404
    assert client.post(contact_url("contact-remove", channel)).status_code == 404


# --- the inbox -----------------------------------------------------------------------------------------


def test_the_inbox_lists_the_persons_messages_newest_first_with_the_unread_ones_marked(people):
    owner = people["owner"]
    older = inapp(owner, subject="Your payment was received", read_at=timezone.now())
    newer = inapp(owner, subject="Your application needs something more from you")
    Message.objects.filter(pk=older.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    inapp(people["other_citizen"], subject="Someone else's news")
    inapp(owner, channel="email", address="x@example.com", subject="An e-mail, not for the inbox")

    response = client_for(owner).get(INBOX)
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_CACHE
    assert [message.pk for message in response.context["page"].object_list] == [newer.pk, older.pk]
    main = main_of(response)
    assert '<h1 class="govuk-heading-l">Inbox</h1>' in main
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', main, re.S)[1:]
    assert len(rows) == 2
    assert '<strong class="govuk-tag govuk-tag--blue">Unread</strong>' in rows[0]
    assert f'href="{message_url(newer)}">Your application needs something more from you</a>' in rows[0]
    assert format_datetime(newer.created_at, lang="en") in rows[0]
    assert "Unread" not in rows[1]
    assert f'href="{message_url(older)}">Your payment was received</a>' in rows[1]
    assert "Someone else" not in main
    assert "An e-mail" not in main
    assert "Mark all as read" in main


def test_the_inbox_is_paged(people):
    owner = people["owner"]
    for number in range(23):
        inapp(owner, subject=f"Message {number}")
    first = client_for(owner).get(INBOX)
    assert len(first.context["page"].object_list) == 20
    assert 'href="?page=2"' in html_of(first)
    second = client_for(owner).get(INBOX, {"page": "2"})
    assert len(second.context["page"].object_list) == 3


def test_an_empty_inbox_says_so(people):
    response = client_for(people["owner"]).get(INBOX)
    main = main_of(response)
    assert (
        "You have no messages yet. When an agency tells you about an application, a payment or a document, "
        "the message appears here."
    ) in main
    assert "<table" not in main
    assert "Mark all as read" not in main


def test_no_mark_all_button_when_everything_is_read(people):
    inapp(people["owner"], read_at=timezone.now())
    assert "Mark all as read" not in main_of(client_for(people["owner"]).get(INBOX))


@pytest.mark.parametrize("who", ["other_citizen", "officer_without", "officer_with", "officer_other_agency"])
def test_everyone_sees_only_their_own_inbox(people, who):
    inapp(people["owner"], subject="The owner's message")
    mine = inapp(people[who], subject="My own message")
    response = client_for(people[who]).get(INBOX)
    assert [message.pk for message in response.context["page"].object_list] == [mine.pk]
    assert "The owner" not in html_of(response)


def test_the_inbox_in_thai_with_the_buddhist_era(people):
    message = inapp(people["owner"], language="th", subject="ได้รับคำขอของคุณแล้ว")
    html = html_of(client_for(people["owner"], language="th").get(INBOX))
    assert '<html lang="th"' in html
    assert f'<h1 class="govuk-heading-l">{gettext_in("th", "Inbox")}</h1>' in html
    assert f'<strong class="govuk-tag govuk-tag--blue">{gettext_in("th", "Unread")}</strong>' in html
    assert format_datetime(message.created_at, lang="th") in html
    assert str(message.created_at.year + 543) in html


# --- the header ----------------------------------------------------------------------------------------


def test_the_header_says_how_many_messages_are_unread(people):
    owner = people["owner"]
    assert nav_inbox(html_of(client_for(owner).get("/"))) == "Inbox"
    inapp(owner)
    inapp(owner)
    inapp(owner, read_at=timezone.now())
    inapp(people["other_citizen"])
    assert nav_inbox(html_of(client_for(owner).get("/"))) == "Inbox (2 unread)"
    thai = nav_inbox(html_of(client_for(owner, language="th").get("/")))
    assert thai == gettext_in("th", "Inbox (%(number)s unread)") % {"number": 2}


def test_the_header_has_no_inbox_for_anonymous_people(people):
    assert f'href="{INBOX}"' not in html_of(client_for(people["anonymous"]).get("/"))


# --- one message ---------------------------------------------------------------------------------------


def test_opening_a_message_shows_it_and_marks_it_read(people):
    owner = people["owner"]
    message = inapp(
        owner,
        subject="Your application <APP-2569-000123> was received",
        body="Line one & more\nLine two <script>alert(1)</script>",
    )
    response = client_for(owner).get(message_url(message))
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_CACHE
    main = main_of(response)
    assert '<h1 class="govuk-heading-l">Your application &lt;APP-2569-000123&gt; was received</h1>' in main
    assert "Line one &amp; more<br>Line two &lt;script&gt;alert(1)&lt;/script&gt;" in main
    assert "<script>alert" not in main
    assert f"Received on {format_datetime(message.created_at, lang='en')}" in main
    assert (
        f'<a href="{LINK}" role="button" draggable="false" class="govuk-button" data-module="govuk-button">'
        "See your application</a>"
    ) in main
    message.refresh_from_db()
    assert message.read_at is not None
    # The header counts it read at once.
    assert nav_inbox(html_of(response)) == "Inbox"


def test_opening_a_read_message_again_keeps_when_it_was_read(people):
    read_at = timezone.now() - datetime.timedelta(days=1)
    message = inapp(people["owner"], read_at=read_at)
    assert client_for(people["owner"]).get(message_url(message)).status_code == 200
    message.refresh_from_db()
    assert message.read_at == read_at


def test_a_message_made_by_notify_opens_with_its_link(people):
    owner = people["owner"]
    message = notified(owner)
    response = client_for(owner).get(message_url(message))
    assert response.status_code == 200
    main = main_of(response)
    assert f'<h1 class="govuk-heading-l">{escape(message.subject)}</h1>' in main
    assert f'<a href="{LINK}" role="button"' in main


@pytest.mark.parametrize("link", ["", "https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_no_button_to_anywhere_but_this_site(people, link):
    message = inapp(people["owner"], link=link)
    main = main_of(client_for(people["owner"]).get(message_url(message)))
    assert 'role="button"' not in main
    assert "evil.example" not in main


@pytest.mark.parametrize("who", ["other_citizen", "officer_with", "officer_other_agency", "officer_without"])
def test_another_persons_message_is_not_found_and_stays_unread(people, who):
    message = inapp(people["owner"])
    response = client_for(people[who]).get(message_url(message))
    assert response.status_code == 404
    assert "Your application" not in html_of(response)
    message.refresh_from_db()
    assert message.read_at is None


def test_an_unknown_message_is_not_found(people):
    assert (
        client_for(people["owner"]).get(reverse("notifications:message", args=[uuid.uuid4()])).status_code
        == 404
    )


def test_an_email_message_is_not_an_inbox_page(people):
    message = inapp(people["owner"], channel="email", address="x@example.com")
    assert client_for(people["owner"]).get(message_url(message)).status_code == 404
    message.refresh_from_db()
    assert message.read_at is None


def test_a_message_in_thai(people):
    message = inapp(people["owner"], language="th", subject="ได้รับคำขอของคุณแล้ว", body="บรรทัดแรก\nบรรทัดสอง")
    main = main_of(client_for(people["owner"], language="th").get(message_url(message)))
    assert '<h1 class="govuk-heading-l">ได้รับคำขอของคุณแล้ว</h1>' in main
    assert "บรรทัดแรก<br>บรรทัดสอง" in main
    assert format_datetime(message.created_at, lang="th") in main
    assert f">{gettext_in('th', 'See your application')}</a>" in main


def test_a_fee_to_pay_opens_its_bill_with_a_pay_button(people):
    bill = "/payments/bills/8f2b0c1e-5d3a-4e1b-9c7d-2a6f4e8b1c3d/"
    message = inapp(people["owner"], kind="payment_due", language="th", link=bill)
    main = main_of(client_for(people["owner"], language="th").get(message_url(message)))
    assert f'<a href="{bill}" role="button" draggable="false" class="govuk-button"' in main
    assert f'data-module="govuk-button">{gettext_in("th", "Pay now")}</a>' in main


# --- mark all as read ----------------------------------------------------------------------------------


def test_mark_all_as_read(people):
    owner = people["owner"]
    first, second = inapp(owner), inapp(owner)
    earlier = timezone.now() - datetime.timedelta(days=3)
    already = inapp(owner, read_at=earlier)
    theirs = inapp(people["other_citizen"])
    client = client_for(owner)
    response = client.post(MARK_ALL)
    assert response.status_code == 302
    assert response["Location"] == INBOX
    for message in (first, second):
        message.refresh_from_db()
        assert message.read_at is not None
    already.refresh_from_db()
    assert already.read_at == earlier
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert unread_count(user=owner) == 0
    assert unread_count(user=people["other_citizen"]) == 1
    page = client.get(INBOX)
    assert "2 messages have been marked as read." in html_of(page)
    assert nav_inbox(html_of(page)) == "Inbox"


@pytest.mark.parametrize("who", NOT_THE_OWNER)
def test_marking_all_read_touches_only_ones_own(people, who):
    message = inapp(people["owner"])
    signed_in = who != "anonymous"
    theirs = inapp(people[who]) if signed_in else None
    response = client_for(people[who]).post(MARK_ALL)
    assert response.status_code == 302
    assert response["Location"] == (INBOX if signed_in else login_redirect(MARK_ALL))
    message.refresh_from_db()
    assert message.read_at is None
    assert unread_count(user=people["owner"]) == 1
    if theirs is not None:
        theirs.refresh_from_db()
        assert theirs.read_at is not None
    else:
        assert not AuditEntry.objects.filter(action="notifications.messages_read_all").exists()


# --- preferences ---------------------------------------------------------------------------------------


def box(kind: str, channel: str, *, checked: bool = True, legal: bool = False) -> str:
    attributes = (
        f' checked disabled aria-describedby="legal-{kind}"' if legal else (" checked" if checked else "")
    )
    return (
        f'<input class="govuk-checkboxes__input" type="checkbox" id="id_{kind}-{channel}" '
        f'name="{kind}-{channel}"{attributes}>'
    )


def preferences_post(
    language: str = "th", off: tuple[tuple[str, str], ...] = (), **extra: str
) -> dict[str, str]:
    """What the page sends: the language and every box ticked but those in `off` (legal ones never)."""
    data = {"language": language}
    for kind in CHOOSABLE_KINDS:
        for channel in ("email", "sms"):
            if (kind, channel) not in off:
                data[f"{kind}-{channel}"] = "on"
    data.update(extra)
    return data


def switched_off(user: Any) -> set[tuple[str, str]]:
    return set(Preference.objects.filter(user=user, enabled=False).values_list("kind", "channel"))


def test_the_preferences_page_shows_every_kind_with_email_and_sms(people):
    response = client_for(people["owner"]).get(PREFERENCES)
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_CACHE
    main = main_of(response)
    assert '<h1 class="govuk-heading-l">How you get messages</h1>' in main
    assert "Every message also goes to your inbox on Pracha. That cannot be turned off" in main
    for kind in CHOOSABLE_KINDS:
        assert str(KINDS[kind].label) in main
        assert box(kind, "email") in main
        assert box(kind, "sms") in main
    for kind in LEGAL_KINDS:
        assert box(kind, "email", legal=True) in main
        assert box(kind, "sms", legal=True) in main
        assert (
            f'<span class="govuk-body-s govuk-!-margin-bottom-0" id="legal-{kind}">'
            "Always sent (legal notice)</span>" in main
        )
    assert "contact_verification" not in main  # a code goes only where it was asked for
    assert 'type="radio" value="th" checked' in main
    assert 'type="radio" value="en">' in main
    # Nothing confirmed yet: messages go only to the inbox, and the page says so.
    assert "You have not confirmed an e-mail address or a mobile number yet" in main
    assert "No e-mail address confirmed" in main
    assert "No mobile number confirmed" in main
    assert "A message with a code never contains a link" in main


def test_turning_sms_off_for_a_kind_keeps_the_rest_on(people):
    owner = people["owner"]
    client = client_for(owner)
    response = client.post(PREFERENCES, preferences_post(off=(("payment_received", "sms"),)))
    assert response.status_code == 302
    assert response["Location"] == PREFERENCES
    assert switched_off(owner) == {("payment_received", "sms")}
    assert switched_off(people["other_citizen"]) == set()
    page = client.get(PREFERENCES)
    main = main_of(page)
    assert "Your choices have been saved." in html_of(page)
    assert box("payment_received", "sms", checked=False) in main
    assert box("payment_received", "email") in main
    assert AuditEntry.objects.filter(action="notifications.preferences").count() == 1


def test_turning_a_channel_back_on(people):
    owner = people["owner"]
    client = client_for(owner)
    client.post(PREFERENCES, preferences_post(off=(("document_ready", "email"), ("document_ready", "sms"))))
    assert switched_off(owner) == {("document_ready", "email"), ("document_ready", "sms")}
    client.post(PREFERENCES, preferences_post(off=(("document_ready", "sms"),)))
    assert switched_off(owner) == {("document_ready", "sms")}


def test_legal_notices_stay_on_when_their_disabled_boxes_are_not_sent(people):
    owner = people["owner"]
    off = tuple((kind, channel) for kind in CHOOSABLE_KINDS for channel in ("email", "sms"))
    response = client_for(owner).post(PREFERENCES, preferences_post(off=off))
    assert response.status_code == 302
    assert switched_off(owner) == set(off)
    table = preferences_for(user=owner)
    legal_rows = [row for row in table.rows if row.legal]
    assert {row.kind for row in legal_rows} == set(LEGAL_KINDS)
    assert all(row.email and row.sms for row in legal_rows)


@pytest.mark.parametrize("value", ["false", "0", "off", ""])
def test_a_forged_post_turning_a_legal_notice_off_is_refused_and_changes_nothing(people, value):
    owner = people["owner"]
    Profile.objects.create(user=owner, language="th")
    data = preferences_post(
        language="en", off=(("payment_received", "sms"),), **{"application_approved-sms": value}
    )
    client = client_for(owner)
    before = AuditEntry.objects.count()
    response = client.post(PREFERENCES, data)
    assert response.status_code == 200
    errors = page_errors(response)
    assert list(errors) == ["__all__"]
    html = html_of(response)
    assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in html
    assert f"<li>{errors['__all__'][0]}</li>" in html
    assert "<title>Error: " in html
    assert switched_off(owner) == set()
    assert Profile.objects.get(user=owner).language == "th"
    assert AuditEntry.objects.count() == before


def test_a_legal_notices_box_sent_ticked_changes_nothing_about_it(people):
    owner = people["owner"]
    data = preferences_post(off=(("payment_received", "sms"),), **{"application_approved-sms": "on"})
    assert client_for(owner).post(PREFERENCES, data).status_code == 302
    assert switched_off(owner) == {("payment_received", "sms")}


def test_choosing_english_for_messages(people):
    owner = people["owner"]
    response = client_for(owner, language="th").post(PREFERENCES, preferences_post(language="en"))
    assert response.status_code == 302
    assert preferences_for(user=owner).language == "en"
    assert 'type="radio" value="en" checked' in main_of(client_for(owner).get(PREFERENCES))
    # The next message is written in English, whatever language the pages are in.
    assert notified(owner).language == "en"


@pytest.mark.parametrize("language", ["fr", ""])
def test_a_language_not_offered_is_refused(people, language):
    owner = people["owner"]
    response = client_for(owner).post(
        PREFERENCES, preferences_post(language=language, off=(("payment_received", "sms"),))
    )
    assert response.status_code == 200
    assert page_errors(response) == {"language": ["Choose the language of your messages."]}
    assert switched_off(owner) == set()


def test_the_preferences_page_in_thai(people):
    main = main_of(client_for(people["owner"], language="th").get(PREFERENCES))
    assert f'<h1 class="govuk-heading-l">{gettext_in("th", "How you get messages")}</h1>' in main
    assert gettext_in("th", "Always sent (legal notice)") in main
    assert in_thai(KINDS["payment_received"].label) in main


@pytest.mark.parametrize("who", NOT_THE_OWNER)
def test_everyone_changes_only_their_own_preferences(people, who):
    person = people[who]
    response = client_for(person).post(
        PREFERENCES, preferences_post(language="en", off=(("document_ready", "email"),))
    )
    assert response.status_code == 302
    assert switched_off(people["owner"]) == set()
    assert preferences_for(user=people["owner"]).language == "th"
    if who == "anonymous":
        assert response["Location"] == login_redirect(PREFERENCES)
        assert not Preference.objects.exists() and not Profile.objects.exists()
        assert not AuditEntry.objects.filter(action="notifications.preferences").exists()
    else:
        assert response["Location"] == PREFERENCES
        assert switched_off(person) == {("document_ready", "email")}
        assert preferences_for(user=person).language == "en"


# --- contact details -----------------------------------------------------------------------------------


def sent_code(address: str) -> str:
    """The 6-digit code in the last e-mail sent to address."""
    to_address = [message for message in mail.outbox if address in message.to]
    assert to_address, f"no e-mail to {address}"
    found = re.findall(r"\b(\d{6})\b", str(to_address[-1].body))
    assert found, to_address[-1].body
    return str(found[0])


def ask_for_code(client: Any, channel: str, address: str, capture: Any) -> Any:
    with capture(execute=True):
        return client.post(contact_url("contact-address", channel), {"address": address})


def test_confirming_an_email_address_with_the_code_we_send(people, django_capture_on_commit_callbacks):
    owner = people["owner"]
    client = client_for(owner)
    page = client.get(contact_url("contact-address", "email"))
    assert page.status_code == 200
    assert '<input type="email" name="address"' in html_of(page)

    response = ask_for_code(client, "email", "  Somchai@Example.com ", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == contact_url("contact-confirm", "email")
    contact = contacts_for(user=owner)["email"]
    assert contact is not None
    assert (contact.address, contact.pending_address) == ("", EMAIL_ADDRESS)
    code = sent_code(EMAIL_ADDRESS)
    assert "http" not in mail.outbox[-1].body  # a code never comes with a link

    confirm = client.get(contact_url("contact-confirm", "email"))
    assert confirm.status_code == 200
    assert f"We have sent a 6-digit code to {EMAIL_ADDRESS}. It works for 10 minutes." in main_of(confirm)
    assert 'autocomplete="one-time-code"' in html_of(confirm)

    response = client.post(contact_url("contact-confirm", "email"), {"code": f" {code[:3]} {code[3:]} "})
    assert response.status_code == 302
    assert response["Location"] == PREFERENCES + "#contacts"
    contact = contacts_for(user=owner)["email"]
    assert contact is not None
    assert (contact.address, contact.pending_address) == (EMAIL_ADDRESS, "")
    page = client.get(PREFERENCES)
    assert (
        f"Your e-mail address {EMAIL_ADDRESS} is confirmed. Messages you chose to get by e-mail go to it."
    ) in html_of(page)
    contacts = contact_list(page)
    assert EMAIL_ADDRESS in contacts
    assert f'action="{contact_url("contact-remove", "email")}"' in contacts


def test_a_mobile_number_written_as_people_write_it(people):
    owner = people["owner"]
    response = client_for(owner).post(contact_url("contact-address", "sms"), {"address": "081-234-5678"})
    assert response.status_code == 302
    contact = contacts_for(user=owner)["sms"]
    assert contact is not None
    assert contact.pending_address == MOBILE
    confirm = client_for(owner).get(contact_url("contact-confirm", "sms"))
    assert f"We have sent a 6-digit code to {MOBILE}." in main_of(confirm)


@pytest.mark.parametrize(
    ("channel", "address"),
    [
        ("sms", "12345"),
        ("sms", "02-123-4567"),
        ("sms", "not a number"),
        ("email", "somchai@"),
        ("email", "@example.com"),
    ],
)
def test_an_address_that_is_not_one_is_refused_and_nothing_changes(people, channel, address):
    owner = people["owner"]
    response = client_for(owner).post(contact_url("contact-address", channel), {"address": address})
    assert response.status_code == 200
    errors = page_errors(response)
    assert list(errors) == ["address"]
    html = html_of(response)
    assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in html
    assert f'<li><a href="#id_address">{errors["address"][0]}</a></li>' in html
    assert 'aria-describedby="id_address-hint id_address-error"' in html
    assert not Contact.objects.filter(user=owner).exclude(pending_address="").exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("channel", "message"), [("email", "Enter your e-mail address."), ("sms", "Enter your mobile number.")]
)
def test_an_empty_address_is_asked_for(people, channel, message):
    response = client_for(people["owner"]).post(contact_url("contact-address", channel), {"address": "  "})
    assert page_errors(response) == {"address": [message]}


def test_a_wrong_code_is_refused(people, django_capture_on_commit_callbacks):
    owner = people["owner"]
    client = client_for(owner)
    ask_for_code(client, "email", EMAIL_ADDRESS, django_capture_on_commit_callbacks)
    code = sent_code(EMAIL_ADDRESS)
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(contact_url("contact-confirm", "email"), {"code": wrong})
    assert response.status_code == 200
    errors = page_errors(response)
    assert list(errors) == ["code"]
    assert f'<li><a href="#id_code">{errors["code"][0]}</a></li>' in html_of(response)
    contact = Contact.objects.get(user=owner, channel="email")
    assert (contact.address, contact.pending_address, contact.code_attempts) == ("", EMAIL_ADDRESS, 1)


def test_an_empty_code_is_asked_for(people, django_capture_on_commit_callbacks):
    client = client_for(people["owner"])
    ask_for_code(client, "email", EMAIL_ADDRESS, django_capture_on_commit_callbacks)
    response = client.post(contact_url("contact-confirm", "email"), {"code": ""})
    assert page_errors(response) == {"code": ["Enter the 6-digit code."]}


def test_someone_elses_code_does_not_confirm_ones_own_address(people, django_capture_on_commit_callbacks):
    owner, other = people["owner"], people["other_citizen"]
    ask_for_code(client_for(owner), "email", EMAIL_ADDRESS, django_capture_on_commit_callbacks)
    code = sent_code(EMAIL_ADDRESS)
    # The other person has no code waiting: the page sends them to ask for one, and nothing changes.
    response = client_for(other).post(contact_url("contact-confirm", "email"), {"code": code})
    assert response.status_code == 302
    assert response["Location"] == contact_url("contact-address", "email")
    assert contacts_for(user=other)["email"] is None
    assert Contact.objects.get(user=owner, channel="email").pending_address == EMAIL_ADDRESS


def test_the_code_page_without_a_code_waiting_sends_you_to_ask_for_one(people):
    response = client_for(people["owner"]).get(contact_url("contact-confirm", "sms"))
    assert response.status_code == 302
    assert response["Location"] == contact_url("contact-address", "sms")


def test_asking_for_too_many_codes_is_refused_clearly(
    people, settings, django_capture_on_commit_callbacks, frozen_rate_clock
):
    owner = people["owner"]
    client = client_for(owner)
    for _attempt in range(settings.PRACHA_NOTIFY_CODES_PER_HOUR):
        assert (
            ask_for_code(client, "email", EMAIL_ADDRESS, django_capture_on_commit_callbacks).status_code
            == 302
        )
    sent = len(mail.outbox)
    response = ask_for_code(client, "email", EMAIL_ADDRESS, django_capture_on_commit_callbacks)
    assert response.status_code == 429
    errors = page_errors(response)
    assert list(errors) == ["__all__"]
    assert f"<li>{errors['__all__'][0]}</li>" in html_of(response)
    assert len(mail.outbox) == sent


def test_the_code_page_can_send_a_new_code(people, django_capture_on_commit_callbacks):
    owner = people["owner"]
    client = client_for(owner)
    ask_for_code(client, "email", EMAIL_ADDRESS, django_capture_on_commit_callbacks)
    confirm = html_of(client.get(contact_url("contact-confirm", "email")))
    assert f'<input type="hidden" name="address" value="{EMAIL_ADDRESS}">' in confirm
    ask_for_code(client, "email", EMAIL_ADDRESS, django_capture_on_commit_callbacks)
    assert len([m for m in mail.outbox if EMAIL_ADDRESS in m.to]) == 2


def test_removing_a_confirmed_address(people):
    owner = people["owner"]
    contact_confirmed(user=owner, channel="sms", address=MOBILE)
    client = client_for(owner)
    contacts = contact_list(client.get(PREFERENCES))
    assert MOBILE in contacts
    assert f'action="{contact_url("contact-remove", "sms")}"' in contacts
    response = client.post(contact_url("contact-remove", "sms"))
    assert response.status_code == 302
    assert response["Location"] == PREFERENCES + "#contacts"
    contact = contacts_for(user=owner)["sms"]
    assert contact is None or contact.address == ""
    page = client.get(PREFERENCES)
    assert "Your mobile number has been removed. We no longer send you messages by SMS." in html_of(page)
    assert MOBILE not in contact_list(page)
    assert f'action="{contact_url("contact-remove", "sms")}"' not in contact_list(page)


@pytest.mark.parametrize("who", NOT_THE_OWNER)
def test_removing_touches_only_ones_own_contact(people, who):
    contact_confirmed(user=people["owner"], channel="email", address=EMAIL_ADDRESS)
    signed_in = who != "anonymous"
    if signed_in:
        contact_confirmed(user=people[who], channel="email", address=f"{who}@example.com")
    url = contact_url("contact-remove", "email")
    response = client_for(people[who]).post(url)
    assert response.status_code == 302
    assert response["Location"] == (PREFERENCES + "#contacts" if signed_in else login_redirect(url))
    contact = contacts_for(user=people["owner"])["email"]
    assert contact is not None and contact.address == EMAIL_ADDRESS
    if signed_in:
        theirs = contacts_for(user=people[who])["email"]
        assert theirs is None or theirs.address == ""
    else:
        assert not AuditEntry.objects.filter(action="notifications.contact_remove").exists()


def test_another_persons_contact_is_never_shown(people):
    contact_confirmed(user=people["owner"], channel="email", address=EMAIL_ADDRESS)
    for url in (PREFERENCES, contact_url("contact-address", "email")):
        assert EMAIL_ADDRESS not in html_of(client_for(people["other_citizen"]).get(url))


def test_the_contact_pages_in_thai(people):
    owner = people["owner"]
    client = client_for(owner, language="th")
    page = html_of(client.get(contact_url("contact-address", "sms")))
    assert '<html lang="th"' in page
    assert gettext_in("th", "Your mobile number for SMS") in page
    client.post(contact_url("contact-address", "sms"), {"address": "0812345678"})
    confirm = html_of(client.get(contact_url("contact-confirm", "sms")))
    assert f'<h1 class="govuk-heading-l">{gettext_in("th", "Enter the code")}</h1>' in confirm


# --- a platform without an SMS gateway -----------------------------------------------------------------


def test_without_an_sms_gateway_only_email_is_offered_and_sms_choices_are_kept(people, settings):
    settings.PRACHA_SMS_GATEWAY_URL = ""
    owner = people["owner"]
    Preference.objects.create(user=owner, kind="document_ready", channel="sms", enabled=False)
    client = client_for(owner)
    page = client.get(PREFERENCES)
    main = main_of(page)
    assert "SMS messages are not available at the moment, so for now we send messages by e-mail only." in main
    assert box("payment_received", "email") in main
    assert 'name="payment_received-sms"' not in main
    assert f'href="{contact_url("contact-address", "sms")}"' not in main
    data = {
        "language": "th",
        **{f"{kind}-email": "on" for kind in CHOOSABLE_KINDS if kind != "payment_received"},
    }
    assert client.post(PREFERENCES, data).status_code == 302
    assert switched_off(owner) == {("payment_received", "email"), ("document_ready", "sms")}


def test_without_an_sms_gateway_no_mobile_number_can_be_added(people, settings):
    settings.PRACHA_SMS_GATEWAY_URL = ""
    owner = people["owner"]
    client = client_for(owner)
    page = client.get(contact_url("contact-address", "sms"))
    assert "SMS messages are not available at the moment, so a mobile number cannot be added yet." in main_of(
        page
    )
    assert 'name="address"' not in main_of(page)
    response = client.post(contact_url("contact-address", "sms"), {"address": "0812345678"})
    assert response.status_code == 200
    assert contacts_for(user=owner)["sms"] is None
