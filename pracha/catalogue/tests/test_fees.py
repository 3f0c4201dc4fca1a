"""Fees: parsing the `fees` block and quoting what an application owes, in satang."""

import copy
from typing import Any

import pytest
from django.utils import translation

from pracha.catalogue.definitions import FeeItem, FeeRule, FormSpec, Problem, Text, Tier
from pracha.catalogue.eforms import parse_form
from pracha.catalogue.fees import FeeLine, FeeQuote, fee_lines_as_json, fee_quote_from_json, parse_fee, quote
from pracha.core.errors import InvalidInput

APPLICATION_FEE: dict[str, Any] = {
    "code": "application-fee",
    "name": {"th": "ค่าธรรมเนียมคำขอ", "en": "Application fee"},
    "rule": {"kind": "fixed", "amount_satang": 10000},
}
PERMIT_FEE: dict[str, Any] = {
    "code": "permit-fee",
    "name": {"th": "ค่าธรรมเนียมใบอนุญาต", "en": "Permit fee"},
    "rule": {
        "kind": "tiers",
        "field": "shop_area_sqm",
        "tiers": [
            {"up_to": 50, "amount_satang": 20000},
            {"up_to": 200, "amount_satang": 100000},
            {"amount_satang": 300000},
        ],
    },
}
APPLICATION = FeeItem(
    code="application-fee",
    name=Text(th="ค่าธรรมเนียมคำขอ", en="Application fee"),
    rule=FeeRule(kind="fixed", amount_satang=10000),
)
PERMIT = FeeItem(
    code="permit-fee",
    name=Text(th="ค่าธรรมเนียมใบอนุญาต", en="Permit fee"),
    rule=FeeRule(
        kind="tiers",
        field="shop_area_sqm",
        tiers=(
            Tier(up_to=50, amount_satang=20000),
            Tier(up_to=200, amount_satang=100000),
            Tier(None, 300000),
        ),
    ),
)


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def form() -> FormSpec:
    parsed, problems = parse_form(
        {
            "schema": {
                "type": "object",
                "properties": {"shop_area_sqm": {"type": "number"}, "shop_name": {"type": "string"}},
            },
            "ui": {
                "order": ["shop_area_sqm", "shop_name"],
                "fields": {
                    "shop_area_sqm": {"label": {"th": "พื้นที่", "en": "Area"}, "widget": "number"},
                    "shop_name": {"label": {"th": "ชื่อร้าน", "en": "Shop name"}, "widget": "text"},
                },
            },
        }
    )
    assert parsed is not None, problems
    return parsed


def test_parse_fixed_and_tiered_fees(form: FormSpec) -> None:
    assert parse_fee(APPLICATION_FEE, "fees[0]", form) == (APPLICATION, [])
    assert parse_fee(PERMIT_FEE, "fees[1]", form) == (PERMIT, [])


def test_without_the_form_a_tier_field_is_not_checked() -> None:
    fee = copy.deepcopy(PERMIT_FEE)
    fee["rule"]["field"] = "anything"
    parsed, problems = parse_fee(fee, "fees[1]", None)
    assert problems == []
    assert parsed is not None
    assert parsed.rule.field == "anything"


def _fee(base: dict[str, Any], **rule: Any) -> dict[str, Any]:
    fee = copy.deepcopy(base)
    fee["rule"].update(rule)
    return fee


def _tiers(*tiers: Any) -> dict[str, Any]:
    return _fee(PERMIT_FEE, tiers=list(tiers))


AMOUNT = "Give the amount as a whole number of satang, 0 or more."

