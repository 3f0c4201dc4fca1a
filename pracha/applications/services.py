"""Every change to an application: drafts, documents, submission, workflow actions, claims, messages,
fees and escalation. Each one locks what it changes, checks who is acting against the workflow of the
version the application was started under, and writes the audit entry in the same transaction."""

import datetime
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pracha.accounts.public import AssuranceLevel, Business, User, on_behalf_of_business
from pracha.agencies.public import Agency, agency_get
from pracha.applications.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    FeePayment,
    Holder,
    Message,
    Outcome,
    Party,
)
from pracha.applications.selectors import (
    acting_roles,
    acts_for,
    case_agencies,
    definition_of,
    missing_documents,
    overdue_for_escalation,
    party_for,
)
from pracha.applications.uploads import check_upload
from pracha.audit import public as audit
from pracha.catalogue.public import (
    DRAFT_STATE,
    SUBMIT,
    WITHDRAW,
    WITHDRAWN_STATE,
    Action,
    ServiceDefinition,
    State,
    eforms,
    fees,
    published_service,
    version_definition,
    workflow,
)
from pracha.core import events
from pracha.core.errors import Conflict, InvalidInput, PermissionDenied
from pracha.core.references import next_reference
from pracha.core.storage import private_storage
from pracha.core.text import clean_text
from pracha.core.thai_ids import normalise_id
from pracha.core.working_days import due_date, local_today
from pracha.documents.public import document_issue
from pracha.notifications import public as notifications
from pracha.payments.public import Bill
from pracha.payments.public import selectors as payment_selectors

logger = logging.getLogger(__name__)

MESSAGE_MAX_LENGTH = 4000
NOTE_MAX_LENGTH = 2000
# The holder's name on the document of a person with no name on record, until an officer corrects it
# (a replacement document): never their ID number, which the public verification page would show.
NO_NAME = "—"


def _locked(application: Application) -> Application:
    return (
        # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the holding_agency outer join.
        Application.objects.select_for_update(of=("self",))
        .select_related("service_version", "holding_agency")
        .get(pk=application.pk)
    )


def _audit_business(application: Application) -> str | None:
    return on_behalf_of_business(application.on_behalf_of) if application.on_behalf_of else None


def _ensure_applicant(actor: Any, application: Application) -> None:
    party = party_for(actor, application)
    if party is None or party.kind != "applicant":
        raise PermissionDenied()


def _record_event(
    application: Application,
    *,
    action: str,
    from_state: str,
    party: str,
    actor: Any = None,
    agency: Agency | None = None,
    note: str = "",
) -> ApplicationEvent:
    return ApplicationEvent.objects.create(
        application=application,
        action=action,
        from_state=from_state,
        to_state=application.state,
        party=party,
        actor=actor,
        agency=agency,
        note=note,
    )


def _notify_applicant(
    application: Application, definition: ServiceDefinition, kind: str, *, event: ApplicationEvent
) -> None:
    """Tell the person who applied (for a business too: the one who submitted), in the transaction of
    the change. Keyed by the event, so the same event never notifies twice, and a second send-back
    later notifies again."""
    assert application.reference is not None
    agency = application.holding_agency or application.handling_agency
    notifications.notify(
        kind=kind,
        recipient=application.applicant,
        agency_code=agency.code if agency is not None else "",
        context={
            "reference": application.reference,
            "service": {"th": definition.name.th, "en": definition.name.en},
        },
        link=reverse("applications:detail", kwargs={"key": application.reference}),
        dedupe_key=f"{kind}:{application.reference}:{event.pk}",
    )


def _notify_decision(
    application: Application, definition: ServiceDefinition, event: ApplicationEvent
) -> None:
    """The decision, when the state just entered closes the case with one: approved or refused."""
    state = definition.workflow.states.get(application.state)
    if state is not None and state.holder == Holder.DONE and state.outcome is not None:
        _notify_applicant(application, definition, f"application_{state.outcome}", event=event)


# --- drafts -------------------------------------------------------------------------------------------


