"""Application forms: a JSON Schema says which answers are valid, `ui` says how each field is asked.

The schema is the one rule book. Django form fields only turn what people type into values (a whole
number, a date, a national ID, one of the choices); the limits (`minimum`, `maxLength`, `pattern`, ...)
are checked by jsonschema, in the form's clean() and in `validate_answers` alike, so a person using the
portal and a program using the API get the same messages.

Answers are stored as JSON: dates as ISO strings, numbers as int or float.
"""

import datetime
import re
from collections.abc import Callable, Collection, Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError
from jsonschema.exceptions import ValidationError as SchemaValidationError

from pracha.catalogue.definitions import FieldUi, FormSpec, Problem, Text
from pracha.core.errors import InvalidInput
from pracha.core.thai_dates import BUDDHIST_ERA_OFFSET, buddhist_year, format_date
from pracha.core.thai_ids import format_thai_id, validate_national_id

# The property types each widget can ask for.
WIDGET_TYPES: dict[str, tuple[str, ...]] = {
    "text": ("string",),
    "textarea": ("string",),
    "number": ("integer", "number"),
    "radio": ("string", "integer", "number"),
    "select": ("string", "integer", "number"),
    "checkbox": ("boolean",),
    "date": ("string",),
    "national_id": ("string",),
}
PROPERTY_TYPES = ("string", "integer", "number", "boolean")
CHOICE_WIDGETS = ("radio", "select", "checkbox")
# A year above this is in the Buddhist era (2569 BE is 2026 CE); no form asks about the year 2400 CE.
BUDDHIST_ERA_FROM = 2400
ISO_DATE = re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})")
DAY_MONTH_YEAR = re.compile(r"(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})")
# Only `format: date` is understood; other formats are annotations, as JSON Schema has them by default.
FORMAT_CHECKER = FormatChecker(formats=("date",))


# Parsing the definition's `form` block.


def parse_text(data: Any, path: str) -> tuple[Text | None, list[Problem]]:
    """A {th, en} pair with both texts given."""
    if isinstance(data, Mapping):
        th, en = data.get("th"), data.get("en")
        if isinstance(th, str) and th.strip() and isinstance(en, str) and en.strip():
            return Text(th=th.strip(), en=en.strip()), []
    return None, [Problem(path, _("Give the text in both Thai and English."))]


def parse_form(data: Any, path: str = "form") -> tuple[FormSpec | None, list[Problem]]:
    """The form, or None and every problem found in it."""
    if not isinstance(data, Mapping):
        return None, [Problem(path, _("Give the form as a mapping with “schema” and “ui”."))]
    schema = data.get("schema")
    properties, problems = _parse_schema(schema, f"{path}.schema")
    if properties is None:
        return None, problems
    ui = data.get("ui")
    if not isinstance(ui, Mapping):
        return None, [
            *problems,
            Problem(f"{path}.ui", _("Give “ui” as a mapping with “order” and “fields”.")),
        ]
    order, order_problems = _parse_order(ui.get("order"), properties, f"{path}.ui.order")
    fields, field_problems = _parse_fields(ui.get("fields"), properties, f"{path}.ui.fields")
    problems += order_problems + field_problems
    if problems:
        return None, problems
    return FormSpec(schema=data["schema"], order=order, fields=fields), []


def _parse_schema(schema: Any, path: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The schema's properties, or None when the schema cannot be used at all."""
    if not isinstance(schema, dict):
        return None, [Problem(path, _("Give the schema as a JSON Schema object."))]
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        where = path + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.path)
        return None, [
            Problem(where, _("This is not valid JSON Schema: %(error)s") % {"error": error.message})
        ]
    if schema.get("type") != "object":
        return None, [Problem(f"{path}.type", _("The schema’s type must be “object”."))]
    properties: dict[str, Any] = schema.get("properties", {})
    problems = []
    for name, prop in properties.items():
        kind = prop.get("type") if isinstance(prop, Mapping) else None
        if kind not in PROPERTY_TYPES:
            problems.append(
                Problem(
                    f"{path}.properties.{name}.type",
                    _("“%(type)s” is not a field type; use string, integer, number or boolean.")
                    % {"type": kind},
                )
            )
    for index, name in enumerate(schema.get("required", [])):
        if name not in properties:
            problems.append(Problem(f"{path}.required[{index}]", _not_a_field(name)))
    return properties, problems


def _not_a_field(name: object) -> str:
    return _("“%(name)s” is not a field of the form.") % {"name": name}