FEE_PROBLEMS = [
    pytest.param(
        "permit-fee",
        "fees[1]",
        "Give the fee as a mapping with “code”, “name” and “rule”.",
        id="not-a-mapping",
    ),
    pytest.param(
        {**APPLICATION_FEE, "code": "Permit_Fee"},
        "fees[1].code",
        "Give a code of lower-case letters, digits and hyphens, for example “permit-fee”.",
        id="code-pattern",
    ),
    pytest.param(
        {**APPLICATION_FEE, "code": "permit-"},
        "fees[1].code",
        "Give a code of lower-case letters, digits and hyphens, for example “permit-fee”.",
        id="code-trailing-hyphen",
    ),
    pytest.param(
        {key: value for key, value in APPLICATION_FEE.items() if key != "code"},
        "fees[1].code",
        "Give a code of lower-case letters, digits and hyphens, for example “permit-fee”.",
        id="code-missing",
    ),
    pytest.param(
        {**APPLICATION_FEE, "name": {"th": "ค่าธรรมเนียม"}},
        "fees[1].name",
        "Give the text in both Thai and English.",
        id="name-without-english",
    ),
    pytest.param(
        {**APPLICATION_FEE, "rule": 10000},
        "fees[1].rule",
        "Give the rule as a mapping with its “kind”.",
        id="rule",
    ),
    pytest.param(
        _fee(APPLICATION_FEE, kind="percent"),
        "fees[1].rule.kind",
        "“percent” is not a kind of fee rule; use “fixed” or “tiers”.",
        id="unknown-kind",
    ),
    pytest.param(
        _fee(APPLICATION_FEE, amount_satang=-1), "fees[1].rule.amount_satang", AMOUNT, id="negative"
    ),
    pytest.param(
        _fee(APPLICATION_FEE, amount_satang=100.5), "fees[1].rule.amount_satang", AMOUNT, id="float"
    ),
    pytest.param(_fee(APPLICATION_FEE, amount_satang=True), "fees[1].rule.amount_satang", AMOUNT, id="bool"),
    pytest.param(_fee(APPLICATION_FEE, amount_satang="100"), "fees[1].rule.amount_satang", AMOUNT, id="text"),
    pytest.param(
        {**APPLICATION_FEE, "rule": {"kind": "fixed"}}, "fees[1].rule.amount_satang", AMOUNT, id="no-amount"
    ),
    pytest.param(
        _fee(PERMIT_FEE, field="floor_area"),
        "fees[1].rule.field",
        "“floor_area” is not a field of the form.",
        id="tier-field-unknown",
    ),
    pytest.param(
        _fee(PERMIT_FEE, field="shop_name"),
        "fees[1].rule.field",
        "Tiers need a number field; “shop_name” is not one.",
        id="tier-field-not-a-number",
    ),
    pytest.param(
        _fee(PERMIT_FEE, field=""),
        "fees[1].rule.field",
        "Give the form field the tiers are chosen by.",
        id="tier-field-missing",
    ),
    pytest.param(_tiers(), "fees[1].rule.tiers", "Give at least one tier.", id="no-tiers"),
    pytest.param(
        _fee(PERMIT_FEE, tiers={"amount_satang": 1}),
        "fees[1].rule.tiers",
        "Give at least one tier.",
        id="tiers-not-a-list",
    ),
    pytest.param(
        _tiers({"up_to": 50, "amount_satang": 1}, 300000),
        "fees[1].rule.tiers[1]",
        "Give the tier as a mapping with “up_to” and “amount_satang”.",
        id="tier-not-a-mapping",
    ),
    pytest.param(
        _tiers({"up_to": 50, "amount_satang": 1}, {"up_to": 50, "amount_satang": 2}, {"amount_satang": 3}),
        "fees[1].rule.tiers[1].up_to",
        "Each “up_to” must be greater than the one before it.",
        id="up-to-equal",
    ),
    pytest.param(
        _tiers({"up_to": 200, "amount_satang": 1}, {"up_to": 50, "amount_satang": 2}, {"amount_satang": 3}),
        "fees[1].rule.tiers[1].up_to",
        "Each “up_to” must be greater than the one before it.",
        id="up-to-decreasing",
    ),
    pytest.param(
        _tiers({"up_to": 50, "amount_satang": 1}, {"amount_satang": 2}, {"amount_satang": 3}),
        "fees[1].rule.tiers[1].up_to",
        "Give “up_to” as a number: every tier but the last has one.",
        id="middle-without-up-to",
    ),
    pytest.param(
        _tiers({"up_to": True, "amount_satang": 1}, {"amount_satang": 2}),
        "fees[1].rule.tiers[0].up_to",
        "Give “up_to” as a number: every tier but the last has one.",
        id="up-to-bool",
    ),
    pytest.param(
        _tiers({"up_to": 50, "amount_satang": 1}, {"up_to": 200, "amount_satang": 2}),
        "fees[1].rule.tiers[1].up_to",
        "Leave out “up_to” on the last tier: it covers the rest.",
        id="last-with-up-to",
    ),
    pytest.param(
        _tiers({"up_to": 50, "amount_satang": -20000}, {"amount_satang": 2}),
        "fees[1].rule.tiers[0].amount_satang",
        AMOUNT,
        id="tier-amount-negative",
    ),
]


