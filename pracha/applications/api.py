"""Applications and officer tasks in the JSON API.

/api/v1/applications/ is the applicant's side (drafts, answers, documents, submission, withdrawal) and the
workflow actions any party takes; /api/v1/tasks/ is the officers' queue: list, claim, release, complete.
A GovStack Registration building-block adapter maps onto these one to one: its /applications are these,
its /tasks the task list, and /tasks/{id}/complete is POST /tasks/{reference}/complete.

Who may see what is decided by the selectors (`access_*`): anything the caller may not see is 404, the
same for "missing" and "someone else's", so nobody learns whether another person's reference exists.
Who may change what is decided by the services: a party who can see the application but may not take
the step gets 403. An agency system's token is refused everywhere here (403): applying, consenting and
deciding cases are a person's acts, recorded against that person.
"""

import datetime
from collections.abc import Iterable
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from ninja import File, Router, Status, UploadedFile
from ninja.params import FormEx, HeaderEx, P, QueryEx

from pracha.accounts.public import Business, User, api_auth, api_person, businesses_for
from pracha.agencies.public import Agency, roles_by_agency
from pracha.applications import selectors, services
from pracha.applications.models import Application, ApplicationDocument, ApplicationEvent, Holder
from pracha.applications.schemas import (
    TAB,
    ActionIn,
    AnswersIn,
    ApplicationCreateIn,
    ApplicationOut,
    ApplicationPage,
    DocumentOut,
    TaskOut,
    TaskPage,
    WithdrawIn,
)
from pracha.catalogue.public import DRAFT_STATE, WITHDRAWN_STATE, ServiceDefinition, workflow
from pracha.core.errors import InvalidInput, NotFound, PermissionDenied
from pracha.core.http import private_file_response
from pracha.core.working_days import local_today

router = Router(tags=["applications"], auth=api_auth)
tasks_router = Router(tags=["tasks"], auth=api_auth)

Viewer = Literal["applicant", "consenter", "officer"]

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX_LENGTH = 80  # Application.submission_key
IDEMPOTENCY_KEY_MISSING = _(
    "Send an Idempotency-Key header with a value of your own that is unique to this submission, "
    "such as a new UUID. Send the same value again if you retry, so the application is not submitted twice."
)
IDEMPOTENCY_KEY_INVALID = _("The Idempotency-Key must be 1 to 80 visible ASCII characters.")
UNKNOWN_SERVICE = _("There is no service with this code open for applications.")
NOT_YOUR_BUSINESS = _("You are not authorised to act for this business, or there is no such business.")
NO_FILE = _("Select a file to upload.")
NOT_A_CASE_OFFICER = _("Only officers with a role that handles applications can use the task list.")

BUILT_IN_LABELS: dict[str, Promise] = {
    "submit": _("Submit the application"),
    "delete": _("Delete the draft"),
    "withdraw": _("Withdraw the application"),
}
STATE_LABELS: dict[str, Promise] = {DRAFT_STATE: _("Draft"), WITHDRAWN_STATE: _("Withdrawn")}

PAGE_DESCRIPTION = "Paged with `limit` (1 to 200, default 50) and `offset`; `count` is the total."
Limit = QueryEx[int, P(ge=1, le=200, description="How many to return")]
Offset = QueryEx[int, P(ge=0, description="How many to skip")]


# --- the shapes -------------------------------------------------------------------------------------


def _both(text: Promise | str) -> dict[str, str]:
    """A translatable text in both languages, like the definitions' {th, en} pairs."""
    with translation.override("th"):
        thai = str(text)
    with translation.override("en"):
        english = str(text)
    return {"th": thai, "en": english}


def _agency(agency: Agency | None) -> dict[str, Any] | None:
    if agency is None:
        return None
    return {"code": agency.code, "name": {"th": agency.name_th, "en": agency.name_en}}


def _service(application: Application, definition: ServiceDefinition) -> dict[str, Any]:
    return {
        "code": application.service.code,
        "name": definition.name.as_dict(),
        "version": application.service_version.number,
    }


