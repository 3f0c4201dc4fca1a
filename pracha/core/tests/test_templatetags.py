"""The Thai display filters, rendered through real templates in both languages.

The filters are template builtins (settings TEMPLATES OPTIONS builtins), so no {% load %} is needed.
"""

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

MOMENT = datetime.datetime(2026, 12, 31, 20, 0, tzinfo=datetime.UTC)  # 1 Jan 2027 03:00 in Bangkok
TEMPLATE = (
    "{{ day|thaidate }}|{{ day|thaidate:'short' }}|{{ moment|thaidate }}|{{ moment|thaidatetime }}|"
    "{{ amount|baht }}|{{ amount|bahttext }}|{{ id|thai_id }}"
)
VALUES = {"day": datetime.date(2026, 11, 24), "moment": MOMENT, "amount": 123450, "id": "1101700203450"}


def render(template: str, language: str, **values) -> str:
    with translation.override(language):
        return Template(template).render(Context(values))


def test_filters_in_thai():
    assert render(TEMPLATE, "th", **VALUES).split("|") == [
        "24 พฤศจิกายน 2569",
        "24 พ.ย. 2569",
        "1 มกราคม 2570",
        "1 มกราคม 2570 เวลา 03:00 น.",
        "1,234.50 บาท",
        "หนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบสตางค์",
        "1-1017-00203-45-0",
    ]


def test_filters_in_english():
    assert render(TEMPLATE, "en", **VALUES).split("|") == [
        "24 November 2026",
        "24 Nov 2026",
        "1 January 2027",
        "1 January 2027 at 03:00",
        "THB 1,234.50",
        # Amounts in words are for Thai cheques and receipts: Thai in either language.
        "หนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบสตางค์",
        "1-1017-00203-45-0",
    ]


@pytest.mark.parametrize("language", ["th", "en"])
def test_missing_values_render_as_nothing(language):
    values = {"day": None, "moment": None, "amount": None, "id": None}
    assert render(TEMPLATE, language, **values) == "||||||"


def test_an_absent_variable_renders_as_nothing():
    assert render("[{{ nothing|thai_id }}]", "th") == "[]"


def test_amounts_given_as_strings_are_converted():
    assert render("{{ amount|baht }}", "th", amount="250") == "2.50 บาท"


def test_output_is_escaped():
    # thai_id passes through anything that is not 13 characters; it must not be marked safe.
    assert render("{{ id|thai_id }}", "en", id="<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"
