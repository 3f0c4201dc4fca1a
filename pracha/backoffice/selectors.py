"""Reads of the officer workbench, built on the applications app's selectors: who counts as an officer
here, what a search is looking for, the rows of a queue and everything the case page shows."""

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from pracha.agencies.public import Agency, agencies_where_permitted, has_permission, officer_permissions
from pracha.applications.public import Application, ApplicationDocument, FeePayment, Holder, Message
from pracha.applications.public import selectors as applications
from pracha.catalogue.public import (
    DRAFT_STATE,
    SUBMIT,
    WITHDRAW,
    WITHDRAWN_STATE,
    Action,
    ServiceDefinition,
    ServiceVersion,
    State,
    Text,
    eforms,
    fees,
    version_definition,
    workflow,
)
from pracha.core.errors import NotFound
from pracha.core.thai_ids import normalise_id
from pracha.core.working_days import local_today, working_days_left
from pracha.notifications import public as notifications
from pracha.notifications.public import ApiKey
from pracha.notifications.public import Message as NotificationMessage
from pracha.payments.public import Bill

PAGE_SIZE = 25

# The queue's tabs, in the order they are shown: (code for applications.selectors.queue, label).
TABS: tuple[tuple[str, Promise], ...] = (
    ("unassigned", _("Unassigned")),
    ("mine", _("Assigned to me")),
    ("due_soon", _("Due soon")),
    ("overdue", _("Overdue")),
    ("all", _("All")),
)
TAB_CODES = tuple(code for code, _label in TABS)
DEFAULT_TAB = "unassigned"

# What an officer may type in the search box. A reference finds a case; the other two read a person's
# details, which is why they are audited (backoffice.services.case_search_record).
REFERENCE_PATTERN = re.compile(r"[A-Za-z]{2,10}-\d{4}-\d+")
NATIONAL_ID_PATTERN = re.compile(r"[\d\s-]+")

SPECIAL_ACTION_LABELS: dict[str, Promise] = {
    SUBMIT: _("Submitted"),
    WITHDRAW: _("Withdrawn by the applicant"),
    "escalate": _("Escalated: past the time limit"),
}
SPECIAL_STATE_NAMES: dict[str, Promise] = {
    DRAFT_STATE: _("Draft"),
    WITHDRAWN_STATE: _("Withdrawn"),
}


def is_case_officer(user: Any) -> bool:
    """Whether the user may use the workbench at all: a case permission in some agency."""
    return bool(getattr(user, "is_authenticated", False) and applications.case_agencies(user))


def search_kind(query: str) -> str:
    """ "reference", "national_id", "name", or "" for an empty query."""
    text = (query or "").strip()
    if not text:
        return ""
    if REFERENCE_PATTERN.fullmatch(text):
        return "reference"
    if NATIONAL_ID_PATTERN.fullmatch(text) and any(character.isdigit() for character in text):
        return "national_id"
    return "name"


def national_id_last_digits(query: str, *, count: int = 4) -> str:
    """The last digits of a national ID typed in any grouping: enough to tell searches apart in the audit
    log, never the whole number."""
    return normalise_id(query)[-count:]


# --- names from a definition --------------------------------------------------------------------------


def state_name(definition: ServiceDefinition, code: str) -> str:
    state = definition.workflow.states.get(code)
    if state is not None:
        return str(state.name)
    return str(SPECIAL_STATE_NAMES.get(code, code))


def action_label(definition: ServiceDefinition, name: str) -> str:
    if name in SPECIAL_ACTION_LABELS:
        return str(SPECIAL_ACTION_LABELS[name])
    for state in definition.workflow.states.values():
        for action in state.actions:
            if action.name == name:
                return str(action.label)
    return name


def service_name(application: Application) -> str:
    service = application.service
    return str(Text(th=service.name_th, en=service.name_en))


def applicant_name(application: Application) -> str:
    person = application.applicant.full_name or application.applicant.national_id
    if application.on_behalf_of is not None:
        return f"{application.on_behalf_of} ({person})"
    return person


