"""The applicant's pages: start, the wizard (form, documents, fees, check and send), my applications, an
application's page with its timeline and messages, corrections, withdrawal, consent and document downloads.

Each view fetches through an `access_*` selector (NotFound, shown as 404, for anything the person may not
see), validates with a form, calls one service and responds; a DomainError is shown on the page in the
person's language. Every page is never_cache: they carry personal data.
"""

import datetime
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from pracha.accounts.public import Business, User, acting_for_business, businesses_for
from pracha.applications import selectors, services
from pracha.applications.forms import (
    ConsentForm,
    DeclarationForm,
    DocumentUploadForm,
    MessageForm,
    PrachaForm,
    WithdrawForm,
    answers_to_save,
    keep_errors_of_given_values,
    prepare_service_form,
)
from pracha.applications.models import Application, ApplicationDocument, ApplicationEvent, Holder, Party
from pracha.applications.uploads import kinds_text, size_limit_text
from pracha.catalogue.public import (
    SUBMIT,
    WITHDRAW,
    WITHDRAWN_STATE,
    DocumentRequirement,
    ServiceDefinition,
    Text,
    eforms,
    fees,
    published_service,
    version_definition,
    workflow,
)
from pracha.core.errors import Conflict, DomainError, InvalidInput, NotFound
from pracha.core.forms import add_domain_error
from pracha.core.http import domain_errors_as_http, private_file_response
from pracha.core.money import format_baht
from pracha.documents.public import document_status

View = Callable[..., HttpResponseBase]

# What the buttons of the form step are called: "continue" checks everything, "later" keeps what is valid.
SAVE_AND_CONTINUE = "continue"
SAVE_AND_COME_BACK_LATER = "later"


def applicant_page(*methods: str) -> Callable[[View], View]:
    """Signed in, never cached, only these methods, and NotFound shown as the 404 page."""

    def decorate(view: View) -> View:
        return never_cache(login_required(require_http_methods(list(methods))(domain_errors_as_http(view))))

    return decorate