def _parse_order(
    data: Any, properties: Mapping[str, Any], path: str
) -> tuple[tuple[str, ...], list[Problem]]:
    if not isinstance(data, list) or not all(isinstance(name, str) for name in data):
        return (), [Problem(path, _("Give the order as a list of the form’s field names."))]
    problems = []
    seen: set[str] = set()
    for index, name in enumerate(data):
        if name not in properties:
            problems.append(Problem(f"{path}[{index}]", _not_a_field(name)))
        elif name in seen:
            problems.append(
                Problem(f"{path}[{index}]", _("“%(name)s” is listed more than once.") % {"name": name})
            )
        seen.add(name)
    problems += [
        Problem(path, _("“%(name)s” is missing from the order.") % {"name": name})
        for name in properties
        if name not in seen
    ]
    return tuple(data), problems


def _parse_fields(
    data: Any, properties: Mapping[str, Any], path: str
) -> tuple[dict[str, FieldUi], list[Problem]]:
    if not isinstance(data, Mapping):
        return {}, [Problem(path, _("Give “fields” as a mapping with a label and widget for each field."))]
    problems = [Problem(f"{path}.{name}", _not_a_field(name)) for name in data if name not in properties]
    fields = {}
    for name, prop in properties.items():
        field, field_problems = _parse_field(data.get(name), prop, f"{path}.{name}")
        problems += field_problems
        if field is not None:
            fields[name] = field
    return fields, problems


def _parse_field(data: Any, prop: Any, path: str) -> tuple[FieldUi | None, list[Problem]]:
    if not isinstance(data, Mapping):
        return None, [Problem(path, _("Give the field’s label and widget."))]
    label, problems = parse_text(data.get("label"), f"{path}.label")
    help_text = None
    if data.get("help") is not None:
        help_text, help_problems = parse_text(data["help"], f"{path}.help")
        problems += help_problems
    widget = data.get("widget")
    kind = prop.get("type") if isinstance(prop, Mapping) else None
    if widget not in WIDGET_TYPES:
        message = _(
            "“%(widget)s” is not a widget; use text, textarea, number, radio, select, checkbox, date or "
            "national_id."
        ) % {"widget": widget}
        problems.append(Problem(f"{path}.widget", message))
    elif kind in PROPERTY_TYPES:  # a wrong type is reported on the schema already
        unfit = _widget_unfit(str(widget), prop)
        if unfit:
            problems.append(Problem(f"{path}.widget", unfit))
    options, option_problems = _parse_options(data.get("options"), prop, f"{path}.options")
    problems += option_problems
    if label is None or problems:
        return None, problems
    return FieldUi(label=label, widget=str(widget), help=help_text, options=options), []


def _widget_unfit(widget: str, prop: Mapping[str, Any]) -> str | None:
    if prop["type"] not in WIDGET_TYPES[widget]:
        return _("The “%(widget)s” widget does not fit a field of type “%(type)s”.") % {
            "widget": widget,
            "type": prop["type"],
        }
    if widget in ("radio", "select") and "enum" not in prop:
        return _("The “%(widget)s” widget needs an “enum” listing the choices.") % {"widget": widget}
    if widget == "date" and prop.get("format") != "date":
        return _("The “date” widget needs “format: date” in the schema.")
    return None


def _parse_options(data: Any, prop: Any, path: str) -> tuple[dict[str, Text], list[Problem]]:
    """A label for every enum value, keyed by the value as text (YAML may give integer keys)."""
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        return {}, [Problem(path, _("Give the options as a mapping from each value to its label."))]
    given = {str(value): label for value, label in data.items()}
    enum = prop.get("enum", []) if isinstance(prop, Mapping) else []
    values = [str(value) for value in enum]
    problems = [
        Problem(
            f"{path}.{value}", _("“%(value)s” is not one of the field’s “enum” values.") % {"value": value}
        )
        for value in given
        if value not in values
    ]
    options = {}
    for value in values:
        if value not in given:
            message = _("Give a label for “%(value)s” in both Thai and English.") % {"value": value}
            problems.append(Problem(f"{path}.{value}", message))
            continue
        label, label_problems = parse_text(given[value], f"{path}.{value}")
        problems += label_problems
        if label is not None:
            options[value] = label
    return options, problems


# Checking answers with the schema.


def _properties(spec: FormSpec) -> Mapping[str, Mapping[str, Any]]:
    properties: Mapping[str, Mapping[str, Any]] = spec.schema.get("properties", {})
    return properties


def _format_number(value: int | float | Decimal) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}"


def _required_message(ui: FieldUi) -> str:
    if ui.widget in CHOICE_WIDGETS:
        return _("Choose an answer for “%(label)s”.") % {"label": ui.label}
    return _("Enter “%(label)s”.") % {"label": ui.label}