def overdue_by(application: Application, *, today: datetime.date | None = None) -> int:
    """Working days past the SLA of the current state; 0 when not overdue (or closed)."""
    if application.state_due_date is None or application.holder == Holder.DONE:
        return 0
    left = working_days_left(today or local_today(), application.state_due_date)
    return -left if left < 0 else 0


# --- the queue ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    application: Application
    service_name: str
    applicant_name: str
    state_name: str
    overdue_by: int


def queue_rows(applications_page: Iterable[Application]) -> list[QueueRow]:
    today = local_today()
    rows = []
    for application in applications_page:
        definition = applications.definition_of(application)
        rows.append(
            QueueRow(
                application=application,
                service_name=service_name(application),
                applicant_name=applicant_name(application),
                state_name=state_name(definition, application.state),
                overdue_by=overdue_by(application, today=today),
            )
        )
    return rows


def queue_for(
    *, user: Any, tab: str, service_code: str = "", state: str = "", search: str = ""
) -> QuerySet[Application]:
    cases = applications.queue(user=user, tab=tab, service_code=service_code, state=state, search=search)
    return cases.select_related("assigned_to")


def _case_versions(user: Any) -> list[ServiceVersion]:
    cases = applications.officer_cases(user=user)
    return list(
        ServiceVersion.objects.filter(pk__in=cases.values("service_version")).select_related("service")
    )


def service_choices(*, user: Any) -> list[tuple[str, str]]:
    """The services the officer's agencies have cases of, by code."""
    names: dict[str, str] = {}
    for version in _case_versions(user):
        names.setdefault(
            version.service.code, str(Text(th=version.service.name_th, en=version.service.name_en))
        )
    return sorted(names.items(), key=lambda item: item[1])


def state_choices(*, user: Any, service_code: str = "") -> list[tuple[str, str]]:
    """The workflow states of those services (of one service when given), by code."""
    names: dict[str, str] = {}
    for version in _case_versions(user):
        if service_code and version.service.code != service_code:
            continue
        definition = version_definition(version)
        for code, state in definition.workflow.states.items():
            names.setdefault(code, str(state.name))
    return sorted(names.items(), key=lambda item: item[1])


# --- the case page ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineRow:
    at: datetime.datetime
    action: str
    state_name: str
    party: str
    agency: str
    officer: str
    note: str


@dataclass(frozen=True)
class DocumentRow:
    document: ApplicationDocument
    name: str


@dataclass(frozen=True)
class MarkedItem:
    code: str
    name: str


@dataclass(frozen=True)
class CasePage:
    application: Application
    definition: ServiceDefinition
    service_name: str
    applicant_name: str
    state: State | None
    state_name: str
    overdue_by: int
    party: workflow.Party | None
    actions: list[Action]
    answers: list[tuple[str, str, str]]
    documents: list[DocumentRow]
    timeline: list[TimelineRow]
    thread: Sequence[Message]
    fee_quote: fees.FeeQuote
    payments: Sequence[FeePayment]
    # The fee's bill (payable or settled); the cash is taken on its officer page in payments.
    bill: Bill | None = None
    corrected_fields: list[MarkedItem] = field(default_factory=list)
    corrected_documents: list[MarkedItem] = field(default_factory=list)
    can_claim: bool = False
    can_release: bool = False
    can_open_bill: bool = False


def available_actions(user: Any, application: Application) -> list[Action]:
    """Exactly the actions the workflow lets this officer take on the case now."""
    party = applications.party_for(user, application)
    if party is None or party.kind != "officer" or application.assigned_to_id not in (None, user.pk):
        return []
    definition = applications.definition_of(application)
    return workflow.available_actions(
        definition.workflow, application.state, party, escalated_role=application.escalated_role or None
    )


def case_action(user: Any, application: Application, name: str) -> Action:
    """The action `name`, if this officer may take it now: Conflict when the state has no such action (the
    case has moved on), PermissionDenied when the officer may not take it."""
    party = applications.party_for(user, application)
    if party is None or party.kind != "officer":
        party = workflow.Party(kind="officer")
    definition = applications.definition_of(application)
    return workflow.ensure_can(
        definition.workflow, application.state, name, party, escalated_role=application.escalated_role or None
    )


