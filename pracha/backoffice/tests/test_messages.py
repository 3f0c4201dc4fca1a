"""The messages desks: undelivered messages (notifications.view, per agency), the platform's message
templates (notifications.templates) and the agencies' messaging API keys (notifications.keys).

Every page's authorization matrix: anonymous to the sign-in page; a citizen and an officer without the
permission 403; an officer of another agency sees only their own agency's messages and keys (a key of
another agency is 404) — and refused requests change nothing."""

import hashlib
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pracha.agencies.public import Role
from pracha.audit.public import AuditEntry
from pracha.backoffice.tests.conftest import client_for
from pracha.notifications.models import ApiKey, Message, Template
from pracha.notifications.public import api_key_create, masked_address, notify, sms_length, template_save
from pracha.notifications.tests.factories import MessageFactory, person

PERMISSIONS = ["notifications.view", "notifications.templates", "notifications.keys"]
DENIED = ["owner", "officer_without"]
UNDELIVERED = reverse("backoffice:messages-undelivered")
TEMPLATES = reverse("backoffice:message-templates")
KEYS = reverse("backoffice:message-keys")
DOMAIN = settings.PRACHA_OFFICIAL_DOMAIN


def template_url(kind: str = "application_received", channel: str = "sms", language: str = "th") -> str:
    return reverse("backoffice:message-template", args=[kind, channel, language])


@pytest.fixture
def desk(people: dict[str, Any]) -> dict[str, Any]:
    """people, with the three messages permissions added to the role officer_with holds at home-agency
    and officer_other_agency holds at other-agency."""
    role = Role.objects.get(code="foundation-all")
    role.permissions = [*role.permissions, *PERMISSIONS]
    role.save()
    return people


def client(desk: dict[str, Any], who: str) -> Client:
    return client_for(desk[who])


def failed(agency: str, **fields: Any) -> Message:
    defaults: dict[str, Any] = {
        "agency_code": agency,
        "status": Message.Status.PERMANENTLY_FAILED,
        "attempts": 1,
        "failed_at": timezone.now(),
        "last_error": "invalid_number: the number does not exist",
        "next_attempt_at": None,
    }
    return MessageFactory.create(**{**defaults, **fields})


def page_text(response: Any) -> str:
    return str(response.content.decode())


# --- masking ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "address", "masked"),
    [
        ("sms", "+66812345678", "+66 8x xxx 5678"),
        ("sms", "+66999990001", "+66 9x xxx 0001"),
        ("email", "somchai@example.com", "s***@example.com"),
        ("email", "a@b.example", "a***@b.example"),
        ("sms", "", ""),
    ],
)
def test_addresses_are_masked_as_the_desk_shows_them(channel: str, address: str, masked: str) -> None:
    assert masked_address(address, channel=channel) == masked


# --- authorization matrix -----------------------------------------------------------------------------


PAGES = [UNDELIVERED, TEMPLATES, template_url(), KEYS]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_is_sent_to_sign_in(desk: dict[str, Any], url: str) -> None:
    response = client(desk, "anonymous").get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("who", DENIED)
def test_people_without_the_permission_are_refused(desk: dict[str, Any], url: str, who: str) -> None:
    assert client(desk, who).get(url).status_code == 403


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("who", ["officer_with", "officer_other_agency"])
def test_officers_with_the_permission_open_the_desks(desk: dict[str, Any], url: str, who: str) -> None:
    response = client(desk, who).get(url)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.parametrize("permission", PERMISSIONS)
def test_each_desk_needs_its_own_permission(people: dict[str, Any], permission: str) -> None:
    role = Role.objects.get(code="foundation-all")
    role.permissions = [*role.permissions, permission]
    role.save()
    officer = client_for(people["officer_with"])
    opened = {url: officer.get(url).status_code for url in (UNDELIVERED, TEMPLATES, KEYS)}
    expected = {
        "notifications.view": {UNDELIVERED: 200, TEMPLATES: 403, KEYS: 403},
        "notifications.templates": {UNDELIVERED: 403, TEMPLATES: 200, KEYS: 403},
        "notifications.keys": {UNDELIVERED: 403, TEMPLATES: 403, KEYS: 200},
    }
    assert opened == expected[permission]


