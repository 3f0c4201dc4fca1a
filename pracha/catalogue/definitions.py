"""A service definition as the platform runs it: the typed, validated form of a file in definitions/.

Pure: no ORM. `parse_definition` turns the loaded YAML/JSON into a `ServiceDefinition` or raises
`DefinitionInvalid` listing every problem, each with the path where it is (docs/service-definitions.md).
What the database knows (which roles and agencies exist) comes in as arguments.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from pracha.core.errors import InvalidInput

Holder = Literal["agency", "applicant", "consenter", "payment", "done"]
ActionKind = Literal[
    "advance", "forward", "approve", "reject", "send_back", "request_document", "resubmit", "consent",
    "decline", "paid",
]  # fmt: skip
# Who may take an action besides officers holding a role.
SPECIAL_ACTORS = ("applicant", "consenter", "system")
# The two actions every workflow has without declaring them.
SUBMIT = "submit"
WITHDRAW = "withdraw"
DRAFT_STATE = "draft"
WITHDRAWN_STATE = "withdrawn"


@dataclass(frozen=True)
class Text:
    """A text in both languages; str() gives the one for the active language."""

    th: str
    en: str

    def __str__(self) -> str:
        return self.en if (get_language() or "th").startswith("en") else self.th

    def as_dict(self) -> dict[str, str]:
        return {"th": self.th, "en": self.en}


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class DefinitionInvalid(InvalidInput):
    code = "definition_invalid"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(
            "\n".join(str(p) for p in problems), fields={"definition": [str(p) for p in problems]}
        )


@dataclass(frozen=True)
class DocumentRequirement:
    code: str
    name: Text
    types: tuple[str, ...]  # pdf, jpeg, png
    max_size_kb: int
    max_pages: int | None = None
    optional: bool = False
    held_by_state: bool = False


@dataclass(frozen=True)
class Tier:
    up_to: int | float | None  # None: everything above the previous tier
    amount_satang: int


@dataclass(frozen=True)
class FeeRule:
    kind: Literal["fixed", "tiers"]
    amount_satang: int = 0  # fixed
    field: str = ""  # tiers: the form answer the tier is chosen by
    tiers: tuple[Tier, ...] = ()


@dataclass(frozen=True)
class FeeItem:
    code: str
    name: Text
    rule: FeeRule


@dataclass(frozen=True)
class FieldUi:
    label: Text
    widget: str
    help: Text | None = None
    options: Mapping[str, Text] = field(default_factory=dict)


@dataclass(frozen=True)
class FormSpec:
    schema: Mapping[str, Any]  # JSON Schema, checked with jsonschema
    order: tuple[str, ...]
    fields: Mapping[str, FieldUi]


@dataclass(frozen=True)
class Escalation:
    kind: Literal["role", "action"]
    role: str = ""
    action: str = ""


@dataclass(frozen=True)
class Action:
    name: str
    kind: ActionKind
    label: Text
    by: tuple[str, ...]  # role codes, or one of SPECIAL_ACTORS
    to: str


@dataclass(frozen=True)
class State:
    code: str
    name: Text
    holder: Holder
    sla_days: int | None = None
    agency: str | None = None
    escalation: Escalation | None = None
    fees: tuple[str, ...] = ()  # payment states: the fee codes charged on entry
    outcome: Literal["approved", "rejected"] | None = None  # done states
    actions: tuple[Action, ...] = ()


@dataclass(frozen=True)
class Workflow:
    start: str
    states: Mapping[str, State]


@dataclass(frozen=True)
class OutcomeSpec:
    kind: str
    name: Text
    number_prefix: str
    valid_for_days: int | None = None
    conditions: tuple[Text, ...] = ()


@dataclass(frozen=True)
class Routing:
    field: str
    agencies: Mapping[str, str]  # answer value -> agency code


@dataclass(frozen=True)
class ServiceDefinition:
    code: str
    agency: str
    audience: tuple[str, ...]
    categories: tuple[str, ...]
    life_events: tuple[str, ...]
    assurance: Literal["self_asserted", "verified"]
    illustrative: bool
    show_officer_names: bool
    renewal_of: str | None
    time_limit_days: int
    name: Text
    summary: Text
    description: Text
    eligibility: Text
    contact: Text | None
    routing: Routing | None
    documents: tuple[DocumentRequirement, ...]
    fees: tuple[FeeItem, ...]
    consent_field: str | None
    form: FormSpec
    outcome: OutcomeSpec
    workflow: Workflow


# Service, document and category codes: lower-case words joined by single hyphens.
CODE_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
# /services/manage/ is the editor: a service with that code could never be reached.
RESERVED_CODES = {"manage"}
# Outcome numbers look like FSP-2569-000001, so the prefix has no hyphen of its own.
NUMBER_PREFIX_PATTERN = re.compile(r"[A-Z][A-Z0-9]*")
AUDIENCES = ("citizen", "business", "officer", "agency")
ASSURANCES = ("self_asserted", "verified")
DOCUMENT_TYPES = ("pdf", "jpeg", "png")
OUTCOME_KINDS = ("licence", "certificate", "registration", "copy")
# The catalogue's list columns (catalogue.models.Service) hold the name and summary; longer would not fit.
NAME_MAX_LENGTH = 200
SUMMARY_MAX_LENGTH = 400
CODE_MAX_LENGTH = 60

DEFINITION_KEYS = (
    "code", "agency", "audience", "categories", "life_events", "assurance", "illustrative",
    "show_officer_names", "renewal_of", "time_limit_days", "name", "summary", "description", "eligibility",
    "contact", "routing", "documents", "fees", "consent", "form", "outcome", "workflow",
)  # fmt: skip
DOCUMENT_KEYS = ("code", "name", "types", "max_size_kb", "max_pages", "optional", "held_by_state")
OUTCOME_KEYS = ("kind", "name", "number_prefix", "valid_for_days", "conditions")


def child_path(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def item_path(path: str, index: int) -> str:
    return f"{path}[{index}]"


class Reader:
    """Reads loaded YAML/JSON, noting a Problem for each thing wrong instead of stopping at the first.

    The accessors take the mapping, the key and the mapping's path, and return None when the value is
    missing or wrong (a problem is then noted, unless an optional value is simply absent). A key given as
    null counts as absent: YAML reads `contact:` with nothing after it as null.
    """

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def mapping(
        self, value: object, path: str, *, keys: Iterable[str] | None = None
    ) -> Mapping[str, Any] | None:
        """`value` as a mapping; with `keys`, any other key is noted as unknown (usually a misspelling)."""
        if not isinstance(value, Mapping):
            self.add(path, _("Expected keys with values here."))
            return None
        if keys is not None:
            allowed = set(keys)
            for key in value:
                if key not in allowed:
                    self.add(child_path(path, key), _("This key is not part of the definition format."))
        return value

    def get(self, obj: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> Any:
        value = obj.get(key)
        if value is None and required:
            self.add(child_path(path, key), _("This is required."))
        return value

    def sequence(
        self, obj: Mapping[str, Any], key: str, path: str, *, required: bool = True
    ) -> list[Any] | None:
        value = self.get(obj, key, path, required=required)
        if value is None:
            return None
        if not isinstance(value, list | tuple):
            self.add(child_path(path, key), _("Expected a list here."))
            return None
        return list(value)

    def submapping(
        self,
        obj: Mapping[str, Any],
        key: str,
        path: str,
        *,
        keys: Iterable[str] | None = None,
        required: bool = True,
    ) -> Mapping[str, Any] | None:
        value = self.get(obj, key, path, required=required)
        return None if value is None else self.mapping(value, child_path(path, key), keys=keys)

    def string(self, obj: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> str | None:
        value = self.get(obj, key, path, required=required)
        return None if value is None else self.string_value(value, child_path(path, key))

    def string_value(self, value: object, path: str) -> str | None:
        if not isinstance(value, str):
            self.add(path, _("Expected text here."))
            return None
        if not value.strip():
            self.add(path, _("This cannot be empty."))
            return None
        return value

    def code(self, obj: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> str | None:
        value = self.get(obj, key, path, required=required)
        return None if value is None else self.code_value(value, child_path(path, key))

    def code_value(self, value: object, path: str) -> str | None:
        text = self.string_value(value, path)
        if text is None:
            return None
        if not CODE_PATTERN.fullmatch(text):
            self.add(
                path,
                _(
                    "“%(code)s” is not a valid code: use lower-case letters and digits, "
                    "with single hyphens between words."
                )
                % {"code": text},
            )
            return None
        return text

    def choice(
        self, obj: Mapping[str, Any], key: str, path: str, choices: Sequence[str], *, required: bool = True
    ) -> str | None:
        value = self.get(obj, key, path, required=required)
        return None if value is None else self.choice_value(value, child_path(path, key), choices)

    def choice_value(self, value: object, path: str, choices: Sequence[str]) -> str | None:
        if value not in choices:
            self.add(
                path,
                _("“%(value)s” is not one of: %(choices)s.")
                % {"value": value, "choices": ", ".join(choices)},
            )
            return None
        return cast(str, value)

    def count(self, obj: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> int | None:
        """A whole number greater than zero (days, kilobytes, pages)."""
        value = self.get(obj, key, path, required=required)
        if value is None:
            return None
        # bool is an int in Python, but `true` is never meant as 1.
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.add(child_path(path, key), _("Expected a whole number greater than zero."))
            return None
        return value

    def flag(self, obj: Mapping[str, Any], key: str, path: str) -> bool:
        """An optional true/false, false when absent."""
        value = self.get(obj, key, path, required=False)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.add(child_path(path, key), _("Expected true or false here."))
            return False
        return value

    def text(
        self,
        obj: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool = True,
        max_length: int | None = None,
    ) -> Text | None:
        value = self.get(obj, key, path, required=required)
        return None if value is None else self.text_value(value, child_path(path, key), max_length=max_length)

    def text_value(self, value: object, path: str, *, max_length: int | None = None) -> Text | None:
        """A pair {th, en}, both non-empty."""
        pair = self.mapping(value, path, keys=("th", "en"))
        if pair is None:
            return None
        missing = {"th": _("The Thai text is missing."), "en": _("The English text is missing.")}
        parts: dict[str, str] = {}
        for language, message in missing.items():
            part = pair.get(language)
            part_path = child_path(path, language)
            if part is not None and not isinstance(part, str):
                self.add(part_path, _("Expected text here."))
            elif part is None or not part.strip():
                self.add(part_path, message)
            elif max_length is not None and len(part) > max_length:
                self.add(
                    part_path,
                    _("This text has %(length)d characters; at most %(limit)d fit.")
                    % {"length": len(part), "limit": max_length},
                )
            else:
                parts[language] = part
        return Text(th=parts["th"], en=parts["en"]) if len(parts) == 2 else None

    def code_list(
        self,
        obj: Mapping[str, Any],
        key: str,
        path: str,
        *,
        choices: Sequence[str] | None = None,
        required: bool = True,
    ) -> tuple[str, ...]:
        """A list of codes (or of `choices`), each once."""
        values = self.sequence(obj, key, path, required=required) or []
        list_path = child_path(path, key)
        codes: list[str] = []
        for index, value in enumerate(values):
            value_path = item_path(list_path, index)
            code = (
                self.code_value(value, value_path)
                if choices is None
                else self.choice_value(value, value_path, choices)
            )
            if code is None:
                continue
            if code in codes:
                self.add(value_path, _("“%(code)s” is listed twice.") % {"code": code})
            else:
                codes.append(code)
        return tuple(codes)


def parse_definition(
    data: Mapping[str, Any], *, known_roles: set[str], known_agencies: set[str]
) -> ServiceDefinition:
    """The definition, or DefinitionInvalid naming every problem found.

    Optional keys and their defaults: categories, life_events, documents and fees ([]); illustrative and
    show_officer_names (false); renewal_of, contact, routing and consent (none)."""
    # Imported here: these modules build on the types above.
    from pracha.catalogue.eforms import parse_form
    from pracha.catalogue.workflow import parse_workflow

    reader = Reader()
    root = reader.mapping(data, "", keys=DEFINITION_KEYS)
    if root is None:
        raise DefinitionInvalid(reader.problems)

    code = reader.code(root, "code", "")
    if code is not None and len(code) > CODE_MAX_LENGTH:
        reader.add("code", _("A code has at most %(limit)d characters.") % {"limit": CODE_MAX_LENGTH})
    if code in RESERVED_CODES:
        reader.add(
            "code",
            _("“%(code)s” is a word the portal’s addresses use. Choose another code.") % {"code": code},
        )
    agency = reader.string(root, "agency", "")
    if agency is not None and agency not in known_agencies:
        reader.add("agency", _("There is no agency “%(agency)s”.") % {"agency": agency})
    audience = reader.code_list(root, "audience", "", choices=AUDIENCES)
    if "audience" in root and root["audience"] == []:
        reader.add("audience", _("Name at least one audience."))
    categories = reader.code_list(root, "categories", "", required=False)
    life_events = reader.code_list(root, "life_events", "", required=False)
    assurance = reader.choice(root, "assurance", "", ASSURANCES)
    illustrative = reader.flag(root, "illustrative", "")
    show_officer_names = reader.flag(root, "show_officer_names", "")
    renewal_of = reader.code(root, "renewal_of", "", required=False)
    time_limit_days = reader.count(root, "time_limit_days", "")
    name = reader.text(root, "name", "", max_length=NAME_MAX_LENGTH)
    summary = reader.text(root, "summary", "", max_length=SUMMARY_MAX_LENGTH)
    description = reader.text(root, "description", "")
    eligibility = reader.text(root, "eligibility", "")
    contact = reader.text(root, "contact", "", required=False)
    documents = _read_documents(reader, root)

    form: FormSpec | None = None
    raw_form = reader.submapping(root, "form", "")
    if raw_form is not None:
        form, form_problems = parse_form(raw_form, path="form")
        reader.problems.extend(form_problems)
    routing = _read_routing(reader, root, form, known_agencies)
    consent_field = _read_consent(reader, root, form)
    fees = _read_fees(reader, root, form)
    outcome = _read_outcome(reader, root)

    workflow: Workflow | None = None
    if reader.get(root, "workflow", "") is not None:
        workflow, workflow_problems = parse_workflow(
            root["workflow"],
            "workflow",
            known_roles=known_roles,
            fee_codes=_fee_codes(root),
            # A consent block with a mistake in it still counts: its own problem is reported above.
            has_consent=root.get("consent") is not None,
            known_agencies=known_agencies,
        )
        reader.problems.extend(workflow_problems)

    if reader.problems:
        raise DefinitionInvalid(reader.problems)
    # Every None below came with a problem, so none is left.
    assert code is not None and agency is not None and assurance is not None and time_limit_days is not None
    assert name is not None and summary is not None and description is not None and eligibility is not None
    assert form is not None and outcome is not None and workflow is not None
    return ServiceDefinition(
        code=code,
        agency=agency,
        audience=audience,
        categories=categories,
        life_events=life_events,
        assurance=cast(Literal["self_asserted", "verified"], assurance),
        illustrative=illustrative,
        show_officer_names=show_officer_names,
        renewal_of=renewal_of,
        time_limit_days=time_limit_days,
        name=name,
        summary=summary,
        description=description,
        eligibility=eligibility,
        contact=contact,
        routing=routing,
        documents=documents,
        fees=fees,
        consent_field=consent_field,
        form=form,
        outcome=outcome,
        workflow=workflow,
    )


def form_properties(form: FormSpec) -> Mapping[str, Any]:
    """The form's fields by name, as JSON Schema properties."""
    properties = form.schema.get("properties")
    return properties if isinstance(properties, Mapping) else {}


