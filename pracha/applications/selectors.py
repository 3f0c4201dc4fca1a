"""Reads of applications, scoped to who is asking: the applicant's side and the officers' side."""

import uuid
from typing import Any

from django.db.models import F, Q, QuerySet

from pracha.accounts.public import businesses_for
from pracha.agencies.public import Agency, agencies_where_permitted, roles_by_agency
from pracha.applications.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    Holder,
    Message,
    Outcome,
)
from pracha.catalogue.public import (
    DocumentRequirement,
    Service,
    ServiceDefinition,
    State,
    eforms,
    published_services,
    version_definition,
    workflow,
)
from pracha.core.errors import NotFound
from pracha.core.working_days import due_date, local_today
from pracha.documents.public import Document, documents_for_subject
from pracha.payments.public import Bill, Receipt
from pracha.payments.public import selectors as payment_selectors

# Officers reach a case through any of these permissions in an agency that handles or holds it.
CASE_PERMISSIONS = ("applications.review", "applications.decide", "payments.record_cash")
DUE_SOON_DAYS = 2


def definition_of(application: Application) -> ServiceDefinition:
    return version_definition(application.service_version)


def current_state(application: Application) -> State | None:
    """The workflow state the application is in; None for drafts and withdrawn applications."""
    return definition_of(application).workflow.states.get(application.state)


def _applicant_side(user: Any) -> Q:
    return Q(applicant=user) | Q(on_behalf_of__in=businesses_for(user=user))


def _with_relations(applications: QuerySet[Application]) -> QuerySet[Application]:
    return applications.select_related(
        "service",
        "service_version",
        "applicant",
        "on_behalf_of",
        "holding_agency",
        "handling_agency",
        "consenter",
    )


def my_applications(*, user: Any) -> QuerySet[Application]:
    if not getattr(user, "is_authenticated", False):
        return Application.objects.none()
    return _with_relations(Application.objects.filter(_applicant_side(user))).order_by("-updated_at")


def consent_requests(*, user: Any) -> QuerySet[Application]:
    if not getattr(user, "is_authenticated", False):
        return Application.objects.none()
    return _with_relations(Application.objects.filter(consenter=user, holder=Holder.CONSENTER))


def _parse_key(key: str) -> Q:
    try:
        return Q(public_id=uuid.UUID(str(key)))
    except ValueError:
        return Q(reference=key)


def access_application(*, user: Any, key: str) -> Application:
    """An application the user applied for (or their business did), by reference or UUID; NotFound
    for anything else, so nobody learns whether someone else's reference exists."""
    if not getattr(user, "is_authenticated", False):
        raise NotFound()
    application = (
        _with_relations(Application.objects.filter(_applicant_side(user))).filter(_parse_key(key)).first()
    )
    if application is None:
        raise NotFound()
    return application


def access_consent_request(*, user: Any, reference: str) -> Application:
    """An application waiting for this person's consent (they see only what consenting needs)."""
    if not getattr(user, "is_authenticated", False):
        raise NotFound()
    application = consent_requests(user=user).filter(reference=reference).first()
    if application is None:
        raise NotFound()
    return application


def case_agencies(user: Any) -> list[Agency]:
    agencies: dict[int, Agency] = {}
    for permission in CASE_PERMISSIONS:
        for agency in agencies_where_permitted(user, permission):
            agencies[agency.pk] = agency
    return list(agencies.values())


def officer_cases(*, user: Any) -> QuerySet[Application]:
    agencies = case_agencies(user)
    if not agencies:
        return Application.objects.none()
    # Never their own applications: an officer who applies to their own agency is only an applicant there.
    return _with_relations(
        Application.objects.submitted()
        .filter(Q(holding_agency__in=agencies) | Q(handling_agency__in=agencies))
        .exclude(applicant=user)
    )


def access_case(*, user: Any, reference: str) -> Application:
    application = officer_cases(user=user).filter(reference=reference).first()
    if application is None:
        raise NotFound()
    return application


def acts_for(user: Any, business_id: int | None) -> bool:
    """Whether the user is currently authorised to act for the business (none given: no)."""
    return business_id is not None and any(
        business.pk == business_id for business in businesses_for(user=user)
    )


def party_for(user: Any, application: Application) -> workflow.Party | None:
    """Who `user` is to this application now: the applicant, the second party, or an officer with the
    roles they hold in the agency holding it. None: no part in it."""
    if not getattr(user, "is_authenticated", False):
        return None
    if application.applicant_id == user.pk or acts_for(user, application.on_behalf_of_id):
        return workflow.Party(kind="applicant")
    if application.consenter_id == user.pk:
        return workflow.Party(kind="consenter")
    if application.holding_agency_id is None:
        return None
    roles = roles_by_agency(user).get(application.holding_agency_id)
    return workflow.Party(kind="officer", roles=roles) if roles else None


def acting_roles(application: Application) -> set[str]:
    return {role for role in application.acting_roles.split(",") if role}


