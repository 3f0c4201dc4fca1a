"""Pages of the officer workbench: the queue and the case page, and the case page's forms (workflow
actions, claim and release, messages and internal notes). A fee is paid against its bill, on the
payments app's officer pages, which the case page links to.

Each view fetches (applications.selectors.access_case: NotFound for a case outside the officer's
agencies), validates, calls one service and responds. A service's refusal is shown on the case page with
the error summary; PermissionDenied and NotFound become the 403 and 404 pages. Pages that show personal
data are never_cache."""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from pracha.accounts.public import User
from pracha.applications.public import Application
from pracha.applications.public import selectors as applications
from pracha.applications.public import services as application_services
from pracha.backoffice import selectors, services
from pracha.backoffice.forms import (
    ClaimForm,
    InternalNoteForm,
    MessageForm,
    QueueFilterForm,
    action_form,
)
from pracha.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from pracha.core.forms import add_domain_error
from pracha.core.http import View, domain_errors_as_http
from pracha.core.pagination import paginated, query_string


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
