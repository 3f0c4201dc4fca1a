"""Forms of the applicant's pages. The service's own form is built from its definition by
`catalogue.public.eforms.build_form`; these are the small forms around it. Rules and their messages live in
the services: forms only turn what people typed into values."""

import datetime
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from pracha.catalogue.public import DocumentRequirement, eforms
from pracha.core.thai_dates import buddhist_year

NOTE_MAX_LENGTH = 2000
MESSAGE_MAX_LENGTH = 4000


class PrachaForm(forms.Form):
    # Browsers' own "required" bubbles are untranslated and skip the error summary; the server says it.
    use_required_attribute = False


def date_example() -> str:
    """How to write a date, in the reader's calendar: 12/3/2569 in Thai, 12/3/2026 in English."""
    example = datetime.date(2026, 3, 12)
    thai = (get_language() or "th").startswith("th")
    year = buddhist_year(example) if thai else example.year
    return str(_("For example %(date)s (day/month/year).") % {"date": f"12/3/{year}"})


def prepare_service_form(form: eforms.ServiceForm) -> eforms.ServiceForm:
    """What a person needs that the definition does not carry: how to write a date, messages for a value
    that cannot be read which name the question, and input widths that fit the answer."""
    for field in form.fields.values():
        label = {"label": field.label}
        if isinstance(field, eforms.ThaiDateField):
            field.help_text = " ".join(part for part in (str(field.help_text or ""), date_example()) if part)
            field.error_messages["invalid"] = _("“%(label)s” must be a real date.") % label
            _widen(field, "govuk-input--width-10")
        elif isinstance(field, forms.DecimalField):  # before IntegerField: a DecimalField is one
            field.error_messages["invalid"] = _("“%(label)s” must be a number.") % label
            _widen(field, "govuk-input--width-10")
        elif isinstance(field, forms.IntegerField):
            field.error_messages["invalid"] = _("“%(label)s” must be a whole number.") % label
            _widen(field, "govuk-input--width-10")
        elif isinstance(field, eforms.NationalIdField):
            _widen(field, "govuk-input--width-20")
        elif isinstance(field, forms.ChoiceField):
            field.error_messages["invalid_choice"] = _("Choose one of the options for “%(label)s”.") % label
        if isinstance(field.widget, forms.Textarea):
            field.widget.attrs["rows"] = 4
    return form


def _widen(field: forms.Field, width: str) -> None:
    field.widget.attrs["class"] = " ".join(filter(None, (field.widget.attrs.get("class", ""), width)))


def _submitted_value(form: forms.Form, name: str) -> Any:
    field = form.fields[name]
    return field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))


def keep_errors_of_given_values(form: forms.Form) -> None:
    """For "save and come back later": an empty field is not an error yet, a wrong value still is.

    Call after is_valid(); removes the errors of fields left empty and the errors across fields (which
    can only be judged when the form is complete), so what remains is what the person got wrong."""
    for name in list(form.errors):
        if name == NON_FIELD_ERRORS:
            del form.errors[name]
            continue
        value = _submitted_value(form, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            del form.errors[name]


def answers_to_save(form: eforms.ServiceForm, names: Any) -> dict[str, Any]:
    """The answers of `names` as JSON; a field left empty is given as None so a stored answer is cleared."""
    cleaned = {name: value for name, value in form.cleaned_data.items() if name not in form.errors}
    answers = eforms.answers_from_cleaned(form.spec, cleaned)
    return {name: answers.get(name) for name in names}


# Around the service's form.


class DocumentUploadForm(PrachaForm):
    file = forms.FileField(
        error_messages={
            "required": _("Choose a file to upload."),
            "empty": _("The selected file is empty."),
            "invalid": _("The selected file could not be read. Please choose it again."),
        },
    )

    def __init__(self, *args: Any, document: DocumentRequirement, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", document.code)
        super().__init__(*args, **kwargs)
        self.document = document
        self.fields["file"].label = _("Choose the file for “%(name)s”") % {"name": document.name}
        self.fields["file"].widget.attrs["accept"] = ",".join(
            {"pdf": ".pdf,application/pdf", "jpeg": ".jpg,.jpeg,image/jpeg", "png": ".png,image/png"}[kind]
            for kind in document.types
        )


class DeclarationForm(PrachaForm):
    declaration = forms.BooleanField(
        label=_("I declare that the information I have given is true and complete."),
        error_messages={"required": _("Tick the box to declare that the information you gave is true.")},
    )
    # Made when the page is shown: the same page sent twice (a double click, a retry) submits once.
    idempotency_key = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("This page has expired. Please check your answers and send again."),
            "invalid": _("This page has expired. Please check your answers and send again."),
        },
    )


class MessageForm(PrachaForm):
    body = forms.CharField(
        label=_("Your message"),
        help_text=_("The agency handling your application will read it and reply here."),
        widget=forms.Textarea({"rows": 4}),
        max_length=MESSAGE_MAX_LENGTH,
        error_messages={"required": _("Write your message.")},
    )


class WithdrawForm(PrachaForm):
    reason = forms.CharField(
        label=_("Why are you withdrawing? (optional)"),
        help_text=_("The agency will see your reason."),
        widget=forms.Textarea({"rows": 3}),
        max_length=NOTE_MAX_LENGTH,
        required=False,
    )


class ConsentForm(PrachaForm):
    note = forms.CharField(
        label=_("A note for the applicant and the agency (optional)"),
        widget=forms.Textarea({"rows": 3}),
        max_length=NOTE_MAX_LENGTH,
        required=False,
    )
    action = forms.ChoiceField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose whether you agree."),
            "invalid_choice": _("Choose whether you agree."),
        },
    )

    def __init__(self, *args: Any, actions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = actions  # type: ignore[attr-defined]
