"""Forms of the workbench. They only parse what officers type; the rules and their messages (a reason is
required to reject, a note to send back) come from the applications services, and the views put those
errors on these forms."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from pracha.backoffice.selectors import markable_fields, requestable_documents
from pracha.catalogue.public import Action, ServiceDefinition
from pracha.notifications.public import ApiKey, Channel, Message

SEARCH_MAX_LENGTH = 200


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class QueueFilterForm(forms.Form):
    """The queue's filters, sent with GET so a filtered queue can be bookmarked."""

    service = forms.ChoiceField(label=_("Service"), required=False)
    state = forms.ChoiceField(label=_("Step"), required=False)
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        help_text=_(
            "An application reference (APP-2569-000123), a national ID number or a name. "
            "Searches by national ID or name are recorded in the audit log."
        ),
    )

    def __init__(
        self,
        *args: Any,
        services: list[tuple[str, str]],
        states: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        service_field = self.fields["service"]
        state_field = self.fields["state"]
        assert isinstance(service_field, forms.ChoiceField) and isinstance(state_field, forms.ChoiceField)
        service_field.choices = [("", _("All services")), *services]
        state_field.choices = [("", _("All steps")), *states]


class NoteActionForm(forms.Form):
    """advance, forward, approve: an optional note, shown to the applicant on their timeline."""

    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        widget=_textarea(),
        help_text=_("The applicant sees this note in the history of their application."),
    )

    def service_arguments(self) -> dict[str, Any]:
        return {"note": self.cleaned_data["note"]}


class RejectActionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        # Required by the service, which gives the message; the form only carries the text.
        required=False,
        widget=_textarea(4),
        help_text=_("Explain why. The applicant sees this reason."),
    )

    def service_arguments(self) -> dict[str, Any]:
        return {"reason": self.cleaned_data["reason"]}


