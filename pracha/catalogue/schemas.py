"""Shapes of the catalogue in the JSON API. Texts are {th, en} pairs; money is integer satang."""

from typing import Any

from ninja import Field, Schema


class TextOut(Schema):
    th: str
    en: str


class ServiceSummaryOut(Schema):
    code: str
    name: TextOut
    summary: TextOut
    agency: str = Field(description="The owning agency's code")
    audience: list[str]
    categories: list[str]
    life_events: list[str]
    version: int = Field(description="The number of the published version")


class DocumentOut(Schema):
    code: str
    name: TextOut
    types: list[str]
    max_size_kb: int
    max_pages: int | None
    optional: bool
    held_by_state: bool = Field(description="The agency already holds it: the applicant is not asked")


class TierOut(Schema):
    up_to: float | None = Field(description="The tier applies up to this answer; null: everything above")
    amount_satang: int


class FeeOut(Schema):
    code: str
    name: TextOut
    kind: str = Field(description="fixed or tiers")
    amount_satang: int | None = Field(description="Fixed fees: the amount")
    field: str | None = Field(description="Tier fees: the form field the tier is chosen by")
    tiers: list[TierOut]


class StepOut(Schema):
    code: str
    name: TextOut
    holder: str = Field(description="agency, applicant, consenter or payment")
    sla_days: int | None = Field(description="The time limit of the step in working days")
    agency: str | None = Field(description="The step's own agency, if it names one")


class ServiceOut(ServiceSummaryOut):
    description: TextOut
    eligibility: TextOut
    contact: TextOut | None
    documents: list[DocumentOut]
    fees: list[FeeOut]
    steps: list[StepOut]
    time_limit_days: int = Field(description="The legal time limit of the whole service in working days")
    assurance: str = Field(description="self_asserted or verified: the identity level an applicant needs")
    illustrative: bool = Field(description="Fees and time limits are examples, not official figures")


class EFormOut(Schema):
    """An eForm as the GovStack Registration building block has it: a JSON Schema and UI hints."""

    form_schema: dict[str, Any] = Field(alias="schema", description="JSON Schema (draft 2020-12)")
    ui: dict[str, Any] = Field(description="order: the fields in order; fields: label, help, widget, options")
    version: int
