"""Forms of the payment pages. They turn what people type into values (baht into satang, a hidden key
into a UUID); the rules (the amount must be the bill's, a refund never more than was paid) and their
messages live in the services, and the views put those errors on these forms."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pracha.core.money import baht_to_satang
from pracha.payments.models import Bill

NOTE_MAX_LENGTH = 2000
SEARCH_MAX_LENGTH = 100
# A day's statement of one biller is a few thousand lines; anything far bigger is not a statement.
STATEMENT_MAX_BYTES = 5 * 1024 * 1024


class PaymentsForm(forms.Form):
    # Browsers' own "required" bubbles are untranslated and skip the error summary; the server says it.
    use_required_attribute = False


def _amount_input() -> forms.TextInput:
    return forms.TextInput(
        attrs={"inputmode": "decimal", "spellcheck": "false", "class": "govuk-input--width-10"}
    )


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def parse_amount(text: str, *, missing: str) -> int:
    """Baht as typed ("1,200" or "1,200.50") into satang; `missing` is the message for an empty field."""
    text = text.strip()
    if not text:
        raise forms.ValidationError(missing)
    if text.startswith("-"):
        raise forms.ValidationError(_("Enter an amount greater than zero."))
    try:
        satang = baht_to_satang(text)
    except ValueError:
        raise forms.ValidationError(
            _("Enter the amount in baht using digits, for example 300 or 1,200.50.")
        ) from None
    if satang <= 0:
        raise forms.ValidationError(_("Enter an amount greater than zero."))
    return satang


# --- citizens ------------------------------------------------------------------------------------------


class FineLookupForm(PaymentsForm):
    ticket_number = forms.CharField(
        label=_("Ticket number"),
        help_text=_("As printed on the ticket, for example TK6900000001."),
        max_length=20,
        error_messages={"required": _("Enter the ticket number.")},
        widget=forms.TextInput(
            attrs={"spellcheck": "false", "autocapitalize": "characters", "class": "govuk-input--width-20"}
        ),
    )
    plate = forms.CharField(
        label=_("Licence plate"),
        help_text=_("The letters and numbers on the plate, for example 1กข 1234. Leave out the province."),
        max_length=20,
        error_messages={"required": _("Enter the licence plate.")},
        widget=forms.TextInput(attrs={"spellcheck": "false", "class": "govuk-input--width-10"}),
    )

    def clean_ticket_number(self) -> str:
        return str(self.cleaned_data["ticket_number"]).strip().upper()


# --- officers ------------------------------------------------------------------------------------------


class BillFilterForm(forms.Form):
    """The officers' bill list: sent with GET so a search can be bookmarked."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        help_text=_(
            "A bill number (BILL-2569-000123), Reference 1, what the bill pays for "
            "(an application reference, a ticket or assessment number) or the payer's ID number."
        ),
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Bill.State.choices],
    )


class CashPaymentForm(PaymentsForm):
    amount = forms.CharField(
        label=_("Amount received (baht)"),
        required=False,
        max_length=20,
        help_text=_("For example 300 or 1,200.50"),
        widget=_amount_input(),
    )

    def clean_amount(self) -> int:
        return parse_amount(
            str(self.cleaned_data.get("amount") or ""), missing=str(_("Enter the amount received."))
        )


class RefundRequestForm(PaymentsForm):
    amount = forms.CharField(
        label=_("Amount to refund (baht)"),
        required=False,
        max_length=20,
        help_text=_("For example 300 or 1,200.50"),
        widget=_amount_input(),
    )
    reason = forms.CharField(
        label=_("Reason for the refund"),
        help_text=_("The officer who approves the refund reads this."),
        max_length=NOTE_MAX_LENGTH,
        widget=_textarea(),
        # The service's own message, so a missing reason reads the same whichever catches it first.
        error_messages={"required": _("Say why the money is paid back.")},
    )
    # Made when the page is shown: the same form sent twice (a double click, a retry) asks once.
    idempotency_key = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("This page has expired. Please check the refund and send it again."),
            "invalid": _("This page has expired. Please check the refund and send it again."),
        },
    )

    def clean_amount(self) -> int:
        return parse_amount(
            str(self.cleaned_data.get("amount") or ""), missing=str(_("Enter the amount to refund."))
        )


class CancelBillForm(PaymentsForm):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        help_text=_("Recorded in the audit log with the cancellation."),
        max_length=NOTE_MAX_LENGTH,
        widget=_textarea(),
        error_messages={"required": _("Say why the bill is cancelled.")},
    )


APPROVE = "approve"
REJECT = "reject"


class RefundDecisionForm(PaymentsForm):
    # Needed to reject, optional to approve: the service says so.
    note = forms.CharField(
        label=_("Note"),
        help_text=_("Optional when you approve; say why when you reject."),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=_textarea(2),
    )
    # Given by the button pressed, "Approve" or "Reject".
    decision = forms.ChoiceField(
        choices=[(APPROVE, APPROVE), (REJECT, REJECT)],
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose whether to approve or reject the refund."),
            "invalid_choice": _("Choose whether to approve or reject the refund."),
        },
    )


class ExceptionResolveForm(PaymentsForm):
    note = forms.CharField(
        label=_("What was done"),
        help_text=_(
            "Resolving closes the exception; Pracha does not move the money. Note what was done outside "
            "Pracha, for example: the bank returned the money to the payer on 3 March."
        ),
        max_length=NOTE_MAX_LENGTH,
        widget=_textarea(2),
        error_messages={"required": _("Say what was done about this payment.")},
    )


class StatementUploadForm(PaymentsForm):
    file = forms.FileField(
        label=_("Bank statement (CSV file)"),
        error_messages={
            "required": _("Choose the statement file to import."),
            "empty": _("The selected file is empty."),
            "invalid": _("The selected file could not be read. Please choose it again."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size is not None and upload.size > STATEMENT_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB: it is not a day's statement."))
        return upload
