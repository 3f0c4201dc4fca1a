"""Forms of the catalogue: the public search with its filters, and the officer's definition editor."""

import json
from collections.abc import Mapping
from typing import Any

import yaml
from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pracha.catalogue.definitions import DEFINITION_KEYS
from pracha.catalogue.models import Audience

# Readable names of the codes the demo definitions use for browsing. A code without a name here is shown
# as it is written, so a new category works at once and gets a name when someone adds it.
CATEGORY_LABELS: dict[str, Promise] = {
    "business": pgettext_lazy("service category", "Business"),
    "health": pgettext_lazy("service category", "Health"),
    "civil-registration": pgettext_lazy("service category", "Civil registration"),
    "tax": pgettext_lazy("service category", "Tax"),
}
LIFE_EVENT_LABELS: dict[str, Promise] = {
    "open-a-restaurant": pgettext_lazy("life event", "Opening a restaurant"),
    "move-house": pgettext_lazy("life event", "Moving house"),
}
AUDIENCE_LABELS: dict[str, Promise] = {
    str(value): label for value, label in Audience.choices
}  # Citizens, Businesses, ...


def label_for(labels: Mapping[str, Promise], code: str) -> str:
    label = labels.get(code)
    return str(label) if label is not None else code


def category_label(code: str) -> str:
    return label_for(CATEGORY_LABELS, code)


def life_event_label(code: str) -> str:
    return label_for(LIFE_EVENT_LABELS, code)


def audience_label(code: str) -> str:
    return label_for(AUDIENCE_LABELS, code)


class ServiceSearchForm(forms.Form):
    """The catalogue's search box and filters, sent with GET so a search can be bookmarked and shared."""

    q = forms.CharField(
        label=_("Search for a service"),
        help_text=_("For example: restaurant, house registration, VAT"),
        required=False,
        max_length=200,
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    life_event = forms.ChoiceField(label=_("Life event"), required=False)
    audience = forms.ChoiceField(label=_("For"), required=False)

    def __init__(self, data: Any = None, *, facets: Mapping[str, list[str]]) -> None:
        super().__init__(data)
        anything = [("", _("Any"))]
        self.fields["category"].choices = anything + [  # type: ignore[attr-defined]
            (code, category_label(code)) for code in facets.get("categories", [])
        ]
        self.fields["life_event"].choices = anything + [  # type: ignore[attr-defined]
            (code, life_event_label(code)) for code in facets.get("life_events", [])
        ]
        self.fields["audience"].choices = anything + [  # type: ignore[attr-defined]
            (code, audience_label(code)) for code in facets.get("audience", [])
        ]

    def filters(self) -> dict[str, str]:
        """The valid filters (an invalid one is left out and shown as an error)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            "query": (cleaned.get("q") or "").strip(),
            "category": cleaned.get("category") or "",
            "life_event": cleaned.get("life_event") or "",
            "audience": cleaned.get("audience") or "",
        }


class _TextKeepingLoader(yaml.SafeLoader):
    """YAML's safe loader, except that dates and times stay text: a definition is JSON, which has no date."""


_TextKeepingLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def definition_yaml(data: Mapping[str, Any]) -> str:
    """A definition as YAML for the editor, its keys in the order of docs/service-definitions.md (the
    database may give them in another order)."""
    ordered = {key: data[key] for key in DEFINITION_KEYS if key in data}
    ordered |= {key: value for key, value in data.items() if key not in ordered}
    return yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, width=110)


class DefinitionForm(forms.Form):
    """The definition as YAML (JSON is YAML too). Whether it is a valid definition is the service's call."""

    definition = forms.CharField(
        label=_("Service definition (YAML)"),
        help_text=_(
            "The format is described in docs/service-definitions.md. "
            "Saving checks the whole definition and lists every problem found."
        ),
        widget=forms.Textarea(attrs={"rows": 40, "spellcheck": "false", "autocapitalize": "off"}),
        strip=False,
    )

    def clean_definition(self) -> dict[str, Any]:
        text = self.cleaned_data["definition"]
        try:
            data = yaml.load(text, Loader=_TextKeepingLoader)  # noqa: S506 (a safe loader)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark
            problem = error.problem or str(error)
            if mark is None:
                raise forms.ValidationError(
                    _("The YAML could not be read: %(problem)s"), params={"problem": problem}
                ) from None
            raise forms.ValidationError(
                _("The YAML could not be read at line %(line)d, column %(column)d: %(problem)s"),
                params={"line": mark.line + 1, "column": mark.column + 1, "problem": problem},
            ) from None
        except yaml.YAMLError as error:
            raise forms.ValidationError(
                _("The YAML could not be read: %(problem)s"), params={"problem": str(error)}
            ) from None
        if not isinstance(data, dict):
            raise forms.ValidationError(
                _("A definition is a set of keys with values, starting with “code:”."), code="not_mapping"
            )
        try:
            json.dumps(data)
        except (TypeError, ValueError):
            raise forms.ValidationError(
                _("Use only text, numbers, true or false, lists and keys with values."), code="not_json"
            ) from None
        return data
