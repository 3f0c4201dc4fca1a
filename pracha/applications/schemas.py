"""The shapes of applications and officer tasks in the JSON API.

Names that a service definition or an agency gives in two languages are returned as {"th", "en"} pairs, so
a program can show either; error messages follow the caller's language like the rest of the API.
"""

import datetime
import uuid
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

TAB = Literal["unassigned", "mine", "due_soon", "overdue", "all"]
# Lists of marked fields and documents are short; this only stops absurd bodies.
MAX_MARKED = 100
MAX_TEXT = 4000


class InSchema(Schema):
    """Request bodies refuse keys they do not know, so a misspelt key is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class TextOut(Schema):
    th: str
    en: str


class AgencyOut(Schema):
    code: str
    name: TextOut


class ServiceRefOut(Schema):
    code: str
    name: TextOut
    version: int = Field(description="The version of the service definition the application follows")


class ActionOut(Schema):
    name: str = Field(description="What to send as `action` (or the endpoint to call for built-in steps)")
    kind: str = Field(
        description=(
            "submit, delete and withdraw are built in (their own endpoints); the others are workflow "
            "actions for POST .../actions or POST /tasks/{reference}/complete: advance, forward, approve, "
            "reject (needs reason), send_back (needs note and fields or documents), request_document "
            "(needs note and requested_document), resubmit, consent, decline"
        )
    )
    label: TextOut


class DocumentOut(Schema):
    id: uuid.UUID
    requirement: str = Field(description="The code of the required document this file is for")
    name: str = Field(description="The file name as uploaded (for display only)")
    kind: str = Field(description="pdf, jpeg or png, as found from the content")
    content_type: str
    size: int = Field(description="Bytes")
    pages: int | None = Field(description="Pages of a PDF; null for images")
    sha256: str
    uploaded_at: datetime.datetime


class FeeLineOut(Schema):
    code: str
    name: TextOut
    amount_satang: int


class FeesOut(Schema):
    lines: list[FeeLineOut]
    total_satang: int


class EventOut(Schema):
    action: str
    at: datetime.datetime
    from_state: str
    to_state: str
    party: str = Field(description="applicant, consenter, officer or system")
    agency: AgencyOut | None = Field(description="The agency that acted, for officers' steps")
    officer: TextOut | None = Field(
        description="The officer's name: only where the service names its officers, or for officers"
    )
    note: str


class CorrectionsOut(Schema):
    fields: list[str] = Field(description="Form fields the agency asked the applicant to correct")
    documents: list[str] = Field(description="Documents the agency asked the applicant to upload again")
    note: str


class OutcomeOut(Schema):
    id: uuid.UUID
    number: str
    kind: str
    name: TextOut
    valid_from: datetime.date
    valid_until: datetime.date | None
    conditions: list[TextOut]


class ApplicationSummaryOut(Schema):
    id: uuid.UUID
    reference: str | None = Field(description="Given on submission; null for a draft")
    service: ServiceRefOut
    on_behalf_of: uuid.UUID | None = Field(description="The business applied for, if any")
    state: str
    state_name: TextOut
    status: str = Field(
        description="Who has the application now: draft, agency, applicant, consenter, payment or done"
    )
    status_name: TextOut
    agency: AgencyOut | None = Field(description="The agency responsible for the application")
    holding_agency: AgencyOut | None = Field(description="The agency holding it now, if an agency does")
    due_date: datetime.date | None = Field(description="The legal time limit for the whole service")
    state_due_date: datetime.date | None = Field(description="The time limit of the current step")
    submitted_at: datetime.datetime | None
    decided_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ApplicationOut(ApplicationSummaryOut):
    answers: dict[str, Any]
    documents: list[DocumentOut]
    fees: FeesOut
    timeline: list[EventOut]
    corrections: CorrectionsOut | None = Field(
        description="What to correct while the application is back with the applicant"
    )
    outcome: OutcomeOut | None
    actions: list[ActionOut] = Field(description="What the caller may do now")


class ApplicationPage(Schema):
    items: list[ApplicationSummaryOut]
    count: int


class ApplicationCreateIn(InSchema):
    service: str = Field(max_length=60, description="The service's code, e.g. food-shop-permit")
    on_behalf_of: uuid.UUID | None = Field(
        None, description="The public id of a business you are authorised to act for"
    )


class AnswersIn(InSchema):
    answers: dict[str, Any] = Field(description='Form answers by field name; null or "" clears a field')
    complete: bool = Field(
        False, description="Also require every required field (false: save and come back later)"
    )


class ActionIn(InSchema):
    action: str = Field(max_length=60, description="The name of an action offered in `actions`")
    note: str = Field("", max_length=MAX_TEXT)
    reason: str = Field("", max_length=MAX_TEXT, description="Required to reject")
    fields: list[str] = Field([], max_length=MAX_MARKED, description="send_back: fields to correct")
    documents: list[str] = Field(
        [], max_length=MAX_MARKED, description="send_back: documents to upload again"
    )
    requested_document: str = Field("", max_length=60, description="request_document: which document")


class WithdrawIn(InSchema):
    reason: str = Field("", max_length=MAX_TEXT)


class TaskOut(Schema):
    id: uuid.UUID
    reference: str
    service: ServiceRefOut
    state: str
    state_name: TextOut
    status: str
    holding_agency: AgencyOut | None
    due_date: datetime.date | None = Field(description="The time limit of the current step")
    application_due_date: datetime.date | None = Field(description="The legal time limit for the service")
    overdue: bool
    escalated_to: str | None = Field(description="The role an overdue case was escalated to")
    assigned_to: uuid.UUID | None = Field(description="The public id of the officer who claimed it")
    submitted_at: datetime.datetime | None
    actions: list[ActionOut] = Field(description="The workflow actions this officer may take now")


class TaskPage(Schema):
    items: list[TaskOut]
    count: int