def may_claim(user: Any, application: Application) -> bool:
    if application.assigned_to_id is not None or application.holder != Holder.AGENCY:
        return False
    party = applications.party_for(user, application)
    if party is None or party.kind != "officer":
        return False
    allowed = applications.acting_roles(application)
    if application.escalated_role:
        allowed.add(application.escalated_role)
    return bool(party.roles & allowed)


def _timeline_rows(application: Application, definition: ServiceDefinition) -> list[TimelineRow]:
    rows = []
    for event in applications.timeline(application):
        rows.append(
            TimelineRow(
                at=event.at,
                action=action_label(definition, event.action),
                state_name=state_name(definition, event.to_state) if event.to_state else "",
                party=event.get_party_display(),
                agency=str(event.agency) if event.agency else "",
                # Officers see who did what; the applicant's timeline names only the agency.
                officer=(event.actor.full_name or event.actor.national_id)
                if event.actor is not None and event.party == "officer"
                else "",
                note=event.note,
            )
        )
    return rows


def _document_names(definition: ServiceDefinition) -> dict[str, str]:
    return {document.code: str(document.name) for document in definition.documents}


def case_page(*, user: Any, application: Application) -> CasePage:
    """Everything the case page shows; `application` comes from applications.selectors.access_case."""
    definition = applications.definition_of(application)
    documents = _document_names(definition)
    labels = {name: label for name, label, _value in eforms.display_answers(definition.form, {})}
    quote = fees.fee_quote_from_json(application.fee_lines or [])
    corrections = application.corrections or {}
    bill = applications.fee_bill(application)
    return CasePage(
        application=application,
        definition=definition,
        service_name=service_name(application),
        applicant_name=applicant_name(application),
        state=applications.current_state(application),
        state_name=state_name(definition, application.state),
        overdue_by=overdue_by(application),
        party=applications.party_for(user, application),
        actions=available_actions(user, application),
        answers=eforms.display_answers(definition.form, application.answers),
        documents=[
            DocumentRow(document=document, name=documents.get(document.requirement, document.requirement))
            for document in applications.current_documents(application)
        ],
        timeline=_timeline_rows(application, definition),
        thread=list(applications.thread(application, include_internal=True)),
        fee_quote=quote,
        payments=list(application.payments.order_by("created_at")),
        bill=bill,
        corrected_fields=[
            MarkedItem(code=code, name=labels.get(code, code)) for code in corrections.get("fields", [])
        ],
        corrected_documents=[
            MarkedItem(code=code, name=documents.get(code, code)) for code in corrections.get("documents", [])
        ],
        can_claim=may_claim(user, application),
        can_release=application.assigned_to_id is not None and application.assigned_to_id == user.pk,
        can_open_bill=bill is not None and has_permission(user, "payments.view", agency=bill.agency),
    )


def markable_fields(definition: ServiceDefinition) -> list[tuple[str, str]]:
    """The form's fields an officer can mark for correction, in the form's order."""
    return [(name, label) for name, label, _value in eforms.display_answers(definition.form, {})]


def requestable_documents(definition: ServiceDefinition) -> list[tuple[str, str]]:
    """The documents the applicant uploads (not those the state already holds)."""
    return [
        (document.code, str(document.name)) for document in definition.documents if not document.held_by_state
    ]


# --- the messages desks -------------------------------------------------------------------------------
# Undelivered messages, the platform's templates and the agencies' API keys (pracha.notifications).

MESSAGES_VIEW = "notifications.view"
MESSAGES_TEMPLATES = "notifications.templates"
MESSAGES_KEYS = "notifications.keys"
MESSAGES_PAGE_SIZE = 25


