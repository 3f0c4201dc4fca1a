import datetime
import uuid

from ninja import Field, Schema


class MeOut(Schema):
    public_id: uuid.UUID
    national_id: str
    first_name_th: str
    last_name_th: str
    first_name_en: str
    last_name_en: str
    date_of_birth: datetime.date | None
    phone: str
    email: str
    assurance_level: str
    verified_at: datetime.datetime | None


class TokenOut(Schema):
    public_id: uuid.UUID
    name: str
    prefix: str
    agency: str | None = Field(
        None, description="Code of the agency whose system uses the token; null if personal"
    )
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None


class TokenCreatedOut(TokenOut):
    key: str = Field(description="The token itself. Returned only in this response; store it safely.")


class TokenCreateIn(Schema):
    name: str
    agency: str = Field(
        "", description="Agency code for an agency system's token; empty for a personal token"
    )