def _state_name(application: Application, definition: ServiceDefinition) -> dict[str, str]:
    if application.state in STATE_LABELS:
        return _both(STATE_LABELS[application.state])
    state = definition.workflow.states.get(application.state)
    return state.name.as_dict() if state is not None else {"th": application.state, "en": application.state}


def _summary(application: Application, definition: ServiceDefinition) -> dict[str, Any]:
    return {
        "id": application.public_id,
        "reference": application.reference,
        "service": _service(application, definition),
        "on_behalf_of": application.on_behalf_of.public_id if application.on_behalf_of else None,
        "state": application.state,
        "state_name": _state_name(application, definition),
        "status": application.holder,
        "status_name": _both(Holder(application.holder).label),
        "agency": _agency(application.handling_agency),
        "holding_agency": _agency(application.holding_agency),
        "due_date": application.due_date,
        "state_due_date": application.state_due_date,
        "submitted_at": application.submitted_at,
        "decided_at": application.decided_at,
        "created_at": application.created_at,
        "updated_at": application.updated_at,
    }


def _document(document: ApplicationDocument) -> dict[str, Any]:
    return {
        "id": document.public_id,
        "requirement": document.requirement,
        "name": document.original_name,
        "kind": document.kind,
        "content_type": document.content_type,
        "size": document.size,
        "pages": document.pages,
        "sha256": document.sha256,
        "uploaded_at": document.created_at,
    }


def _event(event: ApplicationEvent, *, show_officer: bool) -> dict[str, Any]:
    officer = None
    if show_officer and event.party == "officer" and event.actor is not None:
        actor = event.actor
        officer = {
            "th": f"{actor.first_name_th} {actor.last_name_th}".strip(),
            "en": f"{actor.first_name_en} {actor.last_name_en}".strip(),
        }
    return {
        "action": event.action,
        "at": event.at,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "party": event.party,
        "agency": _agency(event.agency),
        "officer": officer,
        "note": event.note,
    }


def _outcome(application: Application) -> dict[str, Any] | None:
    outcome = selectors.outcome_of(application)
    if outcome is None:
        return None
    return {
        "id": outcome.public_id,
        "number": outcome.number,
        "kind": outcome.kind,
        "name": {"th": outcome.name_th, "en": outcome.name_en},
        "valid_from": outcome.valid_from,
        "valid_until": outcome.valid_until,
        "conditions": [{"th": c.get("th", ""), "en": c.get("en", "")} for c in outcome.conditions],
    }


def _offered(actions: Iterable[workflow.Action]) -> list[dict[str, Any]]:
    return [{"name": a.name, "kind": a.kind, "label": a.label.as_dict()} for a in actions]


def _built_in(name: str) -> dict[str, Any]:
    return {"name": name, "kind": name, "label": _both(BUILT_IN_LABELS[name])}


def _actions(user: User, application: Application, definition: ServiceDefinition) -> list[dict[str, Any]]:
    """What this caller may do now: exactly what the services would allow them."""
    party = selectors.party_for(user, application)
    if party is None:
        return []
    if application.holder == Holder.DRAFT:
        return [_built_in("submit"), _built_in("delete")] if party.kind == "applicant" else []
    offered = _offered(
        workflow.available_actions(
            definition.workflow, application.state, party, escalated_role=application.escalated_role or None
        )
    )
    if party.kind == "applicant" and workflow.can_withdraw(definition.workflow, application.state):
        offered.append(_built_in("withdraw"))
    return offered


def _detail(user: User, application: Application, viewer: Viewer) -> dict[str, Any]:
    """The whole application as this caller may see it. The second party (a house owner asked to
    consent) sees what the consent page shows them (selectors.consent_answers), not the applicant's other
    answers, documents, fees or history."""
    definition = selectors.definition_of(application)
    summary = {**_summary(application, definition), "actions": _actions(user, application, definition)}
    if viewer == "consenter":
        shown = {name for name, _label, _value in selectors.consent_answers(application)}
        return {
            **summary,
            "answers": {name: value for name, value in application.answers.items() if name in shown},
            "documents": [],
            "fees": {"lines": [], "total_satang": 0},
            "timeline": [],
            "corrections": None,
            "outcome": None,
        }
    show_officer = definition.show_officer_names or viewer == "officer"
    corrections = application.corrections or {}
    return {
        **summary,
        "answers": application.answers,
        "documents": [_document(document) for document in selectors.current_documents(application)],
        "fees": {"lines": application.fee_lines, "total_satang": application.fee_total_satang},
        "timeline": [_event(event, show_officer=show_officer) for event in selectors.timeline(application)],
        "corrections": {
            "fields": corrections.get("fields", []),
            "documents": corrections.get("documents", []),
            "note": corrections.get("note", ""),
        }
        if corrections
        else None,
        "outcome": _outcome(application),
    }