def _error_message(error: SchemaValidationError, ui: FieldUi, prop: Mapping[str, Any]) -> str:
    """The message for one jsonschema error on a field, in the active language."""
    label = str(ui.label)
    kind = error.validator
    limit: Any = error.validator_value
    if kind == "minLength" and error.instance == "":
        return _required_message(ui)  # "" is how an API caller leaves a text empty
    if kind == "minimum":
        return _("“%(label)s” must be %(limit)s or more.") % {"label": label, "limit": _format_number(limit)}
    if kind == "maximum":
        return _("“%(label)s” must be %(limit)s or less.") % {"label": label, "limit": _format_number(limit)}
    if kind == "minLength":
        return ngettext(
            "“%(label)s” must be at least %(limit)d character long.",
            "“%(label)s” must be at least %(limit)d characters long.",
            limit,
        ) % {"label": label, "limit": limit}
    if kind == "maxLength":
        return ngettext(
            "“%(label)s” must be %(limit)d character or fewer.",
            "“%(label)s” must be %(limit)d characters or fewer.",
            limit,
        ) % {"label": label, "limit": limit}
    if kind == "pattern":
        return _("“%(label)s” is not in the right format.") % {"label": label}
    if kind == "enum":
        return _("Choose one of the options for “%(label)s”.") % {"label": label}
    if kind == "format":
        return _("“%(label)s” must be a real date written year-month-day, for example 2026-03-12.") % {
            "label": label
        }
    if kind == "type":
        messages = {
            "string": _("“%(label)s” must be text."),
            "integer": _("“%(label)s” must be a whole number."),
            "number": _("“%(label)s” must be a number."),
            "boolean": _("“%(label)s” must be true or false."),
        }
        return messages[prop["type"]] % {"label": label}
    return _("“%(label)s” is not valid.") % {"label": label}


def validate_answers(spec: FormSpec, answers: Mapping[str, Any]) -> dict[str, list[str]]:
    """Each field's error (one per field), from the schema alone; NON_FIELD_ERRORS for rules across fields."""
    properties = _properties(spec)
    errors: dict[str, list[str]] = {
        name: [_("This field is not part of the form.")] for name in answers if name not in properties
    }
    known = {name: value for name, value in answers.items() if name in properties}
    validator = Draft202012Validator(spec.schema, format_checker=FORMAT_CHECKER)
    for error in validator.iter_errors(known):
        if error.validator == "required":
            # One error per missing property, each carrying the whole list: name the missing ones.
            for name in error.validator_value:
                if name not in known and name not in errors:
                    errors[name] = [_required_message(spec.fields[name])]
        elif error.path:
            name = str(error.path[0])
            if name not in errors:
                errors[name] = [_error_message(error, spec.fields[name], properties[name])]
        elif NON_FIELD_ERRORS not in errors:
            errors[NON_FIELD_ERRORS] = [_("The answers do not meet the form’s rules. Please check them.")]
    return errors


# The Django form.


class NumberTextInput(forms.TextInput):
    """A text box, as the design system advises: type=number drops what it cannot parse without a word."""

    def __init__(self, *, decimal: bool) -> None:
        super().__init__({"inputmode": "decimal" if decimal else "numeric", "spellcheck": "false"})

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        value = super().value_from_datadict(data, files, name)
        # People write 1,500 or 1 500 for fifteen hundred.
        return value.replace(",", "").replace(" ", "") if isinstance(value, str) else value


class DateTextInput(forms.TextInput):
    """A date shown as day/month/year, the year in the Buddhist era to Thai readers."""

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value)  # stored answers are ISO strings
            except ValueError:
                return value  # what the person typed, shown back to them
        if isinstance(value, datetime.date):
            thai = (get_language() or "th").startswith("th")
            return f"{value.day}/{value.month}/{buddhist_year(value) if thai else value.year}"
        return super().format_value(value)


