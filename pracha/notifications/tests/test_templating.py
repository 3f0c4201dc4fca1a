"""Template placeholders, the rules a template keeps before it is saved, and the default texts."""

import pytest

from pracha.notifications import selectors, templating
from pracha.notifications.defaults import DEFAULTS
from pracha.notifications.kinds import KINDS
from pracha.notifications.sms import SmsLength, sms_length

RECEIVED = KINDS["application_received"]
CODE = KINDS["contact_verification"]
GOOD_BODY = "เราได้รับคำขอ ((reference)) แล้ว ข้อความจริงจาก ((domain)) เท่านั้น"


def validate(kind=RECEIVED, channel="email", language="th", subject="ได้รับคำขอ ((reference))", body=GOOD_BODY):
    return templating.validate(kind=kind, channel=channel, language=language, subject=subject, body=body)


def test_placeholders_are_found_in_order_each_once():
    assert templating.placeholders_in("((a)) x ((b)) ((a)) (( c )) ((") == ["a", "b", "c"]


def test_render_fills_every_placeholder():
    assert templating.render(
        "คำขอ ((reference)) ที่ ((domain))", {"reference": "APP-1", "domain": "d.example"}
    ) == ("คำขอ APP-1 ที่ d.example")
    with pytest.raises(KeyError, match="reference"):
        templating.render("((reference))", {})


def test_a_good_template_has_no_problem():
    assert validate() == {}
    assert validate(channel="sms", subject="") == {}


def test_an_unknown_placeholder_is_refused_by_name():
    errors = validate(body="คำขอ ((reference)) ของ ((name)) ที่ ((domain))")
    assert list(errors) == ["body"]
    assert errors["body"] == [
        "((name)) is not a placeholder this kind of message provides. It can use: ((domain)), ((link)), "
        "((reference)), ((service))."
    ]


def test_an_unknown_placeholder_in_the_subject_is_named_on_the_subject():
    errors = validate(subject="คำขอ ((Reference))")
    assert list(errors) == ["subject"]
    assert errors["subject"][0].startswith("((Reference)) is not a placeholder")


def test_the_body_must_name_the_official_domain():
    errors = validate(body="เราได้รับคำขอ ((reference)) แล้ว")
    assert errors == {
        "body": [
            "The text must include ((domain)), in a sentence telling people how to recognise a genuine "
            "message from the platform."
        ]
    }


@pytest.mark.parametrize(
    "body",
    [
        "รหัส ((code)) ((minutes)) นาที ((domain)) ((link))",
        "รหัส ((code)) ((minutes)) นาที ที่ ((domain)) หรือ https://pracha.example/confirm",
        "รหัส ((code)) ((minutes)) นาที ที่ ((domain)) หรือ WWW.pracha.example",
    ],
)
def test_a_one_time_code_is_never_beside_a_link(body):
    errors = validate(kind=CODE, channel="sms", subject="", body=body)
    assert any("must not contain a link" in message for message in errors["body"])


def test_a_link_in_an_ordinary_message_is_fine():
    assert validate(body=GOOD_BODY + " ((link)) https://pracha.example/") == {}
    assert validate(channel="inapp", body=GOOD_BODY + " ((link))") == {}


@pytest.mark.parametrize(
    "link", ["((link))", "https://pracha.example/", "http://x.example", "www.pracha.example"]
)
def test_an_sms_never_carries_a_link(link):
    assert validate(channel="sms", subject="", body=f"{GOOD_BODY} {link}") == {
        "body": [
            "An SMS must not contain a link (((link)), http or www.): people are told that a link in an "
            "SMS is a fraud. Name ((domain)) for them to type instead."
        ]
    }


def test_email_and_inapp_need_a_subject_and_sms_has_none():
    assert validate(channel="email", subject="  ") == {"subject": ["Write a subject."]}
    assert validate(channel="inapp", subject="") == {"subject": ["Write a subject."]}
    assert validate(channel="sms", subject="หัวข้อ") == {"subject": ["An SMS has no subject: leave it empty."]}


def test_an_empty_body_is_refused():
    assert validate(body=" \n ") == {"body": ["Write the text of the message."]}


def test_an_sms_over_four_parts_with_sample_values_is_refused():
    # 4 parts of UCS-2 hold 268 characters; the sample reference is 15 and the domain 14.
    filler = "ข" * 230
    assert validate(channel="sms", subject="", body=f"{filler} ((reference)) ((domain))") == {}
    errors = validate(channel="sms", subject="", body=f"{filler}ขขขขขขขขขขข ((reference)) ((domain))")
    assert errors == {"body": ["With typical values this SMS takes 5 parts; at most 4 are allowed."]}


def _every_default():
    for kind_code, channels in DEFAULTS.items():
        for channel, languages in channels.items():
            for language, (subject, body) in languages.items():
                yield pytest.param(
                    kind_code, channel, language, subject, body, id=f"{kind_code}-{channel}-{language}"
                )


def test_there_is_a_default_for_every_kind_channel_and_language():
    assert set(DEFAULTS) == set(KINDS)
    for code, kind in KINDS.items():
        assert set(DEFAULTS[code]) == set(kind.channels)
        for languages in DEFAULTS[code].values():
            assert set(languages) == {"th", "en"}


@pytest.mark.parametrize(("kind_code", "channel", "language", "subject", "body"), list(_every_default()))
def test_every_default_keeps_the_rules(kind_code, channel, language, subject, body, settings):
    kind = KINDS[kind_code]
    assert validate(kind=kind, channel=channel, language=language, subject=subject, body=body) == {}
    rendered = templating.render(body, templating.sample_values(kind, language))
    assert settings.PRACHA_OFFICIAL_DOMAIN in rendered
    assert "((" not in rendered
    if channel == "sms":
        assert sms_length(rendered).parts <= 2
        assert "http" not in rendered
        assert "((link))" not in body
    if kind_code == "contact_verification":
        assert "123456" in rendered
        assert "10" in rendered
    if language == "th" and kind_code != "agency_notice":
        assert any("\u0e00" <= character <= "\u0e7f" for character in subject + body)


def test_sample_values_cover_every_placeholder_of_every_kind():
    for kind in KINDS.values():
        for language in ("th", "en"):
            values = templating.sample_values(kind, language)
            assert set(values) == kind.placeholders | {"domain", "link"}
            assert all(values[name] != name for name in kind.placeholders)


def test_preview_renders_sample_values_and_counts_sms_parts():
    preview = selectors.template_preview(
        kind="application_received", channel="sms", language="th", subject="", body=GOOD_BODY
    )
    assert preview.body == "เราได้รับคำขอ APP-2569-000123 แล้ว ข้อความจริงจาก pracha.example เท่านั้น"
    assert preview.sms == sms_length(preview.body)
    assert preview.sms == SmsLength(encoding="UCS-2", characters=73, parts=2, per_part=67)
    email = selectors.template_preview(
        kind="application_received",
        channel="email",
        language="en",
        subject="((reference)) ((oops))",
        body="x",
    )
    assert email.subject == "APP-2569-000123 ((oops))"
    assert email.sms is None
