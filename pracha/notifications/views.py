"""The person's notification pages: the inbox of in-app messages, one message (opening it marks it read),
the preferences (the language of their messages, e-mail and SMS per kind of message) and the e-mail
address and mobile number messages go to, each confirmed with a one-time code.

Each view fetches through a selector (NotFound, shown as 404, for anyone else's message), validates with
a form, calls one service and responds; a service's refusal is shown on the form in the person's
language. Officers are people too: they see their own inbox and nobody else's. Pages are never_cache:
they carry personal data.
"""

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from pracha.core.errors import DomainError, NotFound, RateLimited
from pracha.core.http import show_on_form, signed_in_page
from pracha.core.pagination import paginated
from pracha.notifications import selectors, services
from pracha.notifications.forms import (
    CHANNEL_LABELS,
    PREFERENCE_CHANNELS,
    AddressForm,
    CodeForm,
    PreferencesForm,
)
from pracha.notifications.kinds import EMAIL, SMS
from pracha.notifications.models import Message

PAGE_SIZE = 20

# What the button of a message says, by the kind of thing it links to.
LINK_LABELS: dict[str, Promise] = {
    "application_received": gettext_lazy("See your application"),
    "application_sent_back": gettext_lazy("See your application"),
    "application_approved": gettext_lazy("See your application"),
    "application_rejected": gettext_lazy("See your application"),
    "payment_due": gettext_lazy("Pay now"),
    "payment_received": gettext_lazy("See your receipt"),
    "document_ready": gettext_lazy("See your document"),
    "document_revoked": gettext_lazy("See your document"),
    "topic_announcement": gettext_lazy("Read more"),
}
OPEN = pgettext_lazy("the button of a message", "Open")


def _channel(channel: str) -> str:
    """The channel of a contact page's address: e-mail or SMS, anything else is not a page."""
    if channel not in (EMAIL, SMS):
        raise NotFound()
    return channel


def _safe_link(request: HttpRequest, link: str) -> str:
    """A message links to a page of this site ("/applications/..."); anything else is not shown."""
    if not link.startswith("/") or not url_has_allowed_host_and_scheme(
        link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    return link


def _preferences_url(anchor: str = "") -> str:
    return reverse("notifications:preferences") + (f"#{anchor}" if anchor else "")


# --- the inbox ----------------------------------------------------------------------------------------


@signed_in_page("GET")
def inbox(request: HttpRequest) -> HttpResponse:
    context = paginated(request, selectors.inbox(user=request.user), per_page=PAGE_SIZE, filters={})
    return render(request, "notifications/inbox.html", context)


@signed_in_page("POST")
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.messages_mark_all_read(actor=request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)d message has been marked as read.",
                "%(count)d messages have been marked as read.",
                count,
            )
            % {"count": count},
        )
    return redirect("notifications:inbox")


@signed_in_page("GET")
def message_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    message: Message = selectors.access_message(user=request.user, public_id=public_id)
    message = services.message_mark_read(actor=request.user, message=message)
    return render(
        request,
        "notifications/message.html",
        {
            "message": message,
            "link": _safe_link(request, message.link),
            "link_label": LINK_LABELS.get(message.kind, OPEN),
        },
    )


# --- preferences --------------------------------------------------------------------------------------


def _offered_channels(sms_available: bool) -> tuple[str, ...]:
    return PREFERENCE_CHANNELS if sms_available else tuple(c for c in PREFERENCE_CHANNELS if c != SMS)


def _preferences_page(request: HttpRequest, form: PreferencesForm, *, sms_available: bool) -> HttpResponse:
    contacts = selectors.contacts_for(user=request.user)
    email, sms = contacts.get(EMAIL), contacts.get(SMS)
    no_email = email is None or not email.address
    no_sms = sms_available and (sms is None or not sms.address)
    return render(
        request,
        "notifications/preferences.html",
        {
            # Which of the channels offered has no confirmed address, for the sentence that says so.
            "unconfirmed": "both"
            if no_email and no_sms
            else "email"
            if no_email
            else "sms"
            if no_sms
            else "",
            "form": form,
            "rows": form.table(),
            "channels": [CHANNEL_LABELS[channel] for channel in form.channels],
            "sms_available": sms_available,
            "email_contact": email,
            "sms_contact": sms,
        },
    )