def _task(application: Application, held: dict[int, frozenset[str]], today: datetime.date) -> dict[str, Any]:
    definition = selectors.definition_of(application)
    roles = held.get(application.holding_agency_id or 0)
    actions: list[dict[str, Any]] = []
    if roles:
        actions = _offered(
            workflow.available_actions(
                definition.workflow,
                application.state,
                workflow.Party(kind="officer", roles=roles),
                escalated_role=application.escalated_role or None,
            )
        )
    assert application.reference is not None  # only submitted applications are tasks
    return {
        "id": application.public_id,
        "reference": application.reference,
        "service": _service(application, definition),
        "state": application.state,
        "state_name": _state_name(application, definition),
        "status": application.holder,
        "holding_agency": _agency(application.holding_agency),
        "due_date": application.state_due_date,
        "application_due_date": application.due_date,
        "overdue": application.state_due_date is not None and application.state_due_date < today,
        "escalated_to": application.escalated_role or None,
        "assigned_to": application.assigned_to.public_id if application.assigned_to else None,
        "submitted_at": application.submitted_at,
        "actions": actions,
    }


def _page(items: QuerySet[Application], limit: int, offset: int) -> tuple[list[Application], int]:
    return list(items[offset : offset + limit]), items.count()


# --- finding the application ------------------------------------------------------------------------


def _find(user: User, key: str) -> tuple[Application, Viewer]:
    """The application `key` (public id or reference) names, if the caller has a part in it: as the
    applicant (or for their business), as the second party asked to consent, or as an officer of an agency
    handling it. NotFound for anything else."""
    try:
        return selectors.access_application(user=user, key=key), "applicant"
    except NotFound:
        pass
    try:
        return selectors.access_consent_request(user=user, reference=key), "consenter"
    except NotFound:
        pass
    return selectors.access_case(user=user, reference=key), "officer"


def _business(user: User, public_id: Any) -> Business:
    business = next((b for b in businesses_for(user=user) if b.public_id == public_id), None)
    if business is None:
        raise InvalidInput(NOT_YOUR_BUSINESS, fields={"on_behalf_of": [NOT_YOUR_BUSINESS]})
    return business


def _idempotency_key(value: str | None) -> str:
    key = (value or "").strip()
    if not key:
        raise InvalidInput(IDEMPOTENCY_KEY_MISSING, fields={IDEMPOTENCY_HEADER: [IDEMPOTENCY_KEY_MISSING]})
    if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH or not (key.isascii() and key.isprintable()):
        raise InvalidInput(IDEMPOTENCY_KEY_INVALID, fields={IDEMPOTENCY_HEADER: [IDEMPOTENCY_KEY_INVALID]})
    return key


def _upload_limit(application: Application) -> int:
    """Bytes worth reading of an upload: one more than the largest file the service accepts, so a bigger
    file is still refused for its size without being read whole into memory."""
    sizes = [doc.max_size_kb for doc in selectors.definition_of(application).documents]
    return max(sizes, default=0) * 1024 + 1


# --- /applications/ ---------------------------------------------------------------------------------