@transaction.atomic
def draft_create(
    *, actor: User, service_code: str, on_behalf_of: Business | None = None, renewal_of: Outcome | None = None
) -> Application:
    service = published_service(code=service_code)
    version = service.published
    assert version is not None  # published_service only returns published services
    definition = version_definition(version)
    _ensure_may_apply(actor, definition, on_behalf_of)
    if on_behalf_of is not None and not acts_for(actor, on_behalf_of.pk):
        raise PermissionDenied(_("You are not authorised to act for this business."))
    answers: dict[str, Any] = {}
    if renewal_of is not None:
        answers = _renewal_answers(actor, definition, renewal_of)
    application = Application.objects.create(
        service=service,
        service_version=version,
        applicant=actor,
        on_behalf_of=on_behalf_of,
        renewal_of=renewal_of,
        answers=answers,
    )
    audit.record(
        actor=actor,
        action="applications.draft_create",
        target=application,
        payload={"service": service.code, "version": version.number},
        on_behalf_of=_audit_business(application),
    )
    return application


def _ensure_may_apply(actor: User, definition: ServiceDefinition, on_behalf_of: Business | None) -> None:
    if definition.assurance == "verified" and actor.assurance_level != AssuranceLevel.VERIFIED:
        raise PermissionDenied(
            _("This service needs a verified identity. Verify your identity in “My account” first.")
        )
    if on_behalf_of is None and "citizen" not in definition.audience:
        raise InvalidInput(_("This service is for businesses. Choose the business you act for first."))
    if on_behalf_of is not None and "business" not in definition.audience:
        raise InvalidInput(_("This service is for people, not businesses. Act as yourself to apply."))


def _renewal_answers(actor: User, definition: ServiceDefinition, outcome: Outcome) -> dict[str, Any]:
    # A licence is renewed by the renewal service, whether the original or an earlier renewal issued it.
    renews = outcome.application.service.code in (definition.renewal_of, definition.code)
    holds = outcome.holder_id == actor.pk or acts_for(actor, outcome.holder_business_id)
    if definition.renewal_of is None or not renews or not holds or outcome.valid_until is None:
        raise InvalidInput(_("This licence cannot be renewed through this service."))
    # One renewal per licence: a second would make two valid licences out of one. A renewal that was
    # withdrawn or refused (closed without an outcome) does not count.
    pending_or_granted = Q(outcome__isnull=False) | ~Q(holder__in=[Holder.DRAFT, Holder.DONE])
    if outcome.renewals.filter(pending_or_granted).exists():
        raise Conflict(_("This licence has already been renewed, or a renewal is under way."))
    properties = definition.form.schema.get("properties", {})
    return {name: value for name, value in outcome.application.answers.items() if name in properties}


def _editable_fields(application: Application, definition: ServiceDefinition) -> set[str]:
    """Which answers the applicant may change now: all of them in a draft; only the fields an officer
    marked while the application is back with the applicant; none otherwise."""
    if application.holder == Holder.DRAFT:
        return set(definition.form.order)
    if application.holder == Holder.APPLICANT:
        return set(application.corrections.get("fields", []))
    return set()


@transaction.atomic
def draft_answers_save(
    *, actor: User, application: Application, answers: Mapping[str, Any], complete: bool = False
) -> Application:
    """Save answers to a draft, or corrections to marked fields. `complete=False` (save and come back
    later) lets required fields stay empty; every value given must still be valid."""
    application = _locked(application)
    _ensure_applicant(actor, application)
    _apply_answers(application, definition_of(application), answers, complete=complete)
    application.save(update_fields=["answers", "updated_at"])
    audit.record(
        actor=actor,
        action="applications.answers_save",
        target=application,
        payload={"fields": sorted(answers)},
        on_behalf_of=_audit_business(application),
    )
    return application