def _read_documents(reader: Reader, root: Mapping[str, Any]) -> tuple[DocumentRequirement, ...]:
    documents: list[DocumentRequirement] = []
    seen: set[str] = set()
    for index, value in enumerate(reader.sequence(root, "documents", "", required=False) or []):
        path = item_path("documents", index)
        obj = reader.mapping(value, path, keys=DOCUMENT_KEYS)
        if obj is None:
            continue
        before = len(reader.problems)
        code = reader.code(obj, "code", path)
        if code is not None:
            if code in seen:
                reader.add(
                    child_path(path, "code"),
                    _("Another document has the code “%(code)s” too.") % {"code": code},
                )
            seen.add(code)
        name = reader.text(obj, "name", path)
        types = reader.code_list(obj, "types", path, choices=DOCUMENT_TYPES)
        if obj.get("types") == []:
            reader.add(child_path(path, "types"), _("Name at least one file type."))
        max_size_kb = reader.count(obj, "max_size_kb", path)
        max_pages = reader.count(obj, "max_pages", path, required=False)
        if max_pages is not None and types and "pdf" not in types:
            reader.add(
                child_path(path, "max_pages"),
                _("Only PDFs have pages: add pdf to types or remove max_pages."),
            )
        optional = reader.flag(obj, "optional", path)
        held_by_state = reader.flag(obj, "held_by_state", path)
        if len(reader.problems) == before and code and name and max_size_kb:
            documents.append(
                DocumentRequirement(
                    code=code,
                    name=name,
                    types=types,
                    max_size_kb=max_size_kb,
                    max_pages=max_pages,
                    optional=optional,
                    held_by_state=held_by_state,
                )
            )
    return tuple(documents)