class SendBackActionForm(forms.Form):
    # The service names the marked answers "fields", which a Django form cannot use as a field name.
    error_aliases = {"fields": "fields_to_correct"}

    fields_to_correct = forms.MultipleChoiceField(
        label=_("Answers to correct"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Mark each answer the applicant must correct."),
    )
    documents = forms.MultipleChoiceField(
        label=_("Documents to upload again"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("What must be corrected"),
        required=False,
        widget=_textarea(4),
        help_text=_("The applicant sees this note with the marked answers and documents."),
    )

    def __init__(self, *args: Any, definition: ServiceDefinition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_choices = self.fields["fields_to_correct"]
        document_choices = self.fields["documents"]
        assert isinstance(field_choices, forms.ChoiceField) and isinstance(
            document_choices, forms.ChoiceField
        )
        field_choices.choices = markable_fields(definition)
        document_choices.choices = requestable_documents(definition)

    def service_arguments(self) -> dict[str, Any]:
        return {
            "fields": self.cleaned_data["fields_to_correct"],
            "documents": self.cleaned_data["documents"],
            "note": self.cleaned_data["note"],
        }


class RequestDocumentActionForm(forms.Form):
    requested_document = forms.ChoiceField(label=_("Document to ask for"), required=False)
    note = forms.CharField(
        label=_("Message to the applicant"),
        required=False,
        widget=_textarea(4),
        help_text=_("Say why the document is needed. The applicant sees this note."),
    )

    def __init__(self, *args: Any, definition: ServiceDefinition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = self.fields["requested_document"]
        assert isinstance(choices, forms.ChoiceField)
        choices.choices = [("", _("Choose a document")), *requestable_documents(definition)]

    def service_arguments(self) -> dict[str, Any]:
        return {
            "requested_document": self.cleaned_data["requested_document"],
            "note": self.cleaned_data["note"],
        }


ActionForm = NoteActionForm | RejectActionForm | SendBackActionForm | RequestDocumentActionForm


def action_form(action: Action, definition: ServiceDefinition, data: Any = None) -> ActionForm:
    """The form an action of this kind needs, prefixed by the action's name so that several on one page
    have distinct field ids."""
    prefix = f"action-{action.name}"
    if action.kind == "reject":
        return RejectActionForm(data, prefix=prefix)
    if action.kind == "send_back":
        return SendBackActionForm(data, prefix=prefix, definition=definition)
    if action.kind == "request_document":
        return RequestDocumentActionForm(data, prefix=prefix, definition=definition)
    return NoteActionForm(data, prefix=prefix)


class ClaimForm(forms.Form):
    """No fields: the case is the URL. It carries the "someone else took it" error to the page."""


class MessageForm(forms.Form):
    """A message to the applicant; the service requires the text and gives the message."""

    body = forms.CharField(label=_("Message"), required=False, widget=_textarea(4))


class InternalNoteForm(forms.Form):
    body = forms.CharField(label=_("Internal note"), required=False, widget=_textarea(4))


# --- the messages desks -------------------------------------------------------------------------------


class MessagesForm(forms.Form):
    # Browsers' own "required" bubbles are untranslated and skip the error summary; the server says it.
    use_required_attribute = False


# The model's own values and labels: the page's introduction explains what each failure means.
UNDELIVERED_STATUSES: list[tuple[str, StrOrPromise]] = [
    (status.value, status.label) for status in (Message.Status.FAILED, Message.Status.PERMANENTLY_FAILED)
]
UNDELIVERED_CHANNELS: list[tuple[str, StrOrPromise]] = [
    (channel.value, channel.label) for channel in (Channel.EMAIL, Channel.SMS)
]


class UndeliveredFilterForm(MessagesForm):
    """The undelivered messages desk's filters, sent with GET so a filtered list can be bookmarked."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Every status")), *UNDELIVERED_STATUSES]
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("Every channel")), *UNDELIVERED_CHANNELS]
    )


class TemplateForm(MessagesForm):
    """A template's text. The rules (placeholders the kind provides, ((domain)) in the text, no subject
    for an SMS) and their messages are the notifications services'; an SMS has no subject field."""

    subject = forms.CharField(label=_("Subject"), required=False, max_length=200)
    body = forms.CharField(
        label=_("Text of the message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "true"}),
        help_text=_("Write a placeholder between double brackets, for example ((reference))."),
    )

    def __init__(self, *args: Any, channel: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if channel == "sms":
            del self.fields["subject"]


KEY_TYPES: list[tuple[str, StrOrPromise]] = [
    (ApiKey.Type.TEST.value, _("Test: accepted and shown as delivered, never sent to anyone")),
    (ApiKey.Type.TEAM.value, _("Team: sent only to your agency's own staff")),
    (ApiKey.Type.LIVE.value, _("Live: sent to anyone")),
]


class ApiKeyCreateForm(MessagesForm):
    # Only the agencies where the officer manages keys are choices: any other is refused here.
    agency = forms.ChoiceField(
        label=_("Agency"),
        error_messages={
            "required": _("Choose the agency the key is for."),
            "invalid_choice": _("Choose one of the agencies listed: you manage keys only for those."),
        },
    )
    name = forms.CharField(
        label=_("Name of the key"),
        required=False,
        max_length=100,
        help_text=_("Say which system will use it, for example “Tax reminders”."),
    )
    key_type = forms.ChoiceField(
        label=_("Type of key"), required=False, choices=KEY_TYPES, widget=forms.RadioSelect
    )
    rate_limit_per_minute = forms.IntegerField(
        label=_("Messages per minute"),
        required=False,
        min_value=1,
        max_value=100_000,
        help_text=_("Leave empty for the usual limit. Messages over the limit are refused with 429."),
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, agencies: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency_field = self.fields["agency"]
        assert isinstance(agency_field, forms.ChoiceField)
        agency_field.choices = agencies
        if agencies:
            agency_field.initial = agencies[0][0]

    def clean_key_type(self) -> str:
        value: str = self.cleaned_data.get("key_type") or ""
        if not value:
            raise forms.ValidationError(_("Choose the type of key."))
        return value


class ApiKeyCallbackForm(MessagesForm):
    # The service names the token "token".
    error_aliases = {"token": "bearer_token"}

    url = forms.CharField(
        label=_("Callback URL"),
        required=False,
        max_length=200,
        help_text=_(
            "Pracha sends each message's final status to this address (https://…). Leave it empty to "
            "stop the callbacks."
        ),
        widget=forms.URLInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    bearer_token = forms.CharField(
        label=_("Bearer token"),
        required=False,
        max_length=200,
        help_text=_("Pracha sends it as “Authorization: Bearer …” so your system knows the call is ours."),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