def _person(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # login_required has let only signed-in people through
        raise NotFound()
    return user


def _application(request: HttpRequest, key: object) -> Application:
    return selectors.access_application(user=_person(request), key=str(key))


# --- what pages say about an application --------------------------------------------------------------


def holder_text(application: Application) -> str:
    """Who has the application now, as the applicant reads it."""
    if application.holder in (Holder.DRAFT, Holder.APPLICANT):
        return _("With you")
    if application.holder == Holder.CONSENTER:
        return _("Waiting for the other party’s consent")
    if application.holder == Holder.DONE:
        return _("Closed")
    if application.holding_agency is not None:
        return str(application.holding_agency)
    return _("With the agency")


def status_text(application: Application, definition: ServiceDefinition) -> str:
    if application.holder == Holder.DRAFT:
        return _("Draft")
    if application.state == WITHDRAWN_STATE:
        return _("Withdrawn")
    state = definition.workflow.states.get(application.state)
    return str(state.name) if state is not None else application.state


def status_colour(application: Application, definition: ServiceDefinition) -> str:
    """The modifier of the design system's tag for the status ("" is the default, blue)."""
    if application.holder == Holder.DRAFT:
        return "grey"
    if application.holder == Holder.APPLICANT or application.holder == Holder.PAYMENT:
        return "orange"
    if application.holder == Holder.DONE:
        state = definition.workflow.states.get(application.state)
        if state is not None and state.outcome == "approved":
            return "green"
        return "red" if state is not None else "grey"
    return ""


@dataclass
class FeeRuleRow:
    name: str
    amount: str = ""  # a fixed fee
    tiers: list[str] = field(default_factory=list)  # a fee by tiers, one line each


def fee_rules(definition: ServiceDefinition) -> list[FeeRuleRow]:
    """Each fee of the service and how it is worked out, for the guide."""
    rows = []
    for item in definition.fees:
        rule = item.rule
        if rule.kind == "fixed":
            rows.append(FeeRuleRow(name=str(item.name), amount=format_baht(rule.amount_satang)))
            continue
        ui = definition.form.fields.get(rule.field)
        label = str(ui.label) if ui is not None else rule.field
        lines, previous = [], None
        for tier in rule.tiers:
            amount = format_baht(tier.amount_satang)
            if tier.up_to is not None:
                lines.append(
                    _("%(label)s up to %(limit)s: %(amount)s")
                    % {"label": label, "limit": f"{tier.up_to:,}", "amount": amount}
                )
            elif previous is not None:
                lines.append(
                    _("%(label)s more than %(limit)s: %(amount)s")
                    % {"label": label, "limit": f"{previous:,}", "amount": amount}
                )
            else:
                lines.append(amount)
            previous = tier.up_to
        rows.append(FeeRuleRow(name=str(item.name), tiers=lines))
    return rows


@dataclass(frozen=True)
class PaymentStep:
    name: str  # the step at which the fees are asked for
    after: str  # the steps that lead to it, e.g. "Approval"


def payment_step(definition: ServiceDefinition) -> PaymentStep | None:
    """When the workflow asks for the fees; None when it never does."""
    states = definition.workflow.states
    for code, state in states.items():
        if state.holder == "payment":
            before = [
                str(other.name) for other in states.values() if any(a.to == code for a in other.actions)
            ]
            return PaymentStep(name=str(state.name), after=str(get_text_list(before, _("or"))))
    return None


def fee_quote(definition: ServiceDefinition, answers: dict[str, Any]) -> fees.FeeQuote | None:
    """What the application will owe with these answers; None until the answers a fee needs are given."""
    try:
        return fees.quote(definition.fees, answers)
    except InvalidInput:
        return None


# --- the wizard ---------------------------------------------------------------------------------------

STEPS = (
    ("form", "applications:form"),
    ("documents", "applications:documents"),
    ("fees", "applications:fees"),
    ("check", "applications:check"),
)


def step_labels() -> dict[str, str]:
    return {
        "form": _("Fill in the form"),
        "documents": _("Upload documents"),
        "fees": _("Fees"),
        "check": _("Check your answers and send"),
    }


def wizard_context(application: Application, definition: ServiceDefinition, step: str) -> dict[str, Any]:
    labels = step_labels()
    steps = [
        {
            "code": code,
            "label": labels[code],
            "url": reverse(url_name, args=[application.public_id]),
            "current": code == step,
        }
        for code, url_name in STEPS
    ]
    number = next(index for index, (code, _name) in enumerate(STEPS, start=1) if code == step)
    return {
        "application": application,
        "definition": definition,
        "service_name": definition.name,
        "steps": steps,
        "step": step,
        "step_number": number,
        "step_count": len(STEPS),
        "step_label": labels[step],
    }


def _draft_or_redirect(request: HttpRequest, key: uuid.UUID) -> tuple[Application, HttpResponse | None]:
    """The draft, or a redirect to the application's page once it has been sent."""
    application = _application(request, key)
    if application.holder != Holder.DRAFT:
        return application, redirect("applications:detail", key=application.reference)
    return application, None


@applicant_page("GET", "POST")
def start(request: HttpRequest, code: str) -> HttpResponse:
    user = _person(request)
    service = published_service(code=code)
    assert service.published is not None
    definition = version_definition(service.published)
    acting_for = acting_for_business(user=user, session=request.session)
    form = PrachaForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            application = services.draft_create(actor=user, service_code=code, on_behalf_of=acting_for)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("applications:form", key=application.public_id)
    return render(
        request,
        "applications/start.html",
        guide_context(user, definition, acting_for)
        | {
            "form": form,
            "action": reverse("applications:start", args=[code]),
            "drafts": selectors.my_applications(user=user).filter(service=service, holder=Holder.DRAFT),
        },
    )


def guide_context(user: User, definition: ServiceDefinition, acting_for: Business | None) -> dict[str, Any]:
    needs_verification = definition.assurance == "verified" and not user.is_verified
    mismatch = ""
    if acting_for is None and "citizen" not in definition.audience:
        mismatch = _("This service is for businesses. Choose the business you act for in “My account” first.")
    elif acting_for is not None and "business" not in definition.audience:
        mismatch = _("This service is for people, not businesses. Choose to act as yourself in “My account”.")
    return {
        "definition": definition,
        "documents": [
            {"requirement": doc, "types": kinds_text(doc.types), "size": size_limit_text(doc.max_size_kb)}
            for doc in definition.documents
            if not doc.held_by_state
        ],
        "held_documents": [doc for doc in definition.documents if doc.held_by_state],
        "fee_rules": fee_rules(definition),
        "payment_step": payment_step(definition),
        "applying_for": acting_for,
        "can_act_for_business": bool(businesses_for(user=user)) and "business" in definition.audience,
        "needs_verification": needs_verification,
        "mismatch": mismatch,
    }


@applicant_page("GET", "POST")
def renew(request: HttpRequest, outcome_id: uuid.UUID) -> HttpResponse:
    user = _person(request)
    outcome = selectors.access_outcome(user=user, public_id=str(outcome_id))
    service = selectors.renewal_services().get(outcome.application.service.code)
    if service is None or service.published is None:
        raise NotFound()
    definition = version_definition(service.published)
    form = PrachaForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            application = services.draft_create(
                actor=user,
                service_code=service.code,
                on_behalf_of=outcome.holder_business,
                renewal_of=outcome,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, _("We have filled in the form with the answers of your current licence.")
            )
            return redirect("applications:form", key=application.public_id)
    return render(
        request,
        "applications/start.html",
        guide_context(user, definition, outcome.holder_business)
        | {
            "form": form,
            "action": reverse("applications:renew", args=[outcome_id]),
            "renewing": outcome,
            "drafts": [],
        },
    )


@applicant_page("GET", "POST")
def form_step(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    application, moved_on = _draft_or_redirect(request, key)
    if moved_on is not None:
        return moved_on
    definition = selectors.definition_of(application)
    spec = definition.form
    if request.method == "GET":
        form = prepare_service_form(eforms.build_form(spec, initial=application.answers))
        return _render_form_step(request, application, definition, form)
    form = prepare_service_form(eforms.build_form(spec, data=request.POST, initial=application.answers))
    later = request.POST.get("save") == SAVE_AND_COME_BACK_LATER
    valid = form.is_valid()
    if later:
        keep_errors_of_given_values(form)
        valid = not form.errors
    if not valid:
        return _render_form_step(request, application, definition, form)
    try:
        services.draft_answers_save(
            actor=_person(request),
            application=application,
            answers=answers_to_save(form, spec.order),
            complete=not later,
        )
    except DomainError as error:
        add_domain_error(form, error)
        return _render_form_step(request, application, definition, form)
    if later:
        messages.success(
            request,
            _("Your answers have been saved. You can come back to this application from “My applications”."),
        )
        return redirect("applications:my-applications")
    return redirect("applications:documents", key=application.public_id)


def _render_form_step(
    request: HttpRequest, application: Application, definition: ServiceDefinition, form: forms.Form
) -> HttpResponse:
    context = wizard_context(application, definition, "form") | {
        "form": form,
        "save_continue": SAVE_AND_CONTINUE,
        "save_later": SAVE_AND_COME_BACK_LATER,
    }
    return render(request, "applications/form_step.html", context)


@dataclass
class DocumentRow:
    requirement: DocumentRequirement
    types: str
    size: str
    current: ApplicationDocument | None
    form: DocumentUploadForm


def document_rows(
    application: Application,
    definition: ServiceDefinition,
    *,
    only: Iterable[str] | None = None,
    errored: DocumentUploadForm | None = None,
) -> list[DocumentRow]:
    current = {doc.requirement: doc for doc in selectors.current_documents(application)}
    wanted = set(only) if only is not None else None
    rows = []
    for requirement in definition.documents:
        if requirement.held_by_state or (wanted is not None and requirement.code not in wanted):
            continue
        form = errored if errored is not None and errored.document == requirement else None
        rows.append(
            DocumentRow(
                requirement=requirement,
                types=str(kinds_text(requirement.types)),
                size=size_limit_text(requirement.max_size_kb),
                current=current.get(requirement.code),
                form=form or DocumentUploadForm(document=requirement),
            )
        )
    return rows


@applicant_page("GET")
def documents_step(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    application, moved_on = _draft_or_redirect(request, key)
    if moved_on is not None:
        return moved_on
    return _render_documents_step(request, application)


def _render_documents_step(
    request: HttpRequest, application: Application, errored: DocumentUploadForm | None = None
) -> HttpResponse:
    definition = selectors.definition_of(application)
    context = wizard_context(application, definition, "documents") | {
        "rows": document_rows(application, definition, errored=errored),
        "held_documents": [doc for doc in definition.documents if doc.held_by_state],
        "form": errored,
    }
    return render(request, "applications/documents_step.html", context)


@applicant_page("POST")
def document_upload(request: HttpRequest, key: uuid.UUID, requirement: str) -> HttpResponse:
    application = _application(request, key)
    definition = selectors.definition_of(application)
    wanted = {doc.code: doc for doc in definition.documents if not doc.held_by_state}
    if requirement not in wanted:
        raise NotFound()
    if application.holder not in (Holder.DRAFT, Holder.APPLICANT):
        messages.error(request, _("This application can no longer be changed."))
        return redirect("applications:detail", key=application.reference)
    asked_for = application.corrections.get("documents", [])
    if application.holder == Holder.APPLICANT and requirement not in asked_for:
        raise NotFound()  # only the documents the agency asked for have an upload form now
    form = DocumentUploadForm(request.POST, request.FILES, document=wanted[requirement])
    if form.is_valid():
        upload = form.cleaned_data["file"]
        # One byte over the limit is enough to refuse the file: a huge file is never read into memory.
        data = upload.read(wanted[requirement].max_size_kb * 1024 + 1)
        try:
            services.document_upload(
                actor=_person(request),
                application=application,
                requirement=requirement,
                data=data,
                filename=upload.name or "",
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("“%(name)s” has been uploaded.") % {"name": wanted[requirement].name})
            if application.holder == Holder.DRAFT:
                return redirect(reverse("applications:documents", args=[application.public_id]))
            return redirect("applications:corrections", key=application.reference)
    if application.holder == Holder.DRAFT:
        return _render_documents_step(request, application, errored=form)
    return _render_corrections(request, application, errored=form)


@applicant_page("GET")
def fees_step(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    application, moved_on = _draft_or_redirect(request, key)
    if moved_on is not None:
        return moved_on
    definition = selectors.definition_of(application)
    context = wizard_context(application, definition, "fees") | {
        "quote": fee_quote(definition, application.answers),
        "payment_step": payment_step(definition),
    }
    return render(request, "applications/fees_step.html", context)


@dataclass
class Problem:
    message: str
    url: str = ""


def answer_anchor(form: eforms.ServiceForm, name: str) -> str:
    """The id of the control a "Change" link or an error should take the person to."""
    if isinstance(form.fields[name].widget, forms.RadioSelect):
        return f"id_{name}_0"
    return f"id_{name}"


def service_form_problems(application: Application, fields: dict[str, list[Any]]) -> list[Problem]:
    """A service's field errors as links to where each one is put right."""
    definition = selectors.definition_of(application)
    form = eforms.build_form(definition.form)
    form_url = reverse("applications:form", args=[application.public_id])
    documents_url = reverse("applications:documents", args=[application.public_id])
    problems = []
    for name, messages_ in fields.items():
        for message in messages_:
            if name in form.fields:
                problems.append(Problem(str(message), f"{form_url}#{answer_anchor(form, name)}"))
            elif name.startswith("document-"):
                code = name.removeprefix("document-")
                problems.append(Problem(str(message), f"{documents_url}#id_{code}-file"))
            else:
                problems.append(Problem(str(message)))
    return problems


@applicant_page("GET", "POST")
def check_step(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    application = _application(request, key)
    problems: list[Problem] = []
    if request.method == "POST":
        form = DeclarationForm(request.POST)
        if form.is_valid():
            try:
                # Before any check of the state: the same key again is answered with the same application.
                application = services.application_submit(
                    actor=_person(request),
                    application=application,
                    idempotency_key=str(form.cleaned_data["idempotency_key"]),
                )
            except Conflict as error:
                application.refresh_from_db()
                if application.holder != Holder.DRAFT:
                    messages.info(request, str(error.message))
                    return redirect("applications:detail", key=application.reference)
                add_domain_error(form, error)
            except DomainError as error:
                form.add_error(None, str(error.message))
                problems = service_form_problems(application, error.fields)
            else:
                return redirect("applications:submitted", key=application.reference)
        elif application.holder != Holder.DRAFT:
            return redirect("applications:detail", key=application.reference)
    else:
        if application.holder != Holder.DRAFT:
            return redirect("applications:detail", key=application.reference)
        form = DeclarationForm(initial={"idempotency_key": uuid.uuid4()})
    definition = selectors.definition_of(application)
    service_form = eforms.build_form(definition.form)
    form_url = reverse("applications:form", args=[application.public_id])
    answers = [
        (name, label, value, f"{form_url}#{answer_anchor(service_form, name)}")
        for name, label, value in eforms.display_answers(definition.form, application.answers)
    ]
    missing_answers = eforms.validate_answers(definition.form, application.answers)
    context = wizard_context(application, definition, "check") | {
        "form": form,
        "problems": problems,
        "answers": answers,
        "rows": document_rows(application, definition),
        "quote": fee_quote(definition, application.answers),
        "payment_step": payment_step(definition),
        "incomplete": service_form_problems(application, missing_answers)
        + [
            Problem(
                _("Upload “%(name)s”.") % {"name": doc.name},
                reverse("applications:documents", args=[application.public_id]) + f"#id_{doc.code}-file",
            )
            for doc in selectors.missing_documents(application)
        ],
    }
    return render(request, "applications/check_step.html", context)


@applicant_page("GET", "POST")
def delete_draft(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    application, moved_on = _draft_or_redirect(request, key)
    if moved_on is not None:
        return moved_on
    definition = selectors.definition_of(application)
    form = PrachaForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            services.draft_delete(actor=_person(request), application=application)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            deleted = _("Your draft application for “%(service)s” has been deleted.")
            messages.success(request, deleted % {"service": definition.name})
            return redirect("applications:my-applications")
    return render(
        request,
        "applications/delete_draft.html",
        {"application": application, "service_name": definition.name, "form": form},
    )


# --- after sending ------------------------------------------------------------------------------------


def _submitted_application(request: HttpRequest, key: str) -> tuple[Application, HttpResponse | None]:
    application = _application(request, key)
    if application.holder == Holder.DRAFT:
        return application, redirect("applications:form", key=application.public_id)
    return application, None


@applicant_page("GET")
def submitted(request: HttpRequest, key: str) -> HttpResponse:
    application, draft = _submitted_application(request, key)
    if draft is not None:
        return draft
    definition = selectors.definition_of(application)
    return render(
        request,
        "applications/submitted.html",
        {
            "application": application,
            "definition": definition,
            "service_name": definition.name,
            "status": status_text(application, definition),
            "holder": holder_text(application),
        },
    )


@dataclass
class TimelineRow:
    at: datetime.datetime
    what: str
    who: str
    note: str
    now: str


def timeline_rows(application: Application, definition: ServiceDefinition) -> list[TimelineRow]:
    states = definition.workflow.states
    rows = []
    for event in selectors.timeline(application):
        rows.append(
            TimelineRow(
                at=event.at,
                what=_event_label(event, definition),
                who=_event_actor(event, definition),
                note="" if event.action == "escalate" and event.from_state == event.to_state else event.note,
                now=str(states[event.to_state].name) if event.to_state in states else "",
            )
        )
    return rows


def _event_label(event: ApplicationEvent, definition: ServiceDefinition) -> str:
    if event.action == SUBMIT:
        return _("Application sent")
    if event.action == WITHDRAW:
        return _("Application withdrawn")
    if event.action == "escalate":
        if event.from_state == event.to_state:
            return _("Passed to a senior officer: the time limit for this step had passed")
        return _("Decided automatically: the time limit for this step had passed")
    state = definition.workflow.states.get(event.from_state)
    action = next((a for a in state.actions if a.name == event.action), None) if state is not None else None
    return str(action.label) if action is not None else event.action


def _event_actor(event: ApplicationEvent, definition: ServiceDefinition) -> str:
    if event.party == Party.APPLICANT:
        return _("You")
    if event.party == Party.CONSENTER:
        return _("The person asked to consent")
    if event.party == Party.SYSTEM:
        return _("Automatically, by the system")
    agency = str(event.agency) if event.agency is not None else _("The agency")
    if definition.show_officer_names and event.actor is not None:
        return f"{event.actor.full_name}, {agency}"
    return agency


@dataclass
class MessageRow:
    at: datetime.datetime
    who: str
    body: str
    mine: bool


def message_rows(application: Application, definition: ServiceDefinition) -> list[MessageRow]:
    rows = []
    for message in selectors.thread(application, include_internal=False):
        if message.party == Party.APPLICANT:
            who = _("You")
        else:
            who = str(message.agency) if message.agency is not None else _("The agency")
            if definition.show_officer_names:
                who = f"{message.author.full_name}, {who}"
        mine = message.party == Party.APPLICANT
        rows.append(MessageRow(at=message.created_at, who=who, body=message.body, mine=mine))
    return rows


def _detail_context(request: HttpRequest, application: Application) -> dict[str, Any]:
    definition = selectors.definition_of(application)
    state = definition.workflow.states.get(application.state)
    outcome = selectors.outcome_of(application)
    document = selectors.outcome_document(application) if outcome is not None else None
    labels = {name: str(ui.label) for name, ui in definition.form.fields.items()}
    document_names = {doc.code: str(doc.name) for doc in definition.documents}
    corrections = application.corrections if application.holder == Holder.APPLICANT else {}
    bill = selectors.fee_bill(application)
    decision_note = ""
    if state is not None and state.outcome == "rejected":
        last = selectors.timeline(application).filter(to_state=application.state).last()
        decision_note = last.note if last is not None else ""
    return {
        "application": application,
        "definition": definition,
        "service_name": definition.name,
        "status": status_text(application, definition),
        "status_colour": status_colour(application, definition),
        "holder": holder_text(application),
        "state": state,
        "answers": eforms.display_answers(definition.form, application.answers),
        "documents": [
            (document_names.get(doc.requirement, doc.requirement), doc)
            for doc in selectors.current_documents(application)
        ],
        "fee_quote": fees.fee_quote_from_json(application.fee_lines) if application.fee_lines else None,
        "fee_bill": bill,
        "fee_receipt": selectors.fee_receipt(bill),
        "outcome": outcome,
        "outcome_name": Text(th=outcome.name_th, en=outcome.name_en) if outcome is not None else None,
        "outcome_conditions": [Text(th=c["th"], en=c["en"]) for c in outcome.conditions] if outcome else [],
        "outcome_document": document,
        "outcome_document_status": document_status(document) if document is not None else "",
        "decision_note": decision_note,
        "corrections": corrections,
        "marked_fields": [labels.get(name, name) for name in corrections.get("fields", [])],
        "marked_documents": [document_names.get(code, code) for code in corrections.get("documents", [])],
        "timeline": timeline_rows(application, definition),
        "thread": message_rows(application, definition),
        "can_withdraw": workflow.can_withdraw(definition.workflow, application.state),
    }


@applicant_page("GET")
def detail(request: HttpRequest, key: str) -> HttpResponse:
    application, draft = _submitted_application(request, key)
    if draft is not None:
        return draft
    context = _detail_context(request, application) | {"form": MessageForm()}
    return render(request, "applications/detail.html", context)


@applicant_page("POST")
def message(request: HttpRequest, key: str) -> HttpResponse:
    application, draft = _submitted_application(request, key)
    if draft is not None:
        return draft
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            services.message_post(
                actor=_person(request), application=application, body=form.cleaned_data["body"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Your message has been sent."))
            return redirect(reverse("applications:detail", args=[application.reference]) + "#messages")
    context = _detail_context(request, application) | {"form": form}
    return render(request, "applications/detail.html", context)


@applicant_page("GET", "POST")
def withdraw(request: HttpRequest, key: str) -> HttpResponse:
    application, draft = _submitted_application(request, key)
    if draft is not None:
        return draft
    definition = selectors.definition_of(application)
    if not workflow.can_withdraw(definition.workflow, application.state):
        messages.error(request, _("This application can no longer be withdrawn."))
        return redirect("applications:detail", key=application.reference)
    form = WithdrawForm(request.POST or None)
    if form.is_valid():
        try:
            services.application_withdraw(
                actor=_person(request), application=application, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Your application has been withdrawn."))
            return redirect("applications:detail", key=application.reference)
    return render(
        request,
        "applications/withdraw.html",
        {"application": application, "service_name": definition.name, "form": form},
    )


def _resubmit_action(application: Application, definition: ServiceDefinition) -> str:
    """The applicant's action of the state the application is in that sends corrections back."""
    applicant = workflow.Party(kind="applicant")
    for action in workflow.available_actions(definition.workflow, application.state, applicant):
        if action.kind == "resubmit":
            return action.name
    raise Conflict(_("This application is not waiting for your corrections."))


def _render_corrections(
    request: HttpRequest,
    application: Application,
    *,
    form: forms.Form | None = None,
    errored: DocumentUploadForm | None = None,
) -> HttpResponse:
    definition = selectors.definition_of(application)
    corrections = application.corrections
    marked = list(corrections.get("fields", []))
    service_form = None
    if marked:
        service_form = form if isinstance(form, eforms.ServiceForm) else None
        if service_form is None:
            service_form = prepare_service_form(
                eforms.build_form(definition.form, initial=application.answers, marked=marked)
            )
    labels = {name: str(ui.label) for name, ui in definition.form.fields.items()}
    context = {
        "application": application,
        "definition": definition,
        "service_name": definition.name,
        "corrections": corrections,
        "service_form": service_form,
        # The page's form with errors, for the error summary and the page title.
        "form": errored or form or service_form,
        "unchanged": [
            row
            for row in eforms.display_answers(definition.form, application.answers)
            if row[0] not in marked
        ],
        "marked_fields": [labels.get(name, name) for name in marked],
        "rows": document_rows(
            application, definition, only=corrections.get("documents", []), errored=errored
        ),
    }
    return render(request, "applications/corrections.html", context)


@applicant_page("GET", "POST")
def corrections(request: HttpRequest, key: str) -> HttpResponse:
    application, draft = _submitted_application(request, key)
    if draft is not None:
        return draft
    if application.holder != Holder.APPLICANT:
        return redirect("applications:detail", key=application.reference)
    if request.method == "GET":
        return _render_corrections(request, application)
    definition = selectors.definition_of(application)
    marked = list(application.corrections.get("fields", []))
    form: forms.Form
    if marked:
        form = prepare_service_form(
            eforms.build_form(definition.form, data=request.POST, initial=application.answers, marked=marked)
        )
    else:
        form = PrachaForm(request.POST)
    if not form.is_valid():
        return _render_corrections(request, application, form=form)
    try:
        # The corrected answers and the resubmission are one service call: both happen, or neither.
        services.application_act(
            actor=_person(request),
            application=application,
            action=_resubmit_action(application, definition),
            answers=answers_to_save(form, marked) if isinstance(form, eforms.ServiceForm) else None,
        )
    except DomainError as error:
        add_domain_error(form, error)
        application.refresh_from_db()
        return _render_corrections(request, application, form=form)
    messages.success(request, _("Your corrections have been sent to the agency."))
    return redirect("applications:detail", key=application.reference)


# --- consent, downloads and the list ------------------------------------------------------------------


@applicant_page("GET", "POST")
def consent(request: HttpRequest, reference: str) -> HttpResponse:
    user = _person(request)
    application = selectors.access_consent_request(user=user, reference=reference)
    definition = selectors.definition_of(application)
    consenter = workflow.Party(kind="consenter")
    actions = workflow.available_actions(definition.workflow, application.state, consenter)
    form = ConsentForm(request.POST or None, actions=[(action.name, str(action.label)) for action in actions])
    if form.is_valid():
        try:
            services.application_act(
                actor=user,
                application=application,
                action=form.cleaned_data["action"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            taken = next(action for action in actions if action.name == form.cleaned_data["action"])
            messages.success(
                request,
                _("Your answer “%(answer)s” has been sent for application %(reference)s.")
                % {"answer": taken.label, "reference": application.reference},
            )
            return redirect("applications:my-applications")
    return render(
        request,
        "applications/consent.html",
        {
            "application": application,
            "service_name": definition.name,
            "answers": selectors.consent_answers(application),
            "actions": actions,
            "form": form,
        },
    )


@login_required  # its own Cache-Control below: never_cache would add to it
@require_GET
@domain_errors_as_http
def document(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    found = selectors.access_document(user=_person(request), public_id=str(public_id))
    return private_file_response(
        found.stored_name,
        # Named by what it is, never by the name the uploader chose ("plan.exe").
        filename=f"{found.requirement}.{'jpg' if found.kind == 'jpeg' else found.kind}",
        content_type=found.content_type,
    )


@dataclass
class ApplicationRow:
    application: Application
    service_name: Text
    status: str
    status_colour: str
    holder: str
    url: str


@dataclass
class OutcomeRow:
    outcome: Any
    name: Text
    renew_url: str


@applicant_page("GET")
def my_applications(request: HttpRequest) -> HttpResponse:
    user = _person(request)
    rows = []
    for application in selectors.my_applications(user=user):
        definition = selectors.definition_of(application)
        if application.holder == Holder.DRAFT:
            url = reverse("applications:form", args=[application.public_id])
        else:
            url = reverse("applications:detail", args=[application.reference])
        rows.append(
            ApplicationRow(
                application=application,
                service_name=definition.name,
                status=status_text(application, definition),
                status_colour=status_colour(application, definition),
                holder=holder_text(application),
                url=url,
            )
        )
    renewals = selectors.renewal_services()
    outcomes = []
    for outcome in selectors.my_outcomes(user=user):
        renewal = renewals.get(outcome.application.service.code)
        outcomes.append(
            OutcomeRow(
                outcome=outcome,
                name=Text(th=outcome.name_th, en=outcome.name_en),
                renew_url=reverse("applications:renew", args=[outcome.public_id]) if renewal else "",
            )
        )
    consent_rows = [
        (application, selectors.definition_of(application).name)
        for application in selectors.consent_requests(user=user)
    ]
    return render(
        request,
        "applications/my_applications.html",
        {"rows": rows, "outcomes": outcomes, "consent_requests": consent_rows},
    )