@signed_in_page("GET", "POST")
def preferences(request: HttpRequest) -> HttpResponse:
    table = selectors.preferences_for(user=request.user)
    data = request.POST if request.method == "POST" else None
    form = PreferencesForm(
        data, rows=table.rows, language=table.language, channels=_offered_channels(table.sms_available)
    )
    if form.is_valid():
        try:
            services.preferences_save(
                actor=request.user, language=form.cleaned_data["language"], enabled=form.enabled()
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            messages.success(request, _("Your choices have been saved."))
            return redirect("notifications:preferences")
    return _preferences_page(request, form, sms_available=table.sms_available)


# --- contact details ----------------------------------------------------------------------------------


@signed_in_page("GET", "POST")
def contact_address(request: HttpRequest, channel: str) -> HttpResponse:
    """Step 1: the address to confirm; a code is sent to it."""
    channel = _channel(channel)
    available = channel != SMS or services.sms_enabled()
    data = request.POST if request.method == "POST" and available else None
    form = AddressForm(data, channel=channel)
    status = 200
    if form.is_valid():
        try:
            services.contact_code_send(
                actor=request.user, channel=channel, address=form.cleaned_data["address"]
            )
        except DomainError as error:
            show_on_form(form, error)
            if isinstance(error, RateLimited):
                status = error.status
        else:
            return redirect("notifications:contact-confirm", channel=channel)
    return render(
        request,
        "notifications/contact_address.html",
        {
            "form": form,
            "channel": channel,
            "available": available,
            "contact": selectors.contacts_for(user=request.user).get(channel),
        },
        status=status,
    )


def _confirmed_message(channel: str, address: str) -> str:
    if channel == EMAIL:
        return _(
            "Your e-mail address %(address)s is confirmed. Messages you chose to get by e-mail go to it."
        ) % {"address": address}
    return _("Your mobile number %(address)s is confirmed. Messages you chose to get by SMS go to it.") % {
        "address": address
    }


@signed_in_page("GET", "POST")
def contact_confirm(request: HttpRequest, channel: str) -> HttpResponse:
    """Step 2: the code sent to the address; the right one confirms it."""
    channel = _channel(channel)
    contact: Any = selectors.contacts_for(user=request.user).get(channel)
    if contact is None or not contact.pending_address:
        # No code is waiting (never asked for, or already used): ask for one first.
        return redirect("notifications:contact-address", channel=channel)
    data = request.POST if request.method == "POST" else None
    form = CodeForm(data)
    if form.is_valid():
        try:
            confirmed = services.contact_code_confirm(
                actor=request.user, channel=channel, code=form.cleaned_data["code"]
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            messages.success(request, _confirmed_message(channel, confirmed.address))
            return redirect(_preferences_url("contacts"))
    return render(
        request,
        "notifications/contact_confirm.html",
        {
            "form": form,
            "channel": channel,
            "contact": contact,
            "resend_form": AddressForm(channel=channel),
            "code_minutes": settings.PRACHA_NOTIFY_CODE_MINUTES,
        },
    )


@signed_in_page("POST")
def contact_remove(request: HttpRequest, channel: str) -> HttpResponse:
    channel = _channel(channel)
    services.contact_remove(actor=request.user, channel=channel)
    if channel == EMAIL:
        done = _("Your e-mail address has been removed. We no longer send you messages by e-mail.")
    else:
        done = _("Your mobile number has been removed. We no longer send you messages by SMS.")
    messages.success(request, done)
    return redirect(_preferences_url("contacts"))