@pytest.mark.parametrize("who", ["anonymous", *DENIED])
def test_refused_posts_change_nothing(desk: dict[str, Any], who: str) -> None:
    home_key, _secret = api_key_create(
        actor=desk["officer_with"], agency_code="home-agency", name="Tax", key_type="live"
    )
    browser = client(desk, who)
    responses = [
        browser.post(template_url(), {"action": "save", "body": "ทดสอบ ((domain))"}),
        browser.post(KEYS, {"agency": "home-agency", "name": "Mine", "key_type": "live"}),
        browser.post(reverse("backoffice:message-key-revoke", args=[home_key.public_id])),
        browser.post(
            reverse("backoffice:message-key-callback", args=[home_key.public_id]),
            {"url": "https://example.test/hook", "bearer_token": "a-long-enough-token"},
        ),
    ]
    assert [response.status_code for response in responses] == (
        [302] * 4 if who == "anonymous" else [403] * 4
    )
    assert not Template.objects.exists()
    assert list(ApiKey.objects.values_list("name", "revoked_at", "callback_url")) == [("Tax", None, "")]


def test_another_agency_cannot_touch_a_key(desk: dict[str, Any]) -> None:
    home_key, _secret = api_key_create(
        actor=desk["officer_with"], agency_code="home-agency", name="Land tax reminders", key_type="live"
    )
    other = client(desk, "officer_other_agency")
    revoke = reverse("backoffice:message-key-revoke", args=[home_key.public_id])
    callback = reverse("backoffice:message-key-callback", args=[home_key.public_id])
    assert other.get(revoke).status_code == 404
    assert other.post(revoke).status_code == 404
    assert other.get(callback).status_code == 404
    response = other.post(
        callback, {"url": "https://evil.example/hook", "bearer_token": "a-long-enough-token"}
    )
    assert response.status_code == 404
    # Creating a key for an agency the officer does not manage is refused on the form.
    response = other.post(KEYS, {"agency": "home-agency", "name": "Sneaky", "key_type": "live"})
    assert response.status_code == 200
    assert "Choose one of the agencies listed: you manage keys only for those." in page_text(response)
    home_key.refresh_from_db()
    assert (home_key.revoked_at, home_key.callback_url) == (None, "")
    assert list(ApiKey.objects.values_list("name", flat=True)) == ["Land tax reminders"]
    assert "Land tax reminders" not in page_text(other.get(KEYS))


# --- undelivered messages -----------------------------------------------------------------------------


def test_the_desk_lists_the_agencys_undelivered_messages_masked(
    desk: dict[str, Any], settings: Any, sms_gateway: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # A real failure: the demo gateway refuses numbers starting +668999990, and its answer names the
    # number in full; the desk shows neither the address nor the error with it.
    settings.PRACHA_SMS_GATEWAY_URL = sms_gateway.url
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            kind="application_approved",
            recipient=person(phone="+66899999001"),
            agency_code="home-agency",
            context={"reference": "APP-2569-000123", "service": "Food-shop permit"},
            link="/applications/APP-2569-000123/",
        )
    bad_number = Message.objects.get(channel="sms")
    assert bad_number.status == Message.Status.PERMANENTLY_FAILED
    assert sms_gateway.messages() == []
    bad_mail = failed(
        "home-agency",
        channel="email",
        address="somchai@example.com",
        status=Message.Status.FAILED,
        attempts=6,
        last_error="SMTP: connection refused",
        link="/payments/bills/0b9d6e43-5a4e-4c8e-9d3b-1f2a3b4c5d6e/",
    )
    failed("other-agency", channel="sms", address="+66811111111")
    MessageFactory(agency_code="home-agency", status=Message.Status.DELIVERED, address="fine@example.com")
    MessageFactory(agency_code="home-agency", status=Message.Status.QUEUED, address="later@example.com")

    text = page_text(client(desk, "officer_with").get(UNDELIVERED))

    assert "2 undelivered messages" in text
    assert "+66 8x xxx 9001" in text
    assert "s***@example.com" in text
    assert "899999001" not in text and "somchai@example.com" not in text
    # What each was about (the reference its link carries), the status with its explanation, and the
    # error itself as a technical detail below.
    assert "Decision on your application: approved\n        <br>About APP-2569-000123" in text
    assert "Your application was received\n        <br>About 0b9d6e43-5a4e-4c8e-9d3b-1f2a3b4c5d6e" in text
    assert (
        '<strong class="govuk-tag govuk-tag--red">Permanent failure</strong>\n\n'
        '        <p class="govuk-body-s govuk-!-margin-top-2 govuk-!-margin-bottom-1">'
        "The address or number cannot receive messages, so it was not tried again.</p>\n"
        '        <p class="govuk-body-s govuk-!-margin-bottom-0">Technical detail: <span lang="en">'
        "SMS gateway refused the message: 400 invalid_number"
    ) in text
    assert (
        '<strong class="govuk-tag govuk-tag--orange">Technical failure</strong>\n\n'
        '        <p class="govuk-body-s govuk-!-margin-top-2 govuk-!-margin-bottom-1">'
        "It could not be sent for a technical reason, and was tried again until the attempts ran out.</p>\n"
        '        <p class="govuk-body-s govuk-!-margin-bottom-0">Technical detail: <span lang="en">'
        "SMTP: connection refused</span></p>"
    ) in text
    assert "Last error" not in text
    assert "+66 8x xxx 1111" not in text  # the other agency's
    assert "fine@" not in text and "f***@example.com" not in text and "l***@example.com" not in text
    assert (bad_number.attempts, bad_mail.attempts) == (1, 6)

    other = page_text(client(desk, "officer_other_agency").get(UNDELIVERED))
    assert "1 undelivered message" in other
    assert "+66 8x xxx 1111" in other and "+66 8x xxx 9001" not in other