def _apply_answers(
    application: Application, definition: ServiceDefinition, answers: Mapping[str, Any], *, complete: bool
) -> None:
    """Merge valid answers into the application (no save): every field while a draft, only the marked
    ones while it is back with the applicant for corrections."""
    editable = _editable_fields(application, definition)
    if not editable:
        raise Conflict(_("This application can no longer be changed."))
    refused = sorted(set(answers) - editable)
    if refused and application.holder == Holder.APPLICANT:
        message = _("Only the fields the agency asked you to correct can be changed.")
        raise InvalidInput(message, fields={name: [message] for name in refused})
    merged = {**application.answers, **answers}
    merged = {name: value for name, value in merged.items() if value not in (None, "")}
    errors = eforms.validate_answers(definition.form, merged)
    if not complete:
        errors = {name: messages for name, messages in errors.items() if name in merged}
    if errors:
        raise InvalidInput(fields=errors)
    application.answers = merged


@transaction.atomic
def draft_delete(*, actor: User, application: Application) -> None:
    application = _locked(application)
    _ensure_applicant(actor, application)
    if application.holder != Holder.DRAFT:
        raise Conflict(_("Only a draft can be deleted. You can withdraw a submitted application."))
    stored_names = list(application.documents.values_list("stored_name", flat=True))
    audit.record(
        actor=actor,
        action="applications.draft_delete",
        target=application,
        payload={"service": application.service.code},
        on_behalf_of=_audit_business(application),
    )
    application.documents.all().delete()
    application.delete()

    def remove_files() -> None:
        storage = private_storage()
        for name in stored_names:
            storage.delete(name)

    transaction.on_commit(remove_files)


# --- documents ----------------------------------------------------------------------------------------