def messages_desks_for(user: Any) -> dict[str, bool]:
    """Which of the three messages desks the officer may open."""
    held = officer_permissions(user)
    return {
        "undelivered": MESSAGES_VIEW in held,
        "templates": MESSAGES_TEMPLATES in held,
        "keys": MESSAGES_KEYS in held,
    }


def message_agencies(user: Any, permission: str) -> list[Agency]:
    """The agencies where the officer holds a messages permission."""
    return agencies_where_permitted(user, permission)


@dataclass(frozen=True)
class UndeliveredRow:
    message: NotificationMessage
    at: datetime.datetime
    kind_label: str
    channel_label: str
    address: str
    agency_name: str


def undelivered_for(
    *, agencies: Sequence[Agency], status: str = "", channel: str = ""
) -> QuerySet[NotificationMessage]:
    """The failed and permanently failed messages of these agencies, newest first, filtered."""
    messages = notifications.undelivered_messages(agency_codes=[agency.code for agency in agencies])
    if status:
        messages = messages.filter(status=status)
    if channel:
        messages = messages.filter(channel=channel)
    return messages


def undelivered_rows(
    messages_page: Iterable[NotificationMessage], *, agencies: Sequence[Agency]
) -> list[UndeliveredRow]:
    names = {agency.code: str(agency) for agency in agencies}
    rows = []
    for message in messages_page:
        kind = notifications.KINDS.get(message.kind)
        rows.append(
            UndeliveredRow(
                message=message,
                at=message.failed_at or message.updated_at,
                kind_label=str(kind.label) if kind is not None else message.kind,
                channel_label=str(message.get_channel_display()),
                address=notifications.masked_address(message.address, channel=message.channel),
                agency_name=names.get(message.agency_code, message.agency_code),
            )
        )
    return rows


# --- the template editor ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateCell:
    language: str
    language_name: str
    edited: bool


@dataclass(frozen=True)
class TemplateListRow:
    kind: str
    kind_label: str
    channel: str
    channel_label: str
    cells: list[TemplateCell]


def template_list_rows() -> list[TemplateListRow]:
    """One row per kind and channel, with each language's template edited or the default."""
    rows: dict[tuple[str, str], TemplateListRow] = {}
    languages = dict(settings.LANGUAGES)
    for summary in notifications.templates_overview():
        key = (summary.kind, summary.channel)
        if key not in rows:
            rows[key] = TemplateListRow(
                kind=summary.kind,
                kind_label=str(summary.label),
                channel=summary.channel,
                channel_label=str(notifications.Channel(summary.channel).label),
                cells=[],
            )
        rows[key].cells.append(
            TemplateCell(
                language=summary.language,
                language_name=str(languages.get(summary.language, summary.language)),
                edited=summary.edited,
            )
        )
    return list(rows.values())


def template_exists(kind: str, channel: str, language: str) -> bool:
    spec = notifications.KINDS.get(kind)
    languages = {code for code, _name in settings.LANGUAGES}
    return spec is not None and channel in spec.channels and language in languages


def template_placeholders(kind: str) -> list[str]:
    """The placeholders a template of this kind may use: the kind's own and ((domain))."""
    return sorted(notifications.KINDS[kind].placeholders | {"domain"})


def template_samples(kind: str, channel: str, language: str) -> dict[str, str]:
    """The typical value of each placeholder, as the preview fills it in (the live SMS count uses them)."""
    return {
        name: notifications.template_preview(
            kind=kind, channel=channel, language=language, subject="", body=f"(({name}))"
        ).body
        for name in template_placeholders(kind)
    }


# --- API keys -----------------------------------------------------------------------------------------


def api_keys_of(*, agencies: Sequence[Agency]) -> QuerySet[ApiKey]:
    return notifications.api_keys_for(agency_codes=[agency.code for agency in agencies])


def access_api_key(*, agencies: Sequence[Agency], public_id: Any) -> ApiKey:
    """A key of one of these agencies; NotFound for any other, whoever's it is."""
    api_key = api_keys_of(agencies=agencies).filter(public_id=public_id).first()
    if api_key is None:
        raise NotFound()
    return api_key