def test_the_desk_filters_by_status_and_channel(desk: dict[str, Any]) -> None:
    failed("home-agency", channel="sms", address="+66899999001")
    failed("home-agency", channel="email", address="somchai@example.com", status=Message.Status.FAILED)
    officer = client(desk, "officer_with")

    by_status = page_text(officer.get(UNDELIVERED, {"status": "failed"}))
    assert "1 undelivered message" in by_status
    assert "s***@example.com" in by_status and "+66 8x xxx 9001" not in by_status

    by_channel = page_text(officer.get(UNDELIVERED, {"channel": "sms"}))
    assert "1 undelivered message" in by_channel
    assert "+66 8x xxx 9001" in by_channel and "s***@example.com" not in by_channel

    nothing = page_text(officer.get(UNDELIVERED, {"status": "failed", "channel": "sms"}))
    assert "No undelivered message matches the filters." in nothing

    unknown = officer.get(UNDELIVERED, {"status": "lost"})
    assert unknown.status_code == 200
    assert "2 undelivered messages" in page_text(unknown)  # the unknown filter is shown as an error, ignored
    assert "There is a problem" in page_text(unknown)


def test_the_desk_speaks_the_officers_language_with_one_wording_per_status(desk: dict[str, Any]) -> None:
    failed("home-agency", channel="sms", address="+66899999001", link="/applications/APP-2569-000001/")
    failed(
        "home-agency",
        kind="agency_notice",
        channel="email",
        address="somchai@example.com",
        status=Message.Status.FAILED,
        last_error="",
        client_reference="TAX-REMINDER-42",
    )
    text = page_text(client_for(desk["officer_with"], language="th").get(UNDELIVERED))
    # The filter's choices are the tags' words.
    assert '<option value="failed">ส่งไม่สำเร็จ (ปัญหาทางเทคนิค)</option>' in text
    assert '<option value="permanently_failed">ส่งไม่ได้ (ที่อยู่ใช้ไม่ได้)</option>' in text
    assert '<strong class="govuk-tag govuk-tag--orange">ส่งไม่สำเร็จ (ปัญหาทางเทคนิค)</strong>' in text
    assert '<strong class="govuk-tag govuk-tag--red">ส่งไม่ได้ (ที่อยู่ใช้ไม่ได้)</strong>' in text
    assert "<br>เรื่อง APP-2569-000001" in text
    assert "<br>เลขอ้างอิงของผู้ส่ง: TAX-REMINDER-42" in text
    assert "อีเมลหรือหมายเลขนี้รับข้อความไม่ได้ ระบบจึงไม่ส่งซ้ำ" in text
    assert "ส่งไม่สำเร็จเพราะปัญหาทางเทคนิค ระบบลองส่งซ้ำจนครบจำนวนครั้งแล้ว" in text
    # The error stays in English, marked as such; a message without one shows no empty label.
    assert text.count("รายละเอียดทางเทคนิค:") == 1
    assert 'รายละเอียดทางเทคนิค: <span lang="en">invalid_number: the number does not exist</span>' in text


