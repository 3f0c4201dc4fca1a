"""Pages of the officer workbench: the queue and the case page, and the case page's forms (workflow
actions, claim and release, messages and internal notes). A fee is paid against its bill, on the
payments app's officer pages, which the case page links to. And the messages desks: the agency's
undelivered messages, the platform's message templates and the agency's keys for the send API.

Each view fetches (applications.selectors.access_case: NotFound for a case outside the officer's
agencies), validates, calls one service and responds. A service's refusal is shown on the case page with
the error summary; PermissionDenied and NotFound become the 403 and 404 pages. Pages that show personal
data are never_cache."""

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_stubs_ext import StrOrPromise

from pracha.accounts.public import User
from pracha.agencies.public import Agency
from pracha.applications.public import Application
from pracha.applications.public import selectors as applications
from pracha.applications.public import services as application_services
from pracha.backoffice import selectors, services
from pracha.backoffice.forms import (
    ApiKeyCallbackForm,
    ApiKeyCreateForm,
    ClaimForm,
    InternalNoteForm,
    MessageForm,
    QueueFilterForm,
    TemplateForm,
    UndeliveredFilterForm,
    action_form,
)
from pracha.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from pracha.core.forms import add_domain_error
from pracha.core.http import View, desk_page, domain_errors_as_http, show_on_form
from pracha.core.pagination import paginated, query_string
from pracha.notifications import public as notifications