def _read_routing(
    reader: Reader, root: Mapping[str, Any], form: FormSpec | None, known_agencies: set[str]
) -> Routing | None:
    obj = reader.submapping(root, "routing", "", keys=("field", "agencies"), required=False)
    if obj is None:
        return None
    field_name = reader.string(obj, "field", "routing")
    agencies = reader.submapping(obj, "agencies", "routing")
    if agencies is None:
        return None
    agencies_path = "routing.agencies"
    if not agencies:
        reader.add(agencies_path, _("Name the agency for each choice of the routing field."))
    for value, agency in agencies.items():
        value_path = child_path(agencies_path, value)
        if reader.string_value(agency, value_path) is not None and agency not in known_agencies:
            reader.add(value_path, _("There is no agency “%(agency)s”.") % {"agency": agency})
    # Without a valid form the field cannot be checked; the form's own problems are reported.
    if form is None or field_name is None:
        return Routing(field=field_name or "", agencies=dict(agencies))
    prop = form_properties(form).get(field_name)
    if not isinstance(prop, Mapping):
        reader.add("routing.field", _("“%(name)s” is not a field of the form.") % {"name": field_name})
    elif not isinstance(prop.get("enum"), list):
        reader.add(
            "routing.field",
            _("Field “%(field)s” must be a choice (enum): the agency is picked by the answer.")
            % {"field": field_name},
        )
    else:
        choices = prop["enum"]
        for choice in choices:
            if choice not in agencies:
                reader.add(
                    agencies_path, _("No agency is named for the choice “%(choice)s”.") % {"choice": choice}
                )
        for value in agencies:
            if value not in choices:
                reader.add(
                    child_path(agencies_path, value),
                    _("“%(choice)s” is not a choice of field “%(field)s”.")
                    % {"choice": value, "field": field_name},
                )
    return Routing(field=field_name, agencies=dict(agencies))


