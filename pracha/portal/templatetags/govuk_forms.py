"""Render Django form fields with the design system's markup.

`includes/field.html` asks `govuk_kind` which pattern a field needs (text input, select, radios in a
fieldset, ...) and `govuk_widget` for the control itself, with the design system's class and
aria-describedby pointing at the hint and the error message, so screen readers read them with the field.
"""

from dataclasses import dataclass

from django import template
from django.forms import BoundField, widgets
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

register = template.Library()

# The design system's class for each kind of control, and its modifier when the field has an error.
CONTROL_CLASSES = {
    "input": ("govuk-input", "govuk-input--error"),
    "select": ("govuk-select", "govuk-select--error"),
    "textarea": ("govuk-textarea", "govuk-textarea--error"),
    "file": ("govuk-file-upload", "govuk-file-upload--error"),
    "checkbox": ("govuk-checkboxes__input", ""),
}
DATE_PART_LABELS = {"day": _("Day"), "month": _("Month"), "year": _("Year")}


@register.filter
def govuk_kind(field: BoundField) -> str:
    """hidden, date, checkboxes, radios, checkbox, select, textarea, file or input."""
    widget = field.field.widget
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, widgets.SelectDateWidget):
        return "date"
    # CheckboxSelectMultiple is a subclass of RadioSelect, so it is tested first.
    if isinstance(widget, widgets.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, widgets.RadioSelect):
        return "radios"
    if isinstance(widget, widgets.CheckboxInput):
        return "checkbox"
    if isinstance(widget, widgets.Select):
        return "select"
    if isinstance(widget, widgets.Textarea):
        return "textarea"
    if isinstance(widget, widgets.FileInput):
        return "file"
    return "input"


@register.filter
def govuk_id(field: BoundField) -> str:
    """The id the hint and error message ids are built from."""
    return field.auto_id or field.html_name


@register.filter
def govuk_describedby(field: BoundField) -> str:
    """The ids of the hint and the error message, in reading order, for aria-describedby."""
    base = govuk_id(field)
    ids = []
    if field.help_text:
        ids.append(f"{base}-hint")
    if field.errors:
        ids.append(f"{base}-error")
    return " ".join(ids)


@register.filter
def govuk_error_target(field: BoundField) -> str:
    """Where an error summary link must point: the first radio, checkbox or date part of a group."""
    kind = govuk_kind(field)
    if kind in ("radios", "checkboxes"):
        subwidgets = field.subwidgets
        return str(subwidgets[0].data["attrs"].get("id", "")) if subwidgets else govuk_id(field)
    return field.id_for_label or govuk_id(field)


@register.simple_tag
def govuk_widget(field: BoundField, extra_class: str = "") -> SafeString:
    """The control with the design system's class (kept alongside any class the form set)."""
    kind = govuk_kind(field)
    base, error = CONTROL_CLASSES.get(kind, ("", ""))
    classes = [base, field.field.widget.attrs.get("class", ""), extra_class]
    if field.errors:
        classes.append(error)
    attrs: dict[str, str | bool] = {"class": " ".join(c for c in classes if c)}
    describedby = govuk_describedby(field)
    if describedby:
        attrs["aria-describedby"] = describedby
    return field.as_widget(attrs=attrs)


@dataclass(frozen=True)
class DatePart:
    id: str
    label: str
    html: SafeString
    is_year: bool


@register.filter
def govuk_date_parts(field: BoundField) -> list[DatePart]:
    """The day, month and year selects of a SelectDateWidget, each to be given its own label."""
    widget = field.field.widget
    css = "govuk-select govuk-date-input__input" + (" govuk-select--error" if field.errors else "")
    attrs = field.build_widget_attrs({"id": field.auto_id, "class": css} if field.auto_id else {"class": css})
    context = widget.get_context(field.html_name, field.value(), attrs)
    parts = []
    for sub in context["widget"]["subwidgets"]:
        name = str(sub["name"]).rsplit("_", 1)[-1]
        # Django's own select template escapes everything it is given, so its output is safe.
        html = mark_safe(field.form.renderer.render(sub["template_name"], {"widget": sub}))  # noqa: S308
        parts.append(
            DatePart(
                id=str(sub["attrs"]["id"]),
                label=str(DATE_PART_LABELS.get(name, name)),
                html=html,
                is_year=name == "year",
            )
        )
    return parts