def officer_required(view: View) -> View:
    """Signed in (else to the sign-in page), and an officer with a case permission (else 403). NotFound
    and PermissionDenied from selectors and services become the 404 and 403 pages."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not selectors.is_case_officer(request.user):
            raise HttpForbidden(_("Only officers who handle applications can use the workbench."))
        return view(request, *args, **kwargs)

    return login_required(domain_errors_as_http(wrapper))


def _officer(request: HttpRequest) -> User:
    return cast(User, request.user)


# --- the queue ----------------------------------------------------------------------------------------


@never_cache
@require_GET
@officer_required
def queue(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    tab = request.GET.get("tab", selectors.DEFAULT_TAB)
    if tab not in selectors.TAB_CODES:
        tab = selectors.DEFAULT_TAB
    service_code = request.GET.get("service", "")
    form = QueueFilterForm(
        request.GET,
        services=selectors.service_choices(user=user),
        states=selectors.state_choices(user=user, service_code=service_code),
    )
    form.is_valid()  # an unknown choice is shown as an error and that filter ignored
    filters = {
        "service": form.cleaned_data.get("service", ""),
        "state": form.cleaned_data.get("state", ""),
        "q": (form.cleaned_data.get("q") or "").strip(),
    }
    if filters["q"]:
        services.case_search_record(actor=user, query=filters["q"])
    cases = selectors.queue_for(
        user=user, tab=tab, service_code=filters["service"], state=filters["state"], search=filters["q"]
    )
    tabs = [
        {
            "code": code,
            "label": label,
            "query": query_string({"tab": code, **filters}),
            "current": code == tab,
        }
        for code, label in selectors.TABS
    ]
    context = paginated(request, cases, per_page=selectors.PAGE_SIZE, filters={"tab": tab, **filters})
    return render(
        request,
        "backoffice/queue.html",
        {
            "form": form,
            "tab": tab,
            "tab_label": dict(selectors.TABS)[tab],
            "tabs": tabs,
            **context,
            "rows": selectors.queue_rows(context["page"].object_list),
            "filtered": any(filters.values()),
        },
    )


# --- the case page ------------------------------------------------------------------------------------


def _case_response(
    request: HttpRequest, application: Application, *, failed: str = "", failed_form: forms.Form | None = None
) -> HttpResponse:
    """The case page; `failed` names the form a refused POST came from ("action-<name>", "claim",
    "message", "note"), which is shown bound, with its errors."""
    user = _officer(request)
    page = selectors.case_page(user=user, application=application)
    action_forms = []
    for action in page.actions:
        key = f"action-{action.name}"
        form = (
            failed_form if failed == key and failed_form is not None else action_form(action, page.definition)
        )
        action_forms.append({"action": action, "form": form})

    def pick(key: str, default: forms.Form) -> forms.Form:
        return failed_form if failed == key and failed_form is not None else default

    context = {
        "case": page,
        "application": application,
        "action_forms": action_forms,
        "claim_form": pick("claim", ClaimForm()),
        "message_form": pick("message", MessageForm(prefix="message")),
        "note_form": pick("note", InternalNoteForm(prefix="note")),
        # The form a refused POST came from: the page's error summary and title show its errors.
        "form": failed_form,
        "failed": failed,
    }
    return render(request, "backoffice/case.html", context)


def _show_on_form(form: forms.Form, error: DomainError) -> None:
    """A refusal the officer can act on goes on the form; "not yours" and "not allowed" are the 404 and
    403 pages (officer_required turns them into those)."""
    if isinstance(error, NotFound | PermissionDenied):
        raise error
    add_domain_error(form, error)


def _done(reference: str, message: str, request: HttpRequest) -> HttpResponse:
    messages.success(request, message)
    return redirect("backoffice:case", reference=reference)


@never_cache
@require_GET
@officer_required
def case(request: HttpRequest, reference: str) -> HttpResponse:
    user = _officer(request)
    application = applications.access_case(user=user, reference=reference)
    application_services.case_view_record(actor=user, application=application)
    return _case_response(request, application)


@never_cache
@require_POST
@officer_required
def case_act(request: HttpRequest, reference: str) -> HttpResponse:
    user = _officer(request)
    application = applications.access_case(user=user, reference=reference)
    name = request.POST.get("action", "")
    try:
        # Asked first, so nobody learns anything from form errors about an action they may not take.
        action = selectors.case_action(user, application, name)
    except Conflict as error:
        moved_on = ClaimForm(data={})
        add_domain_error(moved_on, error)
        return _case_response(request, application, failed="conflict", failed_form=moved_on)
    definition = applications.definition_of(application)
    form = action_form(action, definition, request.POST)
    if form.is_valid():
        try:
            application_services.application_act(
                actor=user, application=application, action=action.name, **form.service_arguments()
            )
        except DomainError as error:
            _show_on_form(form, error)
        else:
            return _done(reference, _("Done: %(action)s.") % {"action": action.label}, request)
    return _case_response(request, application, failed=f"action-{action.name}", failed_form=form)


def _claim_change(
    request: HttpRequest, reference: str, change: Callable[..., Application], done: str
) -> HttpResponse:
    """Claim or release: the same form, the same refusal shown in the same place."""
    user = _officer(request)
    application = applications.access_case(user=user, reference=reference)
    form = ClaimForm(request.POST)
    try:
        change(actor=user, application=application)
    except Conflict as error:
        add_domain_error(form, error)
        return _case_response(request, application, failed="claim", failed_form=form)
    return _done(reference, done, request)


@never_cache
@require_POST
@officer_required
def case_claim(request: HttpRequest, reference: str) -> HttpResponse:
    return _claim_change(
        request, reference, application_services.case_claim, _("The case is assigned to you.")
    )


@never_cache
@require_POST
@officer_required
def case_release(request: HttpRequest, reference: str) -> HttpResponse:
    return _claim_change(
        request,
        reference,
        application_services.case_release,
        _("You have released the case. Another officer can take it."),
    )


def _post_message(request: HttpRequest, reference: str, *, internal: bool) -> HttpResponse:
    user = _officer(request)
    application = applications.access_case(user=user, reference=reference)
    key = "note" if internal else "message"
    form: forms.Form = (
        InternalNoteForm(request.POST, prefix=key) if internal else MessageForm(request.POST, prefix=key)
    )
    if form.is_valid():
        try:
            application_services.message_post(
                actor=user, application=application, body=form.cleaned_data["body"], internal=internal
            )
        except DomainError as error:
            _show_on_form(form, error)
        else:
            done = _("Your internal note has been added.") if internal else _("Your message has been sent.")
            return _done(reference, done, request)
    return _case_response(request, application, failed=key, failed_form=form)


@never_cache
@require_POST
@officer_required
def case_message(request: HttpRequest, reference: str) -> HttpResponse:
    return _post_message(request, reference, internal=False)


@never_cache
@require_POST
@officer_required
def case_note(request: HttpRequest, reference: str) -> HttpResponse:
    return _post_message(request, reference, internal=True)


# --- the messages desks -------------------------------------------------------------------------------
# Undelivered messages (notifications.view, per agency), the platform's message templates
# (notifications.templates in any agency: the templates are the whole platform's) and the agencies'
# API keys for the send API (notifications.keys, per agency).


def _messages_desk(permission: str, refusal: StrOrPromise, *methods: str) -> Callable[[View], View]:
    """A messages desk: officers holding `permission` in some agency (else the 403 page)."""
    return desk_page(
        *methods, allowed=lambda user: bool(selectors.message_agencies(user, permission)), refusal=refusal
    )


UNDELIVERED_REFUSAL = gettext_lazy(
    "Only officers who may see their agency's undelivered messages can open this page."
)
TEMPLATES_REFUSAL = gettext_lazy("Only officers who may edit message templates can open this page.")
KEYS_REFUSAL = gettext_lazy(
    "Only officers who may manage their agency's messaging API keys can open this page."
)


def _render_messages(
    request: HttpRequest, template: str, context: dict[str, Any], **kwargs: Any
) -> HttpResponse:
    """A page of the messages desks, with the links to the desks this officer may open."""
    return render(
        request, template, {"desks": selectors.messages_desks_for(request.user), **context}, **kwargs
    )


@_messages_desk(selectors.MESSAGES_VIEW, UNDELIVERED_REFUSAL, "GET")
def messages_undelivered(request: HttpRequest) -> HttpResponse:
    agencies = selectors.message_agencies(request.user, selectors.MESSAGES_VIEW)
    form = UndeliveredFilterForm(request.GET)
    form.is_valid()  # an unknown choice is shown as an error and that filter ignored
    filters = {
        "status": form.cleaned_data.get("status") or "",
        "channel": form.cleaned_data.get("channel") or "",
    }
    found = selectors.undelivered_for(agencies=agencies, **filters)
    context = paginated(request, found, per_page=selectors.MESSAGES_PAGE_SIZE, filters=filters)
    return _render_messages(
        request,
        "backoffice/messages/undelivered.html",
        {
            "form": form,
            **context,
            "rows": selectors.undelivered_rows(context["page"].object_list, agencies=agencies),
            "filtered": any(filters.values()),
            "several_agencies": len(agencies) > 1,
        },
    )


@_messages_desk(selectors.MESSAGES_TEMPLATES, TEMPLATES_REFUSAL, "GET")
def message_templates(request: HttpRequest) -> HttpResponse:
    return _render_messages(
        request,
        "backoffice/messages/templates.html",
        {"rows": selectors.template_list_rows(), "languages": settings.LANGUAGES},
    )


PREVIEW, SAVE, RESET = "preview", "save", "reset"


def sms_length_format(parts: int) -> str:
    """How the editor says an SMS's length; %(encoding)s, %(characters)s, %(parts)s and %(per_part)s are
    filled in here for the preview, and by backoffice/messages.js as the officer types."""
    return ngettext(
        "encoding %(encoding)s, %(characters)s characters, %(parts)s part (%(per_part)s per part)",
        "encoding %(encoding)s, %(characters)s characters, %(parts)s parts (%(per_part)s per part)",
        parts,
    )


def sms_length_text(length: notifications.SmsLength) -> str:
    """ "encoding UCS-2, 92 characters, 2 parts (67 per part)" """
    return sms_length_format(length.parts) % {
        "encoding": length.encoding,
        "characters": length.characters,
        "parts": length.parts,
        "per_part": length.per_part,
    }


@_messages_desk(selectors.MESSAGES_TEMPLATES, TEMPLATES_REFUSAL, "GET", "POST")
def message_template(request: HttpRequest, kind: str, channel: str, language: str) -> HttpResponse:
    if not selectors.template_exists(kind, channel, language):
        raise NotFound()
    user = _officer(request)
    where = {"kind": kind, "channel": channel, "language": language}
    current = notifications.template_text(**where)
    preview = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        form = TemplateForm(request.POST, channel=channel)
        form.is_valid()
        subject = form.cleaned_data.get("subject") or ""
        body = form.cleaned_data.get("body") or ""
        if action == RESET:
            notifications.template_reset(actor=user, **where)
            messages.success(request, _("The template is back to its default text."))
            return redirect("backoffice:message-template", kind, channel, language)
        if action == SAVE and not form.errors:
            try:
                notifications.template_save(actor=user, subject=subject, body=body, **where)
            except DomainError as error:
                show_on_form(form, error)
            else:
                messages.success(request, _("The template has been saved. New messages use it from now on."))
                return redirect("backoffice:message-template", kind, channel, language)
        elif action == PREVIEW:
            preview = notifications.template_preview(subject=subject, body=body, **where)
    else:
        form = TemplateForm(initial={"subject": current.subject, "body": current.body}, channel=channel)
    spec = notifications.KINDS[kind]
    return _render_messages(
        request,
        "backoffice/messages/template_edit.html",
        {
            "form": form,
            "kind": kind,
            "kind_label": spec.label,
            "channel": channel,
            "channel_label": notifications.Channel(channel).label,
            "language": language,
            "language_name": dict(settings.LANGUAGES)[language],
            "edited": current.edited,
            "placeholders": selectors.template_placeholders(kind),
            "preview": preview,
            "preview_sms_text": sms_length_text(preview.sms) if preview is not None and preview.sms else "",
            "sms_text_one": sms_length_format(1),
            "sms_text_many": sms_length_format(2),
            "samples": selectors.template_samples(kind, channel, language) if channel == "sms" else None,
            "preview_action": PREVIEW,
            "save_action": SAVE,
            "reset_action": RESET,
        },
    )


def _key_agencies(request: HttpRequest) -> list[Agency]:
    return selectors.message_agencies(request.user, selectors.MESSAGES_KEYS)


@_messages_desk(selectors.MESSAGES_KEYS, KEYS_REFUSAL, "GET", "POST")
def message_keys(request: HttpRequest) -> HttpResponse:
    agencies = _key_agencies(request)
    choices = [(agency.code, str(agency)) for agency in agencies]
    form = ApiKeyCreateForm(request.POST or None, agencies=choices)
    if request.method == "POST" and form.is_valid():
        try:
            api_key, secret = notifications.api_key_create(
                actor=_officer(request),
                agency_code=form.cleaned_data["agency"],
                name=form.cleaned_data["name"],
                key_type=form.cleaned_data["key_type"],
                rate_limit_per_minute=form.cleaned_data["rate_limit_per_minute"],
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            # Rendered, not redirected: this response is the only place the secret ever appears.
            return _render_messages(
                request,
                "backoffice/messages/key_created.html",
                {"api_key": api_key, "secret": secret, "agency_name": dict(choices)[api_key.agency_code]},
            )
    return _render_messages(
        request,
        "backoffice/messages/keys.html",
        {
            "form": form,
            "keys": [
                {"key": api_key, "agency_name": dict(choices).get(api_key.agency_code, api_key.agency_code)}
                for api_key in selectors.api_keys_of(agencies=agencies)
            ],
            "several_agencies": len(agencies) > 1,
        },
    )


@_messages_desk(selectors.MESSAGES_KEYS, KEYS_REFUSAL, "GET", "POST")
def message_key_revoke(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    api_key = selectors.access_api_key(agencies=_key_agencies(request), public_id=public_id)
    if request.method == "POST" and api_key.revoked_at is None:
        notifications.api_key_revoke(actor=_officer(request), api_key=api_key)
        messages.success(request, _("The key “%(name)s” has been revoked.") % {"name": api_key.name})
        return redirect("backoffice:message-keys")
    return _render_messages(request, "backoffice/messages/key_revoke.html", {"api_key": api_key})


@_messages_desk(selectors.MESSAGES_KEYS, KEYS_REFUSAL, "GET", "POST")
def message_key_callback(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    api_key = selectors.access_api_key(agencies=_key_agencies(request), public_id=public_id)
    if request.method == "POST":
        form = ApiKeyCallbackForm(request.POST)
        if form.is_valid():
            try:
                notifications.api_key_callback_set(
                    actor=_officer(request),
                    api_key=api_key,
                    url=form.cleaned_data["url"],
                    token=form.cleaned_data["bearer_token"],
                )
            except DomainError as error:
                show_on_form(form, error)
            else:
                done = (
                    _("Delivery callbacks of the key “%(name)s” go to the address you gave.")
                    if form.cleaned_data["url"].strip()
                    else _("The key “%(name)s” no longer sends delivery callbacks.")
                )
                messages.success(request, done % {"name": api_key.name})
                return redirect("backoffice:message-keys")
    else:
        # The token is never shown again: the officer types it anew to change the address.
        form = ApiKeyCallbackForm(initial={"url": api_key.callback_url})
    return _render_messages(
        request, "backoffice/messages/key_callback.html", {"form": form, "api_key": api_key}
    )