@router.get("/", response=ApplicationPage, summary="Your applications", description=PAGE_DESCRIPTION)
def application_list(request: HttpRequest, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    """Drafts and submitted applications, yours and your businesses', most recently changed first, with
    their status, the agency holding each and its due date."""
    user = api_person(request)
    applications, count = _page(selectors.my_applications(user=user), limit, offset)
    items = [_summary(a, selectors.definition_of(a)) for a in applications]
    return {"items": items, "count": count}


@router.post("/", response={201: ApplicationOut}, summary="Start an application (a draft)")
def application_create(request: HttpRequest, payload: ApplicationCreateIn) -> Status[dict[str, Any]]:
    user = api_person(request)
    business = _business(user, payload.on_behalf_of) if payload.on_behalf_of is not None else None
    try:
        application = services.draft_create(actor=user, service_code=payload.service, on_behalf_of=business)
    except NotFound as error:
        raise InvalidInput(UNKNOWN_SERVICE, fields={"service": [UNKNOWN_SERVICE]}) from error
    return Status(201, _detail(user, application, "applicant"))


@router.get(
    "/{key}",
    response=ApplicationOut,
    summary="One application",
    description="`key` is the reference (APP-2569-000123) or, for a draft, the id. Applicants, the second "
    "party asked to consent, and officers of the agencies handling it may read it.",
)
def application_get(request: HttpRequest, key: str) -> dict[str, Any]:
    user = api_person(request)
    application, viewer = _find(user, key)
    if viewer == "officer":
        services.case_view_record(actor=user, application=application)
    return _detail(user, application, viewer)


@router.patch(
    "/{key}",
    response=ApplicationOut,
    summary="Save answers",
    description="In a draft, any field; when the agency sent it back, only the fields it marked. "
    "Errors name the fields in `fields`.",
)
def application_answers_save(request: HttpRequest, key: str, payload: AnswersIn) -> dict[str, Any]:
    user = api_person(request)
    application, viewer = _find(user, key)
    application = services.draft_answers_save(
        actor=user, application=application, answers=payload.answers, complete=payload.complete
    )
    return _detail(user, application, viewer)


@router.delete("/{key}", response={204: None}, summary="Delete a draft")
def application_delete(request: HttpRequest, key: str) -> Status[None]:
    user = api_person(request)
    application, _viewer = _find(user, key)
    services.draft_delete(actor=user, application=application)
    return Status(204, None)


@router.post(
    "/{key}/documents",
    response={201: DocumentOut},
    summary="Upload a document",
    description="multipart/form-data with `requirement` (the document's code) and `file`. The file is "
    "checked by its content (PDF, JPEG or PNG as the service accepts, size, pages); it replaces an earlier "
    "file for the same requirement.",
)
def document_upload(
    request: HttpRequest,
    key: str,
    requirement: FormEx[str, P(description="The code of the required document")] = "",
    file: File[UploadedFile | None] = None,
) -> Status[dict[str, Any]]:
    user = api_person(request)
    application, _viewer = _find(user, key)
    # Checked here rather than by the schema, so a missing part gets the same plain message as the page.
    if file is None:
        raise InvalidInput(NO_FILE, fields={"file": [NO_FILE]})
    data = file.read(_upload_limit(application))
    document = services.document_upload(
        actor=user, application=application, requirement=requirement, data=data, filename=file.name or ""
    )
    return Status(201, _document(document))


@router.get(
    "/{key}/documents/{document_id}",
    summary="Download a document",
    description="The file as uploaded, for the applicant and for officers of the agencies handling it.",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file",
                "content": {kind: {} for kind in ("application/pdf", "image/jpeg", "image/png")},
            }
        }
    },
)
def document_download(request: HttpRequest, key: str, document_id: str) -> HttpResponseBase:
    user = api_person(request)
    application, _viewer = _find(user, key)
    document = selectors.access_document(user=user, public_id=document_id)
    if document.application_id != application.pk:
        raise NotFound()
    return private_file_response(
        document.stored_name,
        filename=f"{document.requirement}.{'jpg' if document.kind == 'jpeg' else document.kind}",
        content_type=document.content_type,
    )


