"""Forms of the person's notification pages: the language and channels of their messages, and the e-mail
address or mobile number to confirm with a one-time code.

They turn what people type into values; the rules (a legal notice cannot be turned off, what a mobile
number looks like, how many codes may be asked for) and their messages live in the services, and the
views put those errors on these forms.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.forms.widgets import CheckboxInput
from django.utils.datastructures import MultiValueDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from pracha.notifications.kinds import EMAIL, SMS

# The channels a person chooses per kind of message; the in-app inbox always gets every message.
PREFERENCE_CHANNELS = (EMAIL, SMS)
CHANNEL_LABELS: dict[str, Promise] = {EMAIL: _("E-mail"), SMS: _("SMS")}
CODE_MAX_LENGTH = 20  # six digits, and room for the spaces people type between them


class NotificationsForm(forms.Form):
    # Browsers' own "required" bubbles are untranslated and skip the error summary; the server says it.
    use_required_attribute = False


def preference_field_name(kind: str, channel: str) -> str:
    return f"{kind}-{channel}"


class LegalCheckbox(CheckboxInput):
    """A legal notice's box is shown ticked and disabled, and a disabled box is never submitted: its
    absence means "not changed" (None), not "off". Only a value sent on purpose to say no ("false",
    "0", "off", "") asks for it to be turned off, which the service refuses."""

    OFF_VALUES = frozenset({"false", "0", "off", ""})

    def value_from_datadict(self, data: Mapping[str, Any], files: MultiValueDict[str, Any], name: str) -> Any:
        if name not in data:
            return None
        return str(data.get(name)).strip().lower() not in self.OFF_VALUES


@dataclass(frozen=True)
class PreferenceCell:
    channel: str
    channel_label: str
    field: forms.BoundField


@dataclass(frozen=True)
class PreferenceRow:
    kind: str
    label: str
    legal: bool
    cells: list[PreferenceCell]


class PreferencesForm(NotificationsForm):
    """The language of the person's messages, and a box per kind of message and channel.

    `rows` are the selector's preference rows: each has kind, label, legal and the current on/off of
    each channel (an attribute named after it: email, sms). `channels` are those offered (no SMS where
    the platform has no SMS gateway): the others are neither shown nor changed.
    """

    language = forms.ChoiceField(
        label=_("Language of your messages"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the language of your messages."),
            "invalid_choice": _("Choose the language of your messages."),
        },
    )

    def __init__(
        self,
        data: Any = None,
        *,
        rows: Iterable[Any],
        language: str,
        channels: Iterable[str] = PREFERENCE_CHANNELS,
    ) -> None:
        super().__init__(data, initial={"language": language})
        self.channels = [channel for channel in PREFERENCE_CHANNELS if channel in set(channels)]
        self.kinds: list[tuple[str, str, bool]] = []
        for row in rows:
            self.kinds.append((row.kind, str(row.label), bool(row.legal)))
            for channel in self.channels:
                name = preference_field_name(row.kind, channel)
                if row.legal:
                    self.fields[name] = forms.NullBooleanField(
                        label=row.label, required=False, initial=True, widget=LegalCheckbox
                    )
                else:
                    self.fields[name] = forms.BooleanField(
                        label=row.label, required=False, initial=bool(getattr(row, channel))
                    )

    def table(self) -> list[PreferenceRow]:
        """The rows of the page's table, each with a box per channel."""
        return [
            PreferenceRow(
                kind=kind,
                label=label,
                legal=legal,
                cells=[
                    PreferenceCell(
                        channel=channel,
                        channel_label=str(CHANNEL_LABELS[channel]),
                        field=self[preference_field_name(kind, channel)],
                    )
                    for channel in self.channels
                ],
            )
            for kind, label, legal in self.kinds
        ]

    def enabled(self) -> dict[tuple[str, str], bool]:
        """(kind, channel) → on or off, for the service. A legal notice not sent is left on; one sent
        as off is passed on as off, for the service to refuse."""
        chosen: dict[tuple[str, str], bool] = {}
        for kind, _label, legal in self.kinds:
            for channel in self.channels:
                value = self.cleaned_data.get(preference_field_name(kind, channel))
                chosen[(kind, channel)] = True if legal and value is None else bool(value)
        return chosen


class AddressForm(NotificationsForm):
    """The e-mail address or mobile number to confirm. Whether it is one is the service's call, which
    also accepts the ways people write numbers (081-234-5678, +66 81 234 5678)."""

    address = forms.CharField(max_length=254)

    def __init__(self, data: Any = None, *, channel: str) -> None:
        super().__init__(data)
        field = self.fields["address"]
        if channel == EMAIL:
            field.label = _("E-mail address")
            field.help_text = _("We send a code to this address. You enter it on the next page.")
            field.error_messages["required"] = _("Enter your e-mail address.")
            field.error_messages["max_length"] = _("An e-mail address has at most 254 characters.")
            field.widget = forms.EmailInput(
                attrs={"autocomplete": "email", "spellcheck": "false", "autocapitalize": "off"}
            )
        else:
            field.label = _("Mobile number")
            field.help_text = _(
                "A Thai mobile number, for example 081 234 5678. We send a code to it by SMS. "
                "You enter it on the next page."
            )
            field.error_messages["required"] = _("Enter your mobile number.")
            field.error_messages["max_length"] = _("Enter a mobile number like 081 234 5678.")
            field.widget = forms.TextInput(
                attrs={
                    "type": "tel",
                    "autocomplete": "tel",
                    "inputmode": "tel",
                    "spellcheck": "false",
                    "class": "govuk-input--width-20",
                }
            )

    def clean_address(self) -> str:
        return str(self.cleaned_data["address"]).strip()


class CodeForm(NotificationsForm):
    code = forms.CharField(
        label=_("Code"),
        help_text=_("The 6 digits in the message we sent you."),
        max_length=CODE_MAX_LENGTH,
        error_messages={
            "required": _("Enter the 6-digit code."),
            "max_length": _("The code has 6 digits. Please check it."),
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "govuk-input--width-5",
            }
        ),
    )

    def clean_code(self) -> str:
        """The digits, whatever spaces or dashes people typed between them."""
        return "".join(str(self.cleaned_data["code"]).replace("-", " ").split())