@transaction.atomic
def document_upload(
    *, actor: User, application: Application, requirement: str, data: bytes, filename: str
) -> ApplicationDocument:
    application = _locked(application)
    _ensure_applicant(actor, application)
    definition = definition_of(application)
    wanted = {doc.code: doc for doc in definition.documents if not doc.held_by_state}
    spec = wanted.get(requirement)
    if spec is None:
        message = _("This service does not ask for that document.")
        raise InvalidInput(message, fields={"requirement": [message]})
    if application.holder == Holder.APPLICANT:
        if requirement not in application.corrections.get("documents", []):
            message = _("Only the documents the agency asked for can be changed.")
            raise InvalidInput(message, fields={"file": [message]})
    elif application.holder != Holder.DRAFT:
        raise Conflict(_("This application can no longer be changed."))
    checked = check_upload(data, accepted=spec.types, max_size_kb=spec.max_size_kb, max_pages=spec.max_pages)
    application.documents.filter(requirement=requirement, replaced=False).update(replaced=True)
    document = ApplicationDocument(
        application=application,
        requirement=requirement,
        original_name=(filename or "")[-255:],
        kind=checked.kind,
        content_type=checked.content_type,
        size=checked.size,
        pages=checked.pages,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    # Saved before the row: a failed write leaves no row pointing at nothing; a rolled-back row leaves
    # an orphan file, which is harmless and never served.
    document.stored_name = private_storage().save(
        f"applications/{application.public_id}/{document.public_id.hex}", ContentFile(data)
    )
    document.save()
    audit.record(
        actor=actor,
        action="applications.document_upload",
        target=application,
        payload={"requirement": requirement, "sha256": checked.sha256, "size": checked.size},
        on_behalf_of=_audit_business(application),
    )
    return document


def _ensure_complete(application: Application, definition: ServiceDefinition) -> None:
    errors: dict[str, list[Any]] = dict(eforms.validate_answers(definition.form, application.answers))
    errors.update(
        {
            f"document-{doc.code}": [_("Upload “%(name)s”.") % {"name": doc.name}]
            for doc in missing_documents(application)
        }
    )
    if errors:
        raise InvalidInput(
            _("Some answers or documents are missing or not valid. Please check and try again."),
            fields=errors,
        )


# --- submission and the workflow ----------------------------------------------------------------------


@transaction.atomic
def application_submit(*, actor: User, application: Application, idempotency_key: str) -> Application:
    """Submit a draft. Idempotent: the same key again (a double click, a retried request) returns the
    submitted application and changes nothing."""
    application = _locked(application)
    _ensure_applicant(actor, application)
    if idempotency_key and application.submission_key == idempotency_key:
        return application
    if application.holder != Holder.DRAFT:
        raise Conflict(_("This application has already been submitted."))
    definition = definition_of(application)
    _ensure_may_apply(actor, definition, application.on_behalf_of)
    _ensure_complete(application, definition)
    application.handling_agency = _routed_agency(application, definition)
    application.consenter = _consenter(application, definition, actor)
    application.reference = next_reference("APP")
    application.submitted_at = timezone.now()
    application.submission_key = idempotency_key
    today = local_today()
    application.due_date = due_date(today, definition.time_limit_days)
    application.state = DRAFT_STATE
    _enter_state(application, definition, definition.workflow.start, today=today)
    application.save()
    event = _record_event(
        application, action=SUBMIT, from_state=DRAFT_STATE, party=Party.APPLICANT, actor=actor
    )
    _notify_applicant(application, definition, "application_received", event=event)
    audit.record(
        actor=actor,
        action="applications.submit",
        target=application,
        payload={"service": application.service.code, "version": application.service_version.number},
        on_behalf_of=_audit_business(application),
    )
    return application


def _routed_agency(application: Application, definition: ServiceDefinition) -> Agency:
    code = definition.agency
    if definition.routing is not None:
        code = definition.routing.agencies.get(str(application.answers.get(definition.routing.field)), code)
    return agency_get(code=code)


def _consenter(application: Application, definition: ServiceDefinition, actor: User) -> User | None:
    if definition.consent_field is None:
        return None
    field = definition.consent_field
    national_id = normalise_id(str(application.answers.get(field, "")))
    consenter = User.objects.filter(national_id=national_id, is_active=True).first()
    if consenter is None:
        message = _("Nobody with this national ID number has an account. Ask them to sign up first.")
        raise InvalidInput(message, fields={field: [message]})
    if consenter.pk == actor.pk:
        message = _("Enter the national ID number of the other person, not your own.")
        raise InvalidInput(message, fields={field: [message]})
    # Anyone can sign up under an unclaimed ID number; only a verified identity can speak for its owner.
    if consenter.assurance_level != AssuranceLevel.VERIFIED:
        message = _("This person has not verified their identity yet. Ask them to do so in “My account”.")
        raise InvalidInput(message, fields={field: [message]})
    return consenter


def _enter_state(
    application: Application, definition: ServiceDefinition, code: str, *, today: datetime.date
) -> None:
    """Move the application into a state and set everything that follows from it (no save)."""
    state = definition.workflow.states[code]
    application.state = code
    application.holder = state.holder
    application.state_entered_at = timezone.now()
    application.state_due_date = due_date(today, state.sla_days) if state.sla_days else None
    application.assigned_to = None
    application.escalated_role = ""
    roles = workflow.acting_roles(state)
    application.acting_roles = f",{','.join(sorted(roles))}," if roles else ""
    assert application.handling_agency is not None
    if state.holder in (Holder.AGENCY, Holder.PAYMENT):
        application.holding_agency = (
            agency_get(code=state.agency) if state.agency else application.handling_agency
        )
    else:
        application.holding_agency = None
    if state.holder == Holder.PAYMENT:
        _charge_fees(application, definition, state)
    if state.holder == Holder.DONE:
        application.decided_at = timezone.now()
        if state.outcome == "approved":
            _issue_outcome(application, definition, today=today)


def _charge_fees(application: Application, definition: ServiceDefinition, state: State) -> None:
    charged = [item for item in definition.fees if item.code in state.fees]
    quote = fees.quote(charged, application.answers)
    application.fee_lines = fees.fee_lines_as_json(quote)
    application.fee_total_satang = quote.total_satang
    events.publish_on_commit(fee_due_event(application))


def fee_due_event(application: Application) -> events.FeeDue:
    """What the application owes, as the payments app is told it: on entering a payment state, and again
    by the catch-up when no bill came of it."""
    assert application.reference is not None and application.holding_agency is not None
    quote = fees.fee_quote_from_json(application.fee_lines)
    return events.FeeDue(
        payable_reference=application.reference,
        agency_code=application.holding_agency.code,
        payer_public_id=str(application.applicant.public_id),
        lines=tuple(
            events.FeeLine(
                code=line.code, name_th=line.name.th, name_en=line.name.en, amount_satang=line.amount_satang
            )
            for line in quote.lines
        ),
        total_satang=quote.total_satang,
    )


def _issue_outcome(application: Application, definition: ServiceDefinition, *, today: datetime.date) -> None:
    spec = definition.outcome
    # A renewal continues the old licence: it starts the day after the old one ends, not earlier.
    renewed = application.renewal_of
    valid_from = today
    if renewed is not None and renewed.valid_until is not None and renewed.valid_until >= today:
        valid_from = renewed.valid_until + datetime.timedelta(days=1)
    assert application.handling_agency is not None
    outcome = Outcome.objects.create(
        application=application,
        number=next_reference(spec.number_prefix),
        kind=spec.kind,
        name_th=spec.name.th,
        name_en=spec.name.en,
        holder=application.applicant,
        holder_business=application.on_behalf_of,
        agency=application.handling_agency,
        valid_from=valid_from,
        valid_until=valid_from + datetime.timedelta(days=spec.valid_for_days)
        if spec.valid_for_days
        else None,
        conditions=[condition.as_dict() for condition in spec.conditions],
    )
    _issue_document(application, definition, outcome)


def _holder_name(application: Application) -> str:
    """The name on a person's document: Thai, else English, else NO_NAME."""
    person = application.applicant
    thai = f"{person.first_name_th} {person.last_name_th}".strip()
    english = f"{person.first_name_en} {person.last_name_en}".strip()
    if not (thai or english):
        logger.warning(
            "the applicant of %s has no name on record: the document names nobody", application.reference
        )
    return thai or english or NO_NAME


def _issue_document(application: Application, definition: ServiceDefinition, outcome: Outcome) -> None:
    """The outcome as a signed document, pending in this transaction and signed once it commits. A
    licence for a business is the business's, not the applicant's: its juristic number and name are the
    holder's, and whoever acts for the business holds it."""
    applicant, business = application.applicant, application.on_behalf_of
    assert application.reference is not None
    document_issue(
        actor=None,
        kind=outcome.kind,
        number=outcome.number,
        title_th=outcome.name_th,
        title_en=outcome.name_en,
        agency=outcome.agency,
        subject_reference=application.reference,
        holder_id_number=business.juristic_number if business else applicant.national_id,
        holder_name=business.name_th if business else _holder_name(application),
        holder_user=None if business else applicant,
        holder_business=business,
        valid_from=outcome.valid_from,
        valid_until=outcome.valid_until,
        content={
            "application_reference": application.reference,
            "service_name_th": definition.name.th,
            "service_name_en": definition.name.en,
            "business_name_th": business.name_th if business else "",
            "business_name_en": business.name_en if business else "",
            "juristic_number": business.juristic_number if business else "",
            "conditions": outcome.conditions,
        },
    )


@transaction.atomic
def application_act(
    *,
    actor: User,
    application: Application,
    action: str,
    note: str = "",
    reason: str = "",
    fields: Sequence[str] = (),
    documents: Sequence[str] = (),
    requested_document: str = "",
    answers: Mapping[str, Any] | None = None,
) -> Application:
    """Take a workflow action: whoever `actor` is to the application must be allowed it in this state.
    `answers` go with a resubmission: the corrected fields, saved with it or not at all. A refused
    action changes nothing and writes no audit entry."""
    application = _locked(application)
    party = party_for(actor, application)
    if party is None:
        raise PermissionDenied()
    if party.kind == "consenter" and actor.assurance_level != AssuranceLevel.VERIFIED:
        raise PermissionDenied(_("Verify your identity in “My account” before you give or refuse consent."))
    if party.kind == "officer" and application.assigned_to_id not in (None, actor.pk):
        raise Conflict(_("Another officer has taken this case. Only they can act on it now."))
    definition = definition_of(application)
    if application.state not in definition.workflow.states:
        raise Conflict(_("Nothing more can be done with this application."))
    taken = workflow.ensure_can(
        definition.workflow,
        application.state,
        action,
        party,
        escalated_role=application.escalated_role or None,
    )
    note = clean_text(note, field="note", limit=NOTE_MAX_LENGTH, required=False, missing="")
    public_note = note
    if taken.kind == "reject":
        public_note = clean_text(
            reason,
            field="reason",
            limit=NOTE_MAX_LENGTH,
            required=True,
            missing=_("Give the reason for refusing."),
        )
    elif taken.kind in ("send_back", "request_document"):
        application.corrections = _corrections(definition, taken, note, fields, documents, requested_document)
    elif taken.kind == "resubmit":
        if answers:
            _apply_answers(application, definition, answers, complete=True)
        _ensure_complete(application, definition)
        # The second party may be the very answer that was corrected: ask whoever is named now.
        application.consenter = _consenter(application, definition, actor)
        application.corrections = {}
    agency = application.holding_agency if party.kind == "officer" else None
    from_state = application.state
    _enter_state(application, definition, taken.to, today=local_today())
    application.save()
    event = _record_event(
        application,
        action=taken.name,
        from_state=from_state,
        party=Party.OFFICER if party.kind == "officer" else party.kind,
        actor=actor,
        agency=agency,
        note=public_note,
    )
    if taken.kind in ("send_back", "request_document"):
        _notify_applicant(application, definition, "application_sent_back", event=event)
    _notify_decision(application, definition, event)
    audit.record(
        actor=actor,
        action="applications.act",
        target=application,
        payload={"action": taken.name, "from": from_state, "to": application.state},
        on_behalf_of=_audit_business(application) if party.kind == "applicant" else None,
    )
    return application


def _corrections(
    definition: ServiceDefinition,
    action: Action,
    note: str,
    fields: Sequence[str],
    documents: Sequence[str],
    requested_document: str,
) -> dict[str, Any]:
    known_fields = set(definition.form.order)
    known_documents = {doc.code for doc in definition.documents if not doc.held_by_state}
    unknown = sorted((set(fields) - known_fields) | (set(documents) - known_documents))
    if unknown:
        message = _("Mark only fields and documents of this form.")
        raise InvalidInput(message, fields={"fields": [message]})
    if action.kind == "send_back" and not fields and not documents:
        message = _("Mark at least one field or document for the applicant to correct.")
        raise InvalidInput(message, fields={"fields": [message]})
    if action.kind == "request_document":
        if requested_document not in known_documents:
            message = _("Choose the document to ask for.")
            raise InvalidInput(message, fields={"requested_document": [message]})
        documents = [*documents, requested_document]
    if not note:
        message = _("Tell the applicant what to correct.")
        raise InvalidInput(message, fields={"note": [message]})
    return {"fields": sorted(set(fields)), "documents": sorted(set(documents)), "note": note}


@transaction.atomic
def application_withdraw(*, actor: User, application: Application, reason: str = "") -> Application:
    application = _locked(application)
    _ensure_applicant(actor, application)
    definition = definition_of(application)
    if application.holder == Holder.DRAFT or not workflow.can_withdraw(
        definition.workflow, application.state
    ):
        raise Conflict(_("This application can no longer be withdrawn."))
    reason = clean_text(reason, field="reason", limit=NOTE_MAX_LENGTH, required=False, missing="")
    from_state = application.state
    application.state, application.holder = WITHDRAWN_STATE, Holder.DONE
    application.holding_agency = None
    application.assigned_to = None
    application.acting_roles = application.escalated_role = ""
    application.state_due_date = None
    application.decided_at = timezone.now()
    application.save()
    _record_event(
        application, action=WITHDRAW, from_state=from_state, party=Party.APPLICANT, actor=actor, note=reason
    )
    audit.record(
        actor=actor,
        action="applications.withdraw",
        target=application,
        payload={"from": from_state},
        on_behalf_of=_audit_business(application),
    )
    return application


# --- the officers' side -------------------------------------------------------------------------------


def _ensure_can_act_on(actor: User, application: Application) -> None:
    party = party_for(actor, application)
    if party is None or party.kind != "officer":
        raise PermissionDenied()
    allowed = acting_roles(application) | (
        {application.escalated_role} if application.escalated_role else set()
    )
    if not party.roles & allowed:
        raise PermissionDenied(_("None of your roles can act on this case now."))


@transaction.atomic
def case_view_record(*, actor: User, application: Application) -> None:
    """An officer opened a case, and with it the applicant's personal details: audited against the
    applicant, who sees it under "who looked at my data"."""
    agency = application.holding_agency or application.handling_agency
    audit.record(
        actor=actor,
        action="applications.view_case",
        target=application.applicant,
        payload={"agency": agency.code if agency else "", "application": application.reference},
    )


@transaction.atomic
def case_claim(*, actor: User, application: Application) -> Application:
    """Take a case. Two officers claiming at once: the single conditional UPDATE lets exactly one win."""
    _ensure_can_act_on(actor, application)
    claimed = Application.objects.filter(
        pk=application.pk, assigned_to__isnull=True, state=application.state
    ).update(assigned_to=actor, updated_at=timezone.now())
    application.refresh_from_db()
    if not claimed:
        if application.assigned_to_id == actor.pk:
            return application
        raise Conflict(_("Another officer has just taken this case."))
    audit.record(
        actor=actor, action="applications.claim", target=application, payload={"state": application.state}
    )
    return application


@transaction.atomic
def case_release(*, actor: User, application: Application) -> Application:
    application = _locked(application)
    if application.assigned_to_id != actor.pk:
        raise Conflict(_("This case is not assigned to you."))
    application.assigned_to = None
    application.save(update_fields=["assigned_to", "updated_at"])
    audit.record(actor=actor, action="applications.release", target=application)
    return application


@transaction.atomic
def message_post(*, actor: User, application: Application, body: str, internal: bool = False) -> Message:
    """A message in the thread; `internal` notes are for officers and never shown to the applicant."""
    application = _locked(application)
    party = party_for(actor, application)
    if party is not None and party.kind == "applicant":
        # An officer applying to their own agency is an applicant here: no internal notes, on either side.
        if internal:
            raise PermissionDenied()
        side, agency = Party.APPLICANT, None
    elif application.handling_agency in case_agencies(actor) or (
        party is not None and party.kind == "officer"
    ):
        side, agency = Party.OFFICER, application.holding_agency or application.handling_agency
    else:
        raise PermissionDenied()
    if application.holder == Holder.DRAFT:
        raise Conflict(_("Messages can be sent once the application is submitted."))
    body = clean_text(
        body, field="body", limit=MESSAGE_MAX_LENGTH, required=True, missing=_("Write your message.")
    )
    message = Message.objects.create(
        application=application, author=actor, party=side, agency=agency, body=body, internal=internal
    )
    audit.record(
        actor=actor,
        action="applications.note" if internal else "applications.message",
        target=application,
        payload={"message": str(message.public_id)},
    )
    return message


# --- fees ---------------------------------------------------------------------------------------------


def _amount_paid(application: Application) -> int:
    return sum(application.payments.values_list("amount_satang", flat=True))


@transaction.atomic
def payment_settle(*, event: events.PaymentSettled) -> Application | None:
    """Apply a settled payment to the application it pays for: record it once (by its payment id) and
    move the case on once the fee is covered. Announcing the same payment again changes nothing."""
    return _settle(event, catch_up=False)[0]


def _settle(event: events.PaymentSettled, *, catch_up: bool) -> tuple[Application | None, bool]:
    application = (
        Application.objects.select_for_update(of=("self",)).filter(reference=event.payable_reference).first()
    )
    if application is None:
        return None, False
    if not FeePayment.objects.filter(payment_id=event.payment_id).exists():
        FeePayment.objects.create(
            application=application,
            payment_id=event.payment_id,
            amount_satang=event.amount_satang,
            channel=event.channel,
            receipt_number=event.receipt_number,
        )
    moved = _move_if_paid(application, receipt_number=event.receipt_number)
    payload: dict[str, Any] = {
        "payment_id": event.payment_id,
        "amount_satang": event.amount_satang,
        "moved": moved,
    }
    if catch_up:
        payload["catch_up"] = True
    audit.record(actor=None, action="applications.payment_settle", target=application, payload=payload)
    return application, moved


def _move_if_paid(application: Application, *, receipt_number: str) -> bool:
    """Take the payment state's `paid` action if the fee is covered (the caller holds the row lock)."""
    definition = definition_of(application)
    state = definition.workflow.states.get(application.state)
    if (
        state is None
        or state.holder != Holder.PAYMENT
        or _amount_paid(application) < application.fee_total_satang
    ):
        return False
    taken = next(action for action in state.actions if action.kind == "paid")
    from_state = application.state
    _enter_state(application, definition, taken.to, today=local_today())
    application.save()
    event = _record_event(
        application, action=taken.name, from_state=from_state, party=Party.SYSTEM, note=receipt_number
    )
    _notify_decision(application, definition, event)
    return True


def settle_paid_applications() -> int:
    """The periodic catch-up for what a process killed between a commit and its event handlers leaves
    behind, for every case waiting in a payment state: a paid bill whose PaymentSettled was never
    applied (applied now), and a fee that was never billed (its FeeDue is announced again, so a lost
    handler never leaves a case unpayable). Returns how many cases moved on."""
    waiting = list(Application.objects.filter(holder=Holder.PAYMENT, reference__isnull=False))
    applied = set(FeePayment.objects.filter(application__in=waiting).values_list("payment_id", flat=True))
    moved = 0
    for event in payment_selectors.settlements_for(references=[str(a.reference) for a in waiting]):
        if event.payment_id in applied:
            continue
        try:
            with transaction.atomic():
                moved += _settle(event, catch_up=True)[1]
        except Exception:
            # One broken case must not keep every other case waiting for its payment.
            logger.exception("applying payment %s to %s failed", event.payment_id, event.payable_reference)
    # Read again: the cases just moved on are no longer waiting.
    for application in Application.objects.filter(
        pk__in=[a.pk for a in waiting], holder=Holder.PAYMENT, payments__isnull=True
    ).select_related("holding_agency", "applicant"):
        assert application.reference is not None
        bill = payment_selectors.live_bill_for(
            kind=Bill.Kind.APPLICATION_FEE, subject_reference=application.reference
        )
        if bill is not None:
            continue
        try:
            events.deliver(fee_due_event(application))
        except Exception:
            logger.exception("billing the fee of %s failed", application.reference)
    return moved


# --- escalation ---------------------------------------------------------------------------------------


def escalate_overdue(*, today: datetime.date | None = None) -> int:
    """Apply each overdue case's escalation rule; returns how many cases were escalated."""
    today = today or local_today()
    escalated = 0
    for candidate in overdue_for_escalation(today=today):
        try:
            escalated += _escalate_one(candidate, today=today)
        except Exception:
            # One broken case must not keep every other overdue case from being escalated.
            logger.exception("escalating %s failed", candidate.reference)
    return escalated


@transaction.atomic
def _escalate_one(application: Application, *, today: datetime.date) -> bool:
    application = _locked(application)
    if (
        application.state_due_date is None
        or application.state_due_date >= today
        or application.escalated_role
    ):
        return False
    definition = definition_of(application)
    state = definition.workflow.states.get(application.state)
    if state is None or state.escalation is None:
        return False
    from_state = application.state
    if state.escalation.kind == "role":
        application.escalated_role = state.escalation.role
        application.save(update_fields=["escalated_role", "updated_at"])
        note = state.escalation.role
    else:
        # The rule itself is the authority here ("deemed approved"), whoever the action normally needs.
        taken = next(action for action in state.actions if action.name == state.escalation.action)
        note = str(_("No decision was made within the time limit.")) if taken.kind == "reject" else ""
        _enter_state(application, definition, taken.to, today=today)
        application.save()
    event = _record_event(
        application, action="escalate", from_state=from_state, party=Party.SYSTEM, note=note
    )
    _notify_decision(application, definition, event)
    audit.record(
        actor=None,
        action="applications.escalate",
        target=application,
        payload={"state": from_state, "rule": state.escalation.kind, "to": application.state},
    )
    return True