def test_the_desk_is_paginated(desk: dict[str, Any]) -> None:
    for number in range(26):
        failed("home-agency", channel="sms", address=f"+668999{number:05d}")
    officer = client(desk, "officer_with")
    first = page_text(officer.get(UNDELIVERED))
    second = page_text(officer.get(UNDELIVERED, {"page": 2}))
    assert "26 undelivered messages" in first
    assert first.count('<tr class="govuk-table__row">') == 26  # the header row and 25 messages
    assert second.count('<tr class="govuk-table__row">') == 2
    assert 'rel="next"' in first


def test_nothing_undelivered(desk: dict[str, Any]) -> None:
    text = page_text(client(desk, "officer_with").get(UNDELIVERED))
    assert "Every message your agencies sent has been delivered or is still on its way." in text


# --- the template editor ------------------------------------------------------------------------------


def test_the_template_list_says_edited_or_default(desk: dict[str, Any]) -> None:
    template_save(
        actor=desk["officer_with"],
        kind="application_received",
        channel="sms",
        language="th",
        subject="",
        body="ได้รับคำขอ ((reference)) แล้ว ดูที่ ((domain))",
    )
    text = page_text(client(desk, "officer_with").get(TEMPLATES))
    assert text.count(">Edited</strong>") == 1
    # Every kind × channel × language but that one is the default.
    total = len(re.findall(r'href="/backoffice/messages/templates/[a-z_]+/[a-z]+/[a-z]+/"', text))
    assert total == 2 * (10 * 3 + 2)  # ten kinds on three channels, contact codes on two; Thai and English
    assert text.count(">Default</strong>") == total - 1
    assert template_url("application_received", "sms", "th") in text


def test_unknown_templates_are_404(desk: dict[str, Any]) -> None:
    officer = client(desk, "officer_with")
    assert officer.get(template_url("no_such_kind")).status_code == 404
    assert officer.get(template_url("contact_verification", "inapp")).status_code == 404
    assert officer.get(template_url(language="fr")).status_code == 404


def test_the_editor_shows_the_text_in_use_and_its_placeholders(desk: dict[str, Any]) -> None:
    text = page_text(client(desk, "officer_with").get(template_url("application_received", "email", "en")))
    for name in ("domain", "link", "reference", "service"):
        assert f"<li><code>(({name}))</code></li>" in text
    assert 'name="subject"' in text
    assert ">Default</strong>" in text
    sms = page_text(client(desk, "officer_with").get(template_url()))
    assert 'name="subject"' not in sms  # an SMS has no subject
    assert 'id="sms-count"' in sms and 'id="sms-samples"' in sms and "backoffice/messages.js" in sms


def test_saving_a_valid_template(desk: dict[str, Any]) -> None:
    body = "ได้รับคำขอ ((reference)) แล้ว ดูที่ ((domain))"
    response = client(desk, "officer_with").post(template_url(), {"action": "save", "body": body})
    assert response.status_code == 302
    assert response["Location"] == template_url()
    template = Template.objects.get()
    assert (template.kind, template.channel, template.language, template.subject, template.body) == (
        "application_received",
        "sms",
        "th",
        "",
        body,
    )
    assert template.updated_by == desk["officer_with"]
    assert AuditEntry.objects.filter(action="notifications.template_save").count() == 1
    page = page_text(client(desk, "officer_with").get(template_url()))
    assert ">Edited</strong>" in page and "ได้รับคำขอ ((reference)) แล้ว ดูที่ ((domain))" in page