def _read_consent(reader: Reader, root: Mapping[str, Any], form: FormSpec | None) -> str | None:
    obj = reader.submapping(root, "consent", "", keys=("field",), required=False)
    if obj is None:
        return None
    field_name = reader.string(obj, "field", "consent")
    if form is None or field_name is None:
        return field_name
    if field_name not in form_properties(form):
        reader.add("consent.field", _("“%(name)s” is not a field of the form.") % {"name": field_name})
    elif (ui := form.fields.get(field_name)) is not None and ui.widget != "national_id":
        reader.add(
            "consent.field",
            _("Field “%(field)s” must use the national_id widget: it holds the consenter’s national ID.")
            % {"field": field_name},
        )
    return field_name


def _read_fees(reader: Reader, root: Mapping[str, Any], form: FormSpec | None) -> tuple[FeeItem, ...]:
    from pracha.catalogue.fees import parse_fee  # imported here: fees builds on the types above

    fees: list[FeeItem] = []
    for index, value in enumerate(reader.sequence(root, "fees", "", required=False) or []):
        path = item_path("fees", index)
        obj = reader.mapping(value, path)
        if obj is None:
            continue
        fee, problems = parse_fee(obj, path, form)
        reader.problems.extend(problems)
        if fee is None:
            continue
        if any(other.code == fee.code for other in fees):
            reader.add(
                child_path(path, "code"), _("Another fee has the code “%(code)s” too.") % {"code": fee.code}
            )
        fees.append(fee)
    return tuple(fees)


