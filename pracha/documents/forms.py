"""Forms of the document pages: the public verification (a number, or the PDF itself, and the holder's ID
number to see the full name), the holder's share links, and the officers' desk (search, revoke, replace).

They turn what people type into values; the rules (who may revoke, how long a link may live) and their
messages live in the services, and the views put those errors on these forms.
"""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from pracha.core.thai_ids import ID_LENGTH, normalise_id
from pracha.documents.models import Document
from pracha.documents.selectors import REVOKED, STATUS_LABELS
from pracha.documents.services import HOLDER_NAME_MAX_LENGTH, NOTE_MAX_LENGTH, NUMBER_MAX_LENGTH

SEARCH_MAX_LENGTH = 100
# Our own PDFs are a few hundred kilobytes; anything far bigger is not one of them.
VERIFY_MAX_BYTES = 10 * 1024 * 1024
SHARE_DAYS = (1, 7, 30)
SHARE_DEFAULT_DAYS = 7

# Actions of the officers' page of a document, given by the hidden field of the form sent.
REVOKE = "revoke"
REPLACE = "replace"
RETRY = "retry"

# The two forms of the verification page, told apart by a hidden field.
CHECK_NUMBER = "number"
CHECK_FILE = "file"


class DocumentsForm(forms.Form):
    # Browsers' own "required" bubbles are untranslated and skip the error summary; the server says it.
    use_required_attribute = False


def _holder_id_field(
    *, label: StrOrPromise | None = None, help_text: StrOrPromise | None = None
) -> forms.CharField:
    """The holder's ID number a checker may type: optional, digits with or without dashes."""
    if label is None:
        label = _("Holder’s ID number (optional)")
    if help_text is None:
        help_text = _(
            "The 13-digit national ID number of the person, or the juristic person number of the business, "
            "the document was issued to. If it matches, you see the holder’s full name."
        )
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "spellcheck": "false",
                "autocomplete": "off",
                "class": "govuk-input--width-20",
            }
        ),
    )


def clean_holder_id(value: str, *, required: bool = False) -> str:
    """The 13 digits people type with or without dashes; empty when not given (and not required)."""
    digits = normalise_id(value or "")
    if not digits:
        if required:
            raise forms.ValidationError(_("Enter the holder’s 13-digit ID number."))
        return ""
    if not (digits.isascii() and digits.isdigit()) or len(digits) != ID_LENGTH:
        raise forms.ValidationError(
            _("Enter the holder’s ID number as 13 digits, for example 1-2345-67890-12-3.")
        )
    return digits


# --- verification --------------------------------------------------------------------------------------


class VerifyNumberForm(DocumentsForm):
    number = forms.CharField(
        label=_("Document number"),
        help_text=_("As printed at the top of the document, for example RC-BMA-BANG-RAK-2569-000045."),
        max_length=NUMBER_MAX_LENGTH,
        error_messages={
            "required": _("Enter the document number."),
            "max_length": _("A document number has at most 64 characters. Please check it."),
        },
        widget=forms.TextInput(
            attrs={"spellcheck": "false", "autocapitalize": "characters", "autocomplete": "off"}
        ),
    )
    holder_id_number = _holder_id_field()

    def clean_number(self) -> str:
        return str(self.cleaned_data["number"]).strip().upper()

    def clean_holder_id_number(self) -> str:
        return clean_holder_id(self.cleaned_data.get("holder_id_number") or "")


class VerifyFileForm(DocumentsForm):
    file = forms.FileField(
        label=_("The document as a PDF file"),
        help_text=_("The file as you received it, up to 10 MB. It is checked and not kept."),
        error_messages={
            "required": _("Choose the PDF file to check."),
            "empty": _("The selected file is empty."),
            "invalid": _("The selected file could not be read. Please choose it again."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )
    holder_id_number = _holder_id_field()

    def clean_file(self) -> bytes:
        """The file's bytes, when it is a PDF of a sensible size (told by its content, not its name)."""
        upload = self.cleaned_data["file"]
        if upload.size is not None and upload.size > VERIFY_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB: it is not a document we issued."))
        data = bytes(upload.read(VERIFY_MAX_BYTES + 1))
        if len(data) > VERIFY_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB: it is not a document we issued."))
        # At the very start: a reader accepts a header later on, which lets another file pass as a PDF.
        if not data.lstrip(b"\x00\t\n\r\x0c ").startswith(b"%PDF-"):
            raise forms.ValidationError(
                _("The selected file is not a PDF. Choose the PDF file of the document.")
            )
        return data

    def clean_holder_id_number(self) -> str:
        return clean_holder_id(self.cleaned_data.get("holder_id_number") or "")


class HolderIdForm(DocumentsForm):
    """On the page a QR code opens: the holder's ID number, to see the full name."""

    holder_id_number = _holder_id_field(
        label=_("Holder’s ID number"),
        help_text=_(
            "The 13-digit national ID number of the person, or the juristic person number of the business, "
            "the document was issued to."
        ),
    )

    def clean_holder_id_number(self) -> str:
        return clean_holder_id(self.cleaned_data.get("holder_id_number") or "", required=True)


# --- the holder's share links --------------------------------------------------------------------------


def _share_days_choices() -> list[tuple[int, str]]:
    allowed = [days for days in SHARE_DAYS if days <= settings.PRACHA_DOCUMENT_SHARE_MAX_DAYS]
    labels = {1: _("1 day"), 7: _("7 days"), 30: _("30 days")}
    return [(days, str(labels[days])) for days in allowed]


class ShareLinkForm(DocumentsForm):
    days = forms.TypedChoiceField(
        label=_("How long the link works"),
        coerce=int,
        choices=_share_days_choices,
        initial=SHARE_DEFAULT_DAYS,
        error_messages={
            "required": _("Choose how long the link works."),
            "invalid_choice": _("Choose how long the link works."),
        },
    )


# --- officers ------------------------------------------------------------------------------------------


# The signing states, and documents revoked whatever their state (selectors.OFFICER_STATES).
STATE_CHOICES = [("", _("All")), *Document.State.choices, (REVOKED, STATUS_LABELS[REVOKED])]


class DocumentFilterForm(forms.Form):
    """The officers' list of documents: sent with GET so a search can be bookmarked."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        help_text=_(
            "A document number, what it was issued for (an application or bill number), "
            "the holder’s name or ID number."
        ),
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    state = forms.ChoiceField(label=_("Status"), required=False, choices=STATE_CHOICES)


class RevokeForm(DocumentsForm):
    reason = forms.ChoiceField(
        label=_("Reason"),
        # A replacement revokes with "corrected" itself; an officer who corrects a document replaces it.
        choices=[("", _("Choose a reason"))]
        + [
            (value, label)
            for value, label in Document.RevocationReason.choices
            if value != Document.RevocationReason.CORRECTED
        ],
        error_messages={
            "required": _("Choose why the document is revoked."),
            "invalid_choice": _("Choose why the document is revoked."),
        },
    )
    note = forms.CharField(
        label=_("Note"),
        help_text=_("What happened, for the audit log. The holder is told the reason, not this note."),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReplaceForm(DocumentsForm):
    holder_name = forms.CharField(
        label=_("Holder’s name on the corrected document"),
        max_length=HOLDER_NAME_MAX_LENGTH,
        # The service's own message, so a missing name reads the same whichever catches it first.
        error_messages={"required": _("Enter the holder's name as it should be on the document.")},
    )
    note = forms.CharField(
        label=_("What was corrected"),
        help_text=_("Recorded in the audit log with the replacement."),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_holder_name(self) -> str:
        return " ".join(str(self.cleaned_data["holder_name"]).split())
