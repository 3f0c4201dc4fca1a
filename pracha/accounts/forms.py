"""Forms parse what people type; the rules and their messages come from workflow and services."""

import datetime
from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from pracha.accounts import workflow
from pracha.accounts.models import User
from pracha.agencies.public import Agency
from pracha.core.errors import InvalidInput
from pracha.core.thai_dates import buddhist_year
from pracha.core.thai_ids import validate_national_id


class WorkflowField(forms.CharField):
    """A text field cleaned by one workflow rule, so the form and the service give the same message.

    The rule also owns the "empty" message, which names the field instead of "This field is required."
    """

    def __init__(self, *, rule: Callable[[str], str], **kwargs: Any) -> None:
        self.rule = rule
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = super().to_python(value) or ""
        try:
            return self.rule(text)
        except InvalidInput as error:
            raise forms.ValidationError(str(error.message)) from None


def national_id_rule(value: str) -> str:
    return validate_national_id(value)


def name_rule(field: str) -> Callable[[str], str]:
    clean = workflow.clean_thai_name if field.endswith("_th") else workflow.clean_english_name
    return lambda value: clean(value, field=field)


def name_field(field: str) -> WorkflowField:
    return WorkflowField(
        rule=name_rule(field), label=workflow.NAME_LABELS[field], help_text=_("As on your ID card.")
    )


NATIONAL_ID_LABEL = _("National ID number")
NATIONAL_ID_HINT = _("The 13 digits on your ID card, for example 1 2345 67890 12 3.")


class NationalIdInput(forms.TextInput):
    """People type the number as printed (1-2345-67890-12-3); a 13-character limit would cut that off."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            {"autocomplete": "username", "inputmode": "numeric", "spellcheck": "false", **(attrs or {})}
        )

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].pop("maxlength", None)
        return context


class NationalIdField(WorkflowField):
    """The national ID number as the sign-up "username".

    allauth's signup form sets its username field's label to "Username" after our __init__ has run, so the
    label is fixed here rather than assigned.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(rule=national_id_rule, widget=NationalIdInput, help_text=NATIONAL_ID_HINT, **kwargs)

    @property  # type: ignore[override]
    def label(self) -> str | Promise:
        return NATIONAL_ID_LABEL

    @label.setter
    def label(self, value: object) -> None:
        pass


class DateOfBirthWidget(forms.MultiWidget):
    """Day, month and year as three boxes (the GOV.UK date input); the year is shown in the Buddhist era
    to Thai readers."""

    template_name = "accounts/widgets/date_input.html"
    part_labels = (_("Day"), _("Month"), _("Year"))

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        part = {"inputmode": "numeric", "class": "govuk-input govuk-date-input__input"}
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            "day": forms.TextInput({**part, "class": part["class"] + " govuk-input--width-2"}),
            "month": forms.TextInput({**part, "class": part["class"] + " govuk-input--width-2"}),
            "year": forms.TextInput({**part, "class": part["class"] + " govuk-input--width-4"}),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[str]:
        if not isinstance(value, datetime.date):
            return ["", "", ""]
        language = translation.get_language() or "th"
        year = buddhist_year(value) if language.startswith("th") else value.year
        return [str(value.day), str(value.month), str(year)]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        subwidgets = context["widget"]["subwidgets"]
        if context["widget"]["attrs"].get("aria-invalid"):  # Django marks a field with errors this way
            for subwidget in subwidgets:
                subwidget["attrs"]["class"] += " govuk-input--error"
        context["widget"]["parts"] = list(zip(self.part_labels, subwidgets, strict=True))
        return context

    def id_for_label(self, id_: str) -> str:
        # The error summary links to the day box, where a person starts correcting the date.
        return f"{id_}_0" if id_ else ""


class DateOfBirthField(forms.Field):
    widget = DateOfBirthWidget

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Date of birth"))
        kwargs.setdefault(
            "help_text", _("For example 15 1 2533. You can write the year in the Buddhist era or as 1990.")
        )
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime.date:
        try:
            if isinstance(value, datetime.date):  # a disabled field cleans its initial value
                return workflow.check_date_of_birth(value, today=timezone.localdate())
            day, month, year = (value or ["", "", ""])[:3]
            return workflow.date_of_birth_from_parts(day, month, year, today=timezone.localdate())
        except InvalidInput as error:
            raise forms.ValidationError(str(error.message)) from None