def _fee_codes(root: Mapping[str, Any]) -> set[str]:
    """Every fee code written, even of a fee with a mistake: the fee's own problem is reported once, not
    again by each payment state charging it."""
    fees = root.get("fees")
    if not isinstance(fees, list):
        return set()
    return {fee["code"] for fee in fees if isinstance(fee, Mapping) and isinstance(fee.get("code"), str)}


def _read_outcome(reader: Reader, root: Mapping[str, Any]) -> OutcomeSpec | None:
    obj = reader.submapping(root, "outcome", "", keys=OUTCOME_KEYS)
    if obj is None:
        return None
    before = len(reader.problems)
    kind = reader.choice(obj, "kind", "outcome", OUTCOME_KINDS)
    name = reader.text(obj, "name", "outcome")
    prefix = reader.string(obj, "number_prefix", "outcome")
    if prefix is not None and not NUMBER_PREFIX_PATTERN.fullmatch(prefix):
        reader.add(
            "outcome.number_prefix",
            _("“%(prefix)s” is not a valid prefix: use capital letters and digits, starting with a letter.")
            % {"prefix": prefix},
        )
    valid_for_days = reader.count(obj, "valid_for_days", "outcome", required=False)
    conditions: list[Text] = []
    for index, value in enumerate(reader.sequence(obj, "conditions", "outcome", required=False) or []):
        condition = reader.text_value(value, item_path("outcome.conditions", index))
        if condition is not None:
            conditions.append(condition)
    if len(reader.problems) > before or kind is None or name is None or prefix is None:
        return None
    return OutcomeSpec(
        kind=kind,
        name=name,
        number_prefix=prefix,
        valid_for_days=valid_for_days,
        conditions=tuple(conditions),
    )