def test_an_unknown_placeholder_is_refused_and_named(desk: dict[str, Any]) -> None:
    response = client(desk, "officer_with").post(
        template_url(), {"action": "save", "body": "ได้รับคำขอ ((referense)) แล้ว ดูที่ ((domain))"}
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "There is a problem" in text
    assert "((referense)) is not a placeholder this kind of message provides." in text
    assert 'href="#id_body"' in text  # the error summary links to the field
    assert not Template.objects.exists()


def test_a_template_without_the_domain_is_refused(desk: dict[str, Any]) -> None:
    response = client(desk, "officer_with").post(
        template_url("application_received", "email", "en"),
        {"action": "save", "subject": "Received", "body": "We received ((reference))."},
    )
    assert response.status_code == 200
    assert "The text must include ((domain))" in page_text(response)
    assert not Template.objects.exists()


def test_an_email_needs_a_subject(desk: dict[str, Any]) -> None:
    response = client(desk, "officer_with").post(
        template_url("application_received", "email", "en"),
        {"action": "save", "subject": "", "body": "We received ((reference)). ((domain))"},
    )
    assert "Write a subject." in page_text(response)
    assert 'href="#id_subject"' in page_text(response)
    assert not Template.objects.exists()


THAI_BODY = "เราได้รับคำขอของคุณแล้ว เจ้าหน้าที่จะตรวจสอบภายในสามวันทำการ ดูความคืบหน้าได้ที่ ((domain))"
ENGLISH_BODY = "We received your application ((reference)). Details at ((domain))."


def test_preview_of_a_thai_sms_counts_ucs2_parts(desk: dict[str, Any]) -> None:
    rendered = THAI_BODY.replace("((domain))", DOMAIN)
    characters = len(rendered.encode("utf-16-le")) // 2
    assert 70 < characters <= 134  # two parts
    response = client(desk, "officer_with").post(template_url(), {"action": "preview", "body": THAI_BODY})
    text = page_text(response)
    assert f"encoding UCS-2, {characters} characters, 2 parts (67 per part)" in text
    assert rendered in text
    assert not Template.objects.exists()  # a preview saves nothing


def test_preview_of_an_english_sms_counts_gsm7(desk: dict[str, Any]) -> None:
    rendered = ENGLISH_BODY.replace("((reference))", "APP-2569-000123").replace("((domain))", DOMAIN)
    assert sms_length(rendered).encoding == "GSM-7"
    response = client(desk, "officer_with").post(
        template_url(language="en"), {"action": "preview", "body": ENGLISH_BODY}
    )
    assert f"encoding GSM-7, {len(rendered)} characters, 1 part (160 per part)" in page_text(response)
    assert rendered in page_text(response)


def test_preview_of_an_email_shows_subject_and_text_without_a_count(desk: dict[str, Any]) -> None:
    response = client(desk, "officer_with").post(
        template_url("application_received", "email", "en"),
        {"action": "preview", "subject": "((reference)) received", "body": ENGLISH_BODY},
    )
    text = page_text(response)
    assert "APP-2569-000123 received" in text
    assert "encoding" not in text.split('id="preview"')[1]


def test_back_to_the_default(desk: dict[str, Any]) -> None:
    template_save(
        actor=desk["officer_with"],
        kind="application_received",
        channel="sms",
        language="th",
        subject="",
        body="ได้รับคำขอ ((reference)) แล้ว ดูที่ ((domain))",
    )
    officer = client(desk, "officer_with")
    assert "Back to the default text" in page_text(officer.get(template_url()))
    response = officer.post(template_url(), {"action": "reset"})
    assert response.status_code == 302
    assert not Template.objects.exists()
    assert AuditEntry.objects.filter(action="notifications.template_reset").count() == 1
    assert ">Default</strong>" in page_text(officer.get(template_url()))


def test_the_officer_of_another_agency_edits_the_same_platform_templates(desk: dict[str, Any]) -> None:
    body = "ได้รับคำขอ ((reference)) แล้ว ดูที่ ((domain))"
    response = client(desk, "officer_other_agency").post(template_url(), {"action": "save", "body": body})
    assert response.status_code == 302
    assert Template.objects.get().updated_by == desk["officer_other_agency"]


# --- API keys -----------------------------------------------------------------------------------------


def test_creating_a_key_shows_the_secret_once_and_keeps_only_its_hash(desk: dict[str, Any]) -> None:
    officer = client(desk, "officer_with")
    response = officer.post(
        KEYS,
        {"agency": "home-agency", "name": "Tax reminders", "key_type": "team", "rate_limit_per_minute": "30"},
    )
    assert response.status_code == 200
    api_key = ApiKey.objects.get()
    text = page_text(response)
    start = text.index('id="api-key-secret" type="text" value="') + len(
        'id="api-key-secret" type="text" value="'
    )
    secret = text[start : text.index('"', start)]
    assert secret.startswith(f"pracha_team_{api_key.prefix}_")
    assert api_key.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert (api_key.agency_code, api_key.name, api_key.key_type, api_key.rate_limit_per_minute) == (
        "home-agency",
        "Tax reminders",
        "team",
        30,
    )
    assert api_key.created_by == desk["officer_with"]
    assert secret not in str(list(ApiKey.objects.values_list()))  # not stored, in any field
    assert "It is shown only this once" in text
    listed = page_text(officer.get(KEYS))
    assert "Tax reminders" in listed and f"pracha_team_{api_key.prefix}_…" in listed
    assert secret not in listed


def test_a_key_needs_a_name_and_a_type(desk: dict[str, Any]) -> None:
    response = client(desk, "officer_with").post(KEYS, {"agency": "home-agency", "name": "", "key_type": ""})
    text = page_text(response)
    assert "Choose the type of key." in text
    assert not ApiKey.objects.exists()
    response = client(desk, "officer_with").post(
        KEYS, {"agency": "home-agency", "name": " ", "key_type": "live"}
    )
    assert "Give the key a name." in page_text(response)
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize(
    ("agency", "error"),
    [
        ("", "Choose the agency the key is for."),
        ("no-such-agency", "Choose one of the agencies listed: you manage keys only for those."),
    ],
)
def test_a_key_needs_one_of_the_officers_agencies(desk: dict[str, Any], agency: str, error: str) -> None:
    response = client(desk, "officer_with").post(KEYS, {"agency": agency, "name": "Tax", "key_type": "live"})
    assert response.status_code == 200
    text = page_text(response)
    assert error in text
    assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in text
    # The officer manages keys for one agency only: the form carries it, whatever was sent.
    assert '<input type="hidden" name="agency" value="home-agency">' in text
    assert not ApiKey.objects.exists()
    assert not AuditEntry.objects.filter(action="notifications.api_key_create").exists()


def test_revoking_a_key(desk: dict[str, Any]) -> None:
    api_key, _secret = api_key_create(
        actor=desk["officer_with"], agency_code="home-agency", name="Tax", key_type="live"
    )
    officer = client(desk, "officer_with")
    revoke = reverse("backoffice:message-key-revoke", args=[api_key.public_id])
    assert "Revoke the key “Tax”?" in page_text(officer.get(revoke))
    api_key.refresh_from_db()
    assert api_key.revoked_at is None  # asking is not revoking
    response = officer.post(revoke)
    assert response.status_code == 302 and response["Location"] == KEYS
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    assert AuditEntry.objects.filter(action="notifications.api_key_revoke").count() == 1
    assert "This key has already been revoked." in page_text(officer.get(revoke))
    assert ">Revoked</strong>" in page_text(officer.get(KEYS))


def test_setting_a_keys_callback(desk: dict[str, Any]) -> None:
    api_key, _secret = api_key_create(
        actor=desk["officer_with"], agency_code="home-agency", name="Tax", key_type="live"
    )
    officer = client(desk, "officer_with")
    callback = reverse("backoffice:message-key-callback", args=[api_key.public_id])
    response = officer.post(callback, {"url": "ftp://example.test/", "bearer_token": "a-long-enough-token"})
    assert "Enter a web address starting with https:// or http://." in page_text(response)
    response = officer.post(callback, {"url": "https://tax.example.test/hook", "bearer_token": "short"})
    assert 'href="#id_bearer_token"' in page_text(response)
    api_key.refresh_from_db()
    assert (api_key.callback_url, api_key.callback_token) == ("", "")

    response = officer.post(
        callback, {"url": "https://tax.example.test/hook", "bearer_token": "a-long-enough-token"}
    )
    assert response.status_code == 302
    api_key.refresh_from_db()
    assert (api_key.callback_url, api_key.callback_token) == (
        "https://tax.example.test/hook",
        "a-long-enough-token",
    )
    page = page_text(officer.get(callback))
    assert "https://tax.example.test/hook" in page and "a-long-enough-token" not in page

    assert officer.post(callback, {"url": "", "bearer_token": ""}).status_code == 302
    api_key.refresh_from_db()
    assert (api_key.callback_url, api_key.callback_token) == ("", "")