class ThaiDateField(forms.DateField):
    """2026-03-12, 12/3/2026 or 12/3/2569: a year above 2400 is in the Buddhist era."""

    widget = DateTextInput

    def to_python(self, value: Any) -> datetime.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = str(value).strip()
        match = ISO_DATE.fullmatch(text) or DAY_MONTH_YEAR.fullmatch(text)
        if match is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        year = int(match["year"])
        if year > BUDDHIST_ERA_FROM:
            year -= BUDDHIST_ERA_OFFSET
        try:
            return datetime.date(year, int(match["month"]), int(match["day"]))
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class NationalIdField(forms.CharField):
    """13 digits with a valid check digit; cleaned to the bare digits whatever the grouping typed."""

    def __init__(self, **kwargs: Any) -> None:
        attrs = {"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        super().__init__(widget=forms.TextInput(attrs), **kwargs)

    def to_python(self, value: Any) -> str:
        text = str(super().to_python(value))
        if text in self.empty_values:
            return text
        try:
            return validate_national_id(text)
        except InvalidInput as error:
            raise forms.ValidationError(str(error.message), code="invalid") from None


def _coerce_number(value: str) -> Decimal:
    return Decimal(value)


COERCE: dict[str, Callable[[str], Any]] = {"string": str, "integer": int, "number": _coerce_number}


def _django_field(ui: FieldUi, prop: Mapping[str, Any], *, required: bool) -> forms.Field:
    common: dict[str, Any] = {
        "label": str(ui.label),
        "help_text": str(ui.help) if ui.help else "",
        "required": required,
        "error_messages": {"required": _required_message(ui)},
    }
    kind = prop["type"]
    if ui.widget in ("radio", "select"):
        choices: list[tuple[str, str]] = [(str(value), str(ui.options[str(value)])) for value in prop["enum"]]
        if ui.widget == "select":
            choices.insert(0, ("", _("Choose one")))
        widget = forms.RadioSelect if ui.widget == "radio" else forms.Select
        return forms.TypedChoiceField(
            choices=choices, coerce=COERCE[kind], empty_value=None, widget=widget, **common
        )
    if ui.widget == "checkbox":
        # An unticked box is the answer "no", never a missing answer: a boolean is always answered.
        return forms.BooleanField(**{**common, "required": False})
    if ui.widget == "number" and kind == "integer":
        return forms.IntegerField(widget=NumberTextInput(decimal=False), **common)
    if ui.widget == "number":
        return forms.DecimalField(widget=NumberTextInput(decimal=True), **common)
    if ui.widget == "date":
        return ThaiDateField(**common)
    if ui.widget == "national_id":
        return NationalIdField(**common)
    if ui.widget == "textarea":
        return forms.CharField(widget=forms.Textarea, **common)
    return forms.CharField(**common)


class ServiceForm(forms.Form):
    """One field per form property, in the order of `ui.order`; see build_form."""

    # Browsers' own "required" bubbles are untranslated and skip the error summary; the server says it.
    use_required_attribute = False

    def __init__(
        self,
        spec: FormSpec,
        *,
        data: Mapping[str, Any] | None = None,
        initial: Mapping[str, Any] | None = None,
        marked: Collection[str] = (),
    ) -> None:
        super().__init__(data=data, initial=dict(initial) if initial is not None else None)
        self.spec = spec
        properties = _properties(spec)
        required = set(spec.schema.get("required", ()))
        for name in spec.order:
            field = _django_field(spec.fields[name], properties[name], required=name in required)
            # Templates highlight what the officer asked to correct; the rest stays as it was.
            field.marked = name in marked  # type: ignore[attr-defined]
            field.disabled = bool(marked) and name not in marked
            self.fields[name] = field

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        answers = answers_from_cleaned(self.spec, cleaned)
        for name, messages in validate_answers(self.spec, answers).items():
            # A field that could not be read is missing from the answers; its own error says why.
            if name in self.errors:
                continue
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        return self.cleaned_data


def build_form(
    spec: FormSpec,
    *,
    data: Mapping[str, Any] | None = None,
    initial: Mapping[str, Any] | None = None,
    marked: Collection[str] = (),
) -> ServiceForm:
    """The form for the applicant. With `marked` (fields an officer sent back), only those can be changed."""
    return ServiceForm(spec, data=data, initial=initial, marked=marked)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def answers_from_cleaned(spec: FormSpec, cleaned_data: Mapping[str, Any]) -> dict[str, Any]:
    """The answers as JSON; an optional field left empty is left out."""
    answers = {}
    for name in spec.order:
        value = cleaned_data.get(name)
        if value is None or value == "":
            continue
        answers[name] = _json_value(value)
    return answers


def display_answers(spec: FormSpec, answers: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(name, label, the answer as a person reads it) for every field in order; "" when not answered."""
    properties = _properties(spec)
    return [
        (name, str(spec.fields[name].label), _display(spec.fields[name], properties[name], answers.get(name)))
        for name in spec.order
    ]


def _display(ui: FieldUi, prop: Mapping[str, Any], value: Any) -> str:
    if value is None:
        return ""
    if str(value) in ui.options:
        return str(ui.options[str(value)])
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if prop.get("format") == "date" and isinstance(value, str):
        try:
            return format_date(datetime.date.fromisoformat(value))
        except ValueError:
            return value
    if ui.widget == "national_id":
        return format_thai_id(str(value))
    if isinstance(value, int | float | Decimal):
        return _format_number(value)
    return str(value)
