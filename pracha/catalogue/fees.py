"""Fees: parsing a definition's `fees` and working out what an application owes. Money is integer satang."""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard

from django.utils.translation import gettext as _

from pracha.catalogue.definitions import FeeItem, FeeRule, FormSpec, Problem, Text, Tier
from pracha.catalogue.eforms import parse_text
from pracha.core.errors import InvalidInput

CODE_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
TIER_FIELD_TYPES = ("integer", "number")


def _is_amount(value: Any) -> TypeGuard[int]:
    # bool is a subclass of int, but "amount_satang: true" is a mistake, not one satang.
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _amount_problem(path: str) -> Problem:
    return Problem(path, _("Give the amount as a whole number of satang, 0 or more."))


def parse_fee(data: Any, path: str, form: FormSpec | None) -> tuple[FeeItem | None, list[Problem]]:
    """One entry of `fees`, or None and every problem in it. With the form, a tier field is checked in it."""
    if not isinstance(data, Mapping):
        return None, [Problem(path, _("Give the fee as a mapping with “code”, “name” and “rule”."))]
    problems = []
    code = data.get("code")
    if not isinstance(code, str) or not CODE_PATTERN.fullmatch(code):
        message = _("Give a code of lower-case letters, digits and hyphens, for example “permit-fee”.")
        problems.append(Problem(f"{path}.code", message))
    name, name_problems = parse_text(data.get("name"), f"{path}.name")
    rule, rule_problems = _parse_rule(data.get("rule"), f"{path}.rule", form)
    problems += name_problems + rule_problems
    if problems or name is None or rule is None:
        return None, problems
    return FeeItem(code=str(code), name=name, rule=rule), []


def _parse_rule(data: Any, path: str, form: FormSpec | None) -> tuple[FeeRule | None, list[Problem]]:
    if not isinstance(data, Mapping):
        return None, [Problem(path, _("Give the rule as a mapping with its “kind”."))]
    kind = data.get("kind")
    if kind == "fixed":
        amount = data.get("amount_satang")
        if not _is_amount(amount):
            return None, [_amount_problem(f"{path}.amount_satang")]
        return FeeRule(kind="fixed", amount_satang=amount), []
    if kind == "tiers":
        return _parse_tiers(data, path, form)
    message = _("“%(kind)s” is not a kind of fee rule; use “fixed” or “tiers”.") % {"kind": kind}
    return None, [Problem(f"{path}.kind", message)]


def _parse_tiers(
    data: Mapping[str, Any], path: str, form: FormSpec | None
) -> tuple[FeeRule | None, list[Problem]]:
    problems = []
    field = data.get("field")
    if not isinstance(field, str) or not field:
        problems.append(Problem(f"{path}.field", _("Give the form field the tiers are chosen by.")))
    elif form is not None:
        prop = form.schema.get("properties", {}).get(field)
        if prop is None:
            problems.append(
                Problem(f"{path}.field", _("“%(name)s” is not a field of the form.") % {"name": field})
            )
        elif prop.get("type") not in TIER_FIELD_TYPES:
            message = _("Tiers need a number field; “%(name)s” is not one.") % {"name": field}
            problems.append(Problem(f"{path}.field", message))
    raw_tiers = data.get("tiers")
    if not isinstance(raw_tiers, list) or not raw_tiers:
        return None, [*problems, Problem(f"{path}.tiers", _("Give at least one tier."))]
    tiers = []
    previous: int | float | None = None
    for index, raw in enumerate(raw_tiers):
        where = f"{path}.tiers[{index}]"
        if not isinstance(raw, Mapping):
            problems.append(Problem(where, _("Give the tier as a mapping with “up_to” and “amount_satang”.")))
            continue
        amount = raw.get("amount_satang")
        if not _is_amount(amount):
            problems.append(_amount_problem(f"{where}.amount_satang"))
        up_to = raw.get("up_to")
        if index == len(raw_tiers) - 1:
            if up_to is not None:
                message = _("Leave out “up_to” on the last tier: it covers the rest.")
                problems.append(Problem(f"{where}.up_to", message))
            up_to = None
        elif not _is_number(up_to):
            message = _("Give “up_to” as a number: every tier but the last has one.")
            problems.append(Problem(f"{where}.up_to", message))
            continue
        elif previous is not None and up_to <= previous:
            message = _("Each “up_to” must be greater than the one before it.")
            problems.append(Problem(f"{where}.up_to", message))
        previous = up_to
        if _is_amount(amount):
            tiers.append(Tier(up_to=up_to, amount_satang=amount))
    if problems:
        return None, problems
    return FeeRule(kind="tiers", field=str(field), tiers=tuple(tiers)), []


@dataclass(frozen=True)
class FeeLine:
    code: str
    name: Text
    amount_satang: int


@dataclass(frozen=True)
class FeeQuote:
    lines: tuple[FeeLine, ...]

    @property
    def total_satang(self) -> int:
        return sum(line.amount_satang for line in self.lines)


def _amount(fee: FeeItem, answers: Mapping[str, Any]) -> int:
    rule = fee.rule
    if rule.kind == "fixed":
        return rule.amount_satang
    value = answers.get(rule.field)
    if not _is_number(value):
        message = _(
            "The fee “%(fee)s” depends on the answer “%(field)s”, which is missing or not a number."
        ) % {
            "fee": fee.name,
            "field": rule.field,
        }
        raise InvalidInput(message, fields={rule.field: [message]})
    # parse_fee makes sure the last tier has no up_to, so a tier always matches.
    tier = next(tier for tier in rule.tiers if tier.up_to is None or value <= tier.up_to)
    return tier.amount_satang


def quote(fees: Sequence[FeeItem], answers: Mapping[str, Any]) -> FeeQuote:
    """What the application owes for these fees, one line each. A tier fee needs its answer as a number."""
    return FeeQuote(lines=tuple(FeeLine(fee.code, fee.name, _amount(fee, answers)) for fee in fees))


def fee_lines_as_json(fee_quote: FeeQuote) -> list[dict[str, Any]]:
    """The quote as an application stores it: the names are kept, so a later definition cannot change them."""
    return [
        {"code": line.code, "name": line.name.as_dict(), "amount_satang": line.amount_satang}
        for line in fee_quote.lines
    ]


def fee_quote_from_json(data: Sequence[Mapping[str, Any]]) -> FeeQuote:
    return FeeQuote(
        lines=tuple(
            FeeLine(
                code=line["code"],
                name=Text(th=line["name"]["th"], en=line["name"]["en"]),
                amount_satang=int(line["amount_satang"]),
            )
            for line in data
        )
    )