def phone_field() -> WorkflowField:
    return WorkflowField(
        rule=workflow.clean_thai_mobile,
        label=_("Mobile phone number"),
        help_text=_("For example 081 234 5678."),
        widget=forms.TextInput({"autocomplete": "tel", "inputmode": "tel"}),
    )


class PrachaForm(forms.Form):
    # Browsers' own "required" bubbles are untranslated and skip the error summary; the server says it.
    use_required_attribute = False


class CitizenSignupForm(PrachaForm):
    """The extra fields of allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS is the base of that form).

    allauth supplies username (our national ID), email and the two passwords; the adapter's save_user hands
    everything to services.citizen_sign_up.
    """

    first_name_th = name_field("first_name_th")
    last_name_th = name_field("last_name_th")
    first_name_en = name_field("first_name_en")
    last_name_en = name_field("last_name_en")
    date_of_birth = DateOfBirthField()
    phone = phone_field()

    field_order = [
        "username",
        "first_name_th",
        "last_name_th",
        "first_name_en",
        "last_name_en",
        "date_of_birth",
        "phone",
        "email",
        "password1",
        "password2",
    ]
    # allauth adds these fields after our __init__, so their messages are set just before validation.
    field_messages: dict[str, dict[str, StrOrPromise]] = {
        "email": {
            "required": _("Enter your e-mail address."),
            "invalid": _("Enter an e-mail address in the right format, for example name@example.com."),
        },
        "password1": {"required": _("Enter a password.")},
        "password2": {"required": _("Enter the same password again.")},
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # allauth declares its own username field on the subclass, which would win over a declaration here.
        self.fields["username"] = NationalIdField()

    def full_clean(self) -> None:
        for name, messages in self.field_messages.items():
            if name in self.fields:
                field = self.fields[name]
                field.error_messages = {**field.error_messages, **messages}
        super().full_clean()

    def signup(self, request: HttpRequest, user: User) -> None:
        """allauth calls this after save_user; the service has already stored every field."""


class VerifyIdentityForm(PrachaForm):
    laser_code = WorkflowField(
        rule=workflow.clean_laser_code,
        label=_("Laser code"),
        help_text=_("On the back of your ID card: 2 letters and 10 digits, for example JT1-2345678-90."),
        widget=forms.TextInput({"autocomplete": "off", "spellcheck": "false"}),
    )


class ProfileForm(PrachaForm):
    first_name_th = name_field("first_name_th")
    last_name_th = name_field("last_name_th")
    first_name_en = name_field("first_name_en")
    last_name_en = name_field("last_name_en")
    date_of_birth = DateOfBirthField()
    phone = phone_field()

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {name: getattr(user, name) for name in self.base_fields})
        super().__init__(*args, **kwargs)
        if user.is_verified:
            # Shown but not editable: a disabled field keeps its stored value whatever is posted.
            for name in workflow.LOCKED_WHEN_VERIFIED:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Verified against the population register.")


class TokenCreateForm(PrachaForm):
    name = forms.CharField(
        label=_("Token name"),
        help_text=_("Say which program will use it, for example “Accounting software”."),
        required=False,
    )
    agency = forms.ChoiceField(label=_("Who the token acts for"), required=False)

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if agencies:
            choices: list[tuple[str, StrOrPromise]] = [("", _("Only me (a personal token)"))]
            choices += [
                (agency.code, _("The agency system of %(agency)s") % {"agency": agency})
                for agency in agencies
            ]
            self.fields["agency"].choices = choices  # type: ignore[attr-defined]
        else:
            del self.fields["agency"]


class PersonLookupForm(PrachaForm):
    """Posted, never a query string: national ID numbers must not end up in URLs and server logs."""

    national_id = WorkflowField(
        rule=national_id_rule,
        label=NATIONAL_ID_LABEL,
        help_text=NATIONAL_ID_HINT,
        widget=forms.TextInput({"autocomplete": "off", "inputmode": "numeric"}),
    )
    agency = forms.ChoiceField(label=_("Looking up for"), required=False)

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(agency.code, str(agency)) for agency in agencies]  # type: ignore[attr-defined]
        if agencies:
            self.fields["agency"].initial = agencies[0].code