def queue(
    *, user: Any, tab: str = "unassigned", service_code: str = "", state: str = "", search: str = ""
) -> QuerySet[Application]:
    """A tab of the officer's work queue: unassigned (cases their roles can act on), mine, due_soon,
    overdue, or all (everything their agencies handle)."""
    cases = officer_cases(user=user)
    held = roles_by_agency(user)
    actionable = Q(pk__in=[])
    for agency_id, roles in held.items():
        for role in roles:
            actionable |= Q(holding_agency_id=agency_id, acting_roles__contains=f",{role},")
            actionable |= Q(holding_agency_id=agency_id, escalated_role=role)
    today = local_today()
    if tab == "unassigned":
        cases = cases.filter(actionable, assigned_to__isnull=True, holder=Holder.AGENCY)
    elif tab == "mine":
        cases = cases.filter(assigned_to=user).exclude(holder=Holder.DONE)
    elif tab == "due_soon":
        cases = cases.filter(
            actionable, state_due_date__gte=today, state_due_date__lte=due_date(today, DUE_SOON_DAYS)
        ).exclude(holder=Holder.DONE)
    elif tab == "overdue":
        cases = cases.filter(actionable, state_due_date__lt=today).exclude(holder=Holder.DONE)
    if service_code:
        cases = cases.filter(service__code=service_code)
    if state:
        cases = cases.filter(state=state)
    if search:
        cases = cases.filter(_search_filter(search))
    # NULLs (no deadline) last on both databases: SQLite and PostgreSQL disagree by default.
    return cases.order_by(F("state_due_date").asc(nulls_last=True), "submitted_at")


def _search_filter(search: str) -> Q:
    """A reference, a national ID (with or without dashes), or a name: every word of it must appear in
    one of the person's names, so "Somying Rakthai-Test" finds her."""
    text = search.strip()
    by_name = Q()
    for word in text.split():
        by_name &= (
            Q(applicant__first_name_th__icontains=word)
            | Q(applicant__last_name_th__icontains=word)
            | Q(applicant__first_name_en__icontains=word)
            | Q(applicant__last_name_en__icontains=word)
        )
    digits = text.replace("-", "").replace(" ", "")
    return Q(reference__iexact=text) | Q(applicant__national_id=digits) | by_name


def current_documents(application: Application) -> QuerySet[ApplicationDocument]:
    return application.documents.filter(replaced=False).select_related("uploaded_by")


def access_document(*, user: Any, public_id: str) -> ApplicationDocument:
    """A file the user may see: their own application's, or a case their agency handles."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as error:
        raise NotFound() from error
    document = ApplicationDocument.objects.select_related("application").filter(public_id=key).first()
    if document is None:
        raise NotFound()
    visible = my_applications(user=user) | officer_cases(user=user)
    if not visible.filter(pk=document.application_id).exists():
        raise NotFound()
    return document


def timeline(application: Application) -> QuerySet[ApplicationEvent]:
    return application.events.select_related("agency", "actor")


def thread(application: Application, *, include_internal: bool) -> QuerySet[Message]:
    messages = application.messages.select_related("author", "agency")
    return messages if include_internal else messages.filter(internal=False)


def my_outcomes(*, user: Any) -> QuerySet[Outcome]:
    if not getattr(user, "is_authenticated", False):
        return Outcome.objects.none()
    return Outcome.objects.filter(
        Q(holder=user) | Q(holder_business__in=businesses_for(user=user))
    ).select_related("application", "application__service", "agency")


def access_outcome(*, user: Any, public_id: str) -> Outcome:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as error:
        raise NotFound() from error
    outcome = my_outcomes(user=user).filter(public_id=key).first()
    if outcome is None:
        raise NotFound()
    return outcome


def overdue_for_escalation(*, today: Any = None) -> QuerySet[Application]:
    """Cases past the SLA of their state, not yet escalated, in a state that can escalate."""
    return Application.objects.filter(
        state_due_date__lt=today or local_today(),
        escalated_role="",
        holder__in=[Holder.AGENCY, Holder.CONSENTER],
    ).select_related("service_version", "holding_agency")


# --- the applicant's pages ----------------------------------------------------------------------------


def missing_documents(application: Application) -> list[DocumentRequirement]:
    """The required documents the applicant still has to upload (the state's own records never count)."""
    present = set(current_documents(application).values_list("requirement", flat=True))
    return [
        doc
        for doc in definition_of(application).documents
        if not doc.optional and not doc.held_by_state and doc.code not in present
    ]


def outcome_of(application: Application) -> Outcome | None:
    return Outcome.objects.filter(application=application).first()


def outcome_document(application: Application) -> Document | None:
    """The signed document of the outcome: the newest issued for the case, so a correction's
    replacement rather than the document it replaced."""
    if application.reference is None:
        return None
    documents = documents_for_subject(subject_reference=application.reference)
    return documents[-1] if documents else None


def fee_bill(application: Application) -> Bill | None:
    """The bill for the application's fee, payable or settled; None before a fee is charged, and for
    the moment between the charge and the payments app making the bill."""
    if application.reference is None or not application.fee_lines:
        return None
    return payment_selectors.live_bill_for(
        kind=Bill.Kind.APPLICATION_FEE, subject_reference=application.reference
    )


def fee_receipt(bill: Bill | None) -> Receipt | None:
    if bill is None or bill.state not in Bill.SETTLED_STATES:
        return None
    return Receipt.objects.filter(payment__bill=bill).first()


def renewal_services() -> dict[str, Service]:
    """Published renewal services by the code of the service whose licences they renew."""
    renewals: dict[str, Service] = {}
    for service in published_services():
        if service.published is None:
            continue
        renews = version_definition(service.published).renewal_of
        if renews:
            renewals.setdefault(renews, service)
    return renewals


def consent_answers(application: Application) -> list[tuple[str, str, str]]:
    """What the second party is shown before consenting: the required answers except their own ID
    number. Optional answers (such as the applicant's reason) stay between the applicant and the agency."""
    definition = definition_of(application)
    required = set(definition.form.schema.get("required", ()))
    return [
        row
        for row in eforms.display_answers(definition.form, application.answers)
        if row[0] in required and row[0] != definition.consent_field
    ]