@router.post(
    "/{key}/submit",
    response=ApplicationOut,
    summary="Submit a draft",
    description="Needs an `Idempotency-Key` header: the same key again returns the submitted application "
    "and changes nothing (a retried request); another key for a submitted application is a conflict (409).",
)
def application_submit(
    request: HttpRequest,
    key: str,
    idempotency_key: HeaderEx[
        str | None,
        P(alias=IDEMPOTENCY_HEADER, description="Required: a value unique to this submission, e.g. a UUID"),
    ] = None,
) -> dict[str, Any]:
    user = api_person(request)
    submission_key = _idempotency_key(idempotency_key)
    application, viewer = _find(user, key)
    application = services.application_submit(
        actor=user, application=application, idempotency_key=submission_key
    )
    return _detail(user, application, viewer)


@router.post(
    "/{key}/actions",
    response=ApplicationOut,
    summary="Take a workflow action",
    description="Any party's step offered in `actions`: the applicant's resubmit, the second party's "
    "consent or decline, an officer's decision.",
)
def application_act(request: HttpRequest, key: str, payload: ActionIn) -> dict[str, Any]:
    user = api_person(request)
    application, viewer = _find(user, key)
    application = services.application_act(actor=user, application=application, **payload.model_dump())
    return _detail(user, application, viewer)


@router.post("/{key}/withdraw", response=ApplicationOut, summary="Withdraw a submitted application")
def application_withdraw(request: HttpRequest, key: str, payload: WithdrawIn) -> dict[str, Any]:
    user = api_person(request)
    application, viewer = _find(user, key)
    application = services.application_withdraw(actor=user, application=application, reason=payload.reason)
    return _detail(user, application, viewer)


# --- /tasks/ ----------------------------------------------------------------------------------------


def _case_officer(request: HttpRequest) -> User:
    user = api_person(request)
    if not selectors.case_agencies(user):
        raise PermissionDenied(NOT_A_CASE_OFFICER)
    return user


def _task_of(user: User, application: Application) -> dict[str, Any]:
    return _task(application, roles_by_agency(user), local_today())


@tasks_router.get(
    "/",
    response=TaskPage,
    summary="Your work queue",
    description="Tabs: unassigned (cases your roles can act on that nobody has claimed), mine, due_soon, "
    "overdue, all (everything your agencies handle). Soonest due first. " + PAGE_DESCRIPTION,
)
def task_list(
    request: HttpRequest,
    tab: TAB = "unassigned",
    service: str = "",
    state: str = "",
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    user = _case_officer(request)
    cases = selectors.queue(user=user, tab=tab, service_code=service, state=state)
    cases = cases.select_related("assigned_to")
    applications, count = _page(cases, limit, offset)
    held, today = roles_by_agency(user), local_today()
    return {"items": [_task(application, held, today) for application in applications], "count": count}


@tasks_router.get("/{reference}", response=TaskOut, summary="One task")
def task_get(request: HttpRequest, reference: str) -> dict[str, Any]:
    user = _case_officer(request)
    application = selectors.access_case(user=user, reference=reference)
    services.case_view_record(actor=user, application=application)
    return _task_of(user, application)


@tasks_router.post(
    "/{reference}/claim",
    response=TaskOut,
    summary="Claim a task",
    description="Race-safe: if another officer claimed it first, 409.",
)
def task_claim(request: HttpRequest, reference: str) -> dict[str, Any]:
    user = _case_officer(request)
    application = selectors.access_case(user=user, reference=reference)
    application = services.case_claim(actor=user, application=application)
    return _task_of(user, application)


@tasks_router.post("/{reference}/release", response=TaskOut, summary="Release a task you claimed")
def task_release(request: HttpRequest, reference: str) -> dict[str, Any]:
    user = _case_officer(request)
    application = selectors.access_case(user=user, reference=reference)
    application = services.case_release(actor=user, application=application)
    return _task_of(user, application)


@tasks_router.post(
    "/{reference}/complete",
    response=ApplicationOut,
    summary="Complete a task: take a workflow action",
    description="`action` is one of the task's `actions`; reject needs `reason`, send_back a `note` and "
    "`fields` or `documents`, request_document a `note` and `requested_document`.",
)
def task_complete(request: HttpRequest, reference: str, payload: ActionIn) -> dict[str, Any]:
    user = _case_officer(request)
    application = selectors.access_case(user=user, reference=reference)
    application = services.application_act(actor=user, application=application, **payload.model_dump())
    return _detail(user, application, "officer")