@pytest.mark.parametrize(("data", "path", "message"), FEE_PROBLEMS)
def test_parse_fee_problem(form: FormSpec, data: Any, path: str, message: str) -> None:
    assert parse_fee(data, "fees[1]", form) == (None, [Problem(path, message)])


def test_parse_fee_reports_every_problem(form: FormSpec) -> None:
    data = {"code": "Bad", "name": None, "rule": {"kind": "fixed", "amount_satang": -5}}
    assert parse_fee(data, "fees[0]", form) == (
        None,
        [
            Problem(
                "fees[0].code",
                "Give a code of lower-case letters, digits and hyphens, for example “permit-fee”.",
            ),
            Problem("fees[0].name", "Give the text in both Thai and English."),
            Problem("fees[0].rule.amount_satang", AMOUNT),
        ],
    )


def test_a_single_open_tier_is_a_flat_fee_by_field(form: FormSpec) -> None:
    fee, problems = parse_fee(_tiers({"amount_satang": 0}), "fees[1]", form)
    assert problems == []
    assert fee is not None
    assert fee.rule.tiers == (Tier(up_to=None, amount_satang=0),)


def test_fixed_fee() -> None:
    assert quote([APPLICATION], {}) == FeeQuote(lines=(FeeLine("application-fee", APPLICATION.name, 10000),))


@pytest.mark.parametrize(
    ("area", "amount"),
    [
        (0, 20000),
        (50, 20000),  # exactly on up_to: still that tier
        (50.01, 100000),
        (51, 100000),
        (200, 100000),
        (200.5, 300000),
        (1_000_000, 300000),  # above the last up_to: the open tier
    ],
)
def test_tier_boundaries(area: float, amount: int) -> None:
    assert quote([PERMIT], {"shop_area_sqm": area}).lines == (FeeLine("permit-fee", PERMIT.name, amount),)


def test_quote_lines_and_total() -> None:
    fee_quote = quote([APPLICATION, PERMIT], {"shop_area_sqm": 120, "shop_name": "Som Tam"})
    assert fee_quote.lines == (
        FeeLine("application-fee", APPLICATION.name, 10000),
        FeeLine("permit-fee", PERMIT.name, 100000),
    )
    assert fee_quote.total_satang == 110000
    assert quote([], {}).total_satang == 0


@pytest.mark.parametrize(
    "answers", [{}, {"shop_area_sqm": "120"}, {"shop_area_sqm": True}, {"shop_area_sqm": None}]
)
def test_a_tier_fee_needs_its_answer_as_a_number(answers: dict[str, Any]) -> None:
    message = "The fee “Permit fee” depends on the answer “shop_area_sqm”, which is missing or not a number."
    with pytest.raises(InvalidInput) as raised:
        quote([APPLICATION, PERMIT], answers)
    assert str(raised.value) == message
    assert raised.value.as_dict()["fields"] == {"shop_area_sqm": [message]}


def test_quote_as_json_and_back() -> None:
    fee_quote = quote([APPLICATION, PERMIT], {"shop_area_sqm": 300})
    stored = fee_lines_as_json(fee_quote)
    assert stored == [
        {
            "code": "application-fee",
            "name": {"th": "ค่าธรรมเนียมคำขอ", "en": "Application fee"},
            "amount_satang": 10000,
        },
        {
            "code": "permit-fee",
            "name": {"th": "ค่าธรรมเนียมใบอนุญาต", "en": "Permit fee"},
            "amount_satang": 300000,
        },
    ]
    assert fee_quote_from_json(stored) == fee_quote
    assert fee_quote_from_json(stored).total_satang == 310000
    assert fee_quote_from_json([]) == FeeQuote(lines=())
