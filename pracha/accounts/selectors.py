import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.sessions.backends.base import SessionBase
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from pracha.accounts.models import ApiToken, Business, BusinessAuthorisation, User
from pracha.agencies.public import Agency, agencies_where_permitted, agency_list, is_officer
from pracha.audit.public import AuditEntry, entries_about
from pracha.core.errors import NotAuthenticated, NotFound

ACTING_FOR_SESSION_KEY = "pracha_acting_for"
USER_TARGET_TYPE = "accounts.user"


def signed_in_person(user: object) -> User:
    """The signed-in person, typed. Callers sit behind login_required, the admin or the API's
    authentication, so anything else here is a bug and is treated as not signed in."""
    if not isinstance(user, User) or not user.is_authenticated:
        raise NotAuthenticated()
    return user


def has_totp(*, user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def mfa_setup_required(*, user: Any) -> bool:
    """True when this person must set up an authenticator app before doing anything else.

    Officers, administrators (staff) and superusers need one: they can see and change other people's
    records. The one rule behind both OfficerMfaRequiredMiddleware (pages) and the API's session auth.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    privileged = bool(user.is_staff or user.is_superuser) or is_officer(user)
    return privileged and not has_totp(user=user)


def businesses_for(*, user: Any) -> list[Business]:
    if not getattr(user, "is_authenticated", False):
        return []
    authorisations = BusinessAuthorisation.objects.filter(user=user, revoked_at__isnull=True).select_related(
        "business"
    )
    return [authorisation.business for authorisation in authorisations.order_by("business__name_th")]


def people_acting_for(*, business: Business) -> list[User]:
    """Everyone who may act for the business now: an unrevoked authorisation and an active account, in
    the order they were authorised."""
    authorisations = (
        BusinessAuthorisation.objects.filter(business=business, revoked_at__isnull=True, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )
    return [authorisation.user for authorisation in authorisations]


def acting_for_business(*, user: Any, session: SessionBase) -> Business | None:
    """The business the person chose to act for, if they are still authorised for it."""
    public_id = session.get(ACTING_FOR_SESSION_KEY)
    if not public_id or not getattr(user, "is_authenticated", False):
        return None
    authorisation = (
        BusinessAuthorisation.objects.filter(
            user=user, business__public_id=public_id, revoked_at__isnull=True
        )
        .select_related("business")
        .first()
    )
    return authorisation.business if authorisation else None


def on_behalf_of_business(business: Business) -> str:
    """How the audit log names a business someone acts for."""
    return f"business:{business.juristic_number}"


def access_business(*, user: Any, public_id: uuid.UUID) -> Business:
    """A business the person is currently authorised to act for; NotFound for any other."""
    if not getattr(user, "is_authenticated", False):
        raise NotFound(_("No business with that reference."))
    authorisation = (
        BusinessAuthorisation.objects.filter(
            user=user, business__public_id=public_id, revoked_at__isnull=True
        )
        .select_related("business")
        .first()
    )
    if authorisation is None:
        raise NotFound(_("No business with that reference."))
    return authorisation.business


def email_addresses_for(*, user: User) -> QuerySet[EmailAddress]:
    return EmailAddress.objects.filter(user=user).order_by("-primary", "email")


def token_agencies_for(*, user: Any) -> list[Agency]:
    """Agencies whose system tokens this person may create and revoke."""
    return agencies_where_permitted(user, "agencies.manage_tokens")


def lookup_agencies_for(*, user: Any) -> list[Agency]:
    """Agencies in which this person may look up people's records."""
    return agencies_where_permitted(user, "accounts.view_person")


def tokens_visible_to(*, user: Any, active_only: bool = False) -> QuerySet[ApiToken]:
    """The person's own tokens and the system tokens of agencies where they manage tokens."""
    if not getattr(user, "is_authenticated", False):
        return ApiToken.objects.none()
    agencies = token_agencies_for(user=user)
    tokens = ApiToken.objects.filter(Q(user=user) | Q(agency__in=agencies))
    if active_only:
        tokens = tokens.filter(revoked_at__isnull=True)
    return tokens.select_related("agency", "user").order_by("-created_at", "-id")


def access_api_token(*, user: Any, public_id: uuid.UUID) -> ApiToken:
    token = tokens_visible_to(user=user).filter(public_id=public_id).first()
    if token is None:
        raise NotFound(_("No API token with that reference."))
    return token


def api_token_by_key(*, key: str) -> ApiToken | None:
    """The active token for a presented key (looked up by its hash).

    A personal token works only while its owner's account is active. An agency system's token belongs to
    the agency, not to the officer who created it: it keeps working when that officer leaves the agency
    or their account is closed (an agency's systems must not stop when a person moves on), until someone
    managing the agency's tokens revokes it.
    """
    return (
        ApiToken.objects.filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True)
        .filter(Q(agency__isnull=False) | Q(user__is_active=True))
        .select_related("user", "agency")
        .first()
    )


def on_behalf_of_agency(agency: Agency) -> str:
    """How the audit log names an agency whose system makes a request."""
    return f"agency:{agency.code}"


def user_by_national_id(*, national_id: str) -> User | None:
    return User.objects.filter(national_id=national_id).first()


def user_by_public_id(*, public_id: uuid.UUID | str) -> User | None:
    return User.objects.filter(public_id=public_id).first()


def business_by_juristic_number(*, juristic_number: str) -> Business | None:
    return Business.objects.filter(juristic_number=juristic_number).first()


@dataclass(frozen=True)
class Lookup:
    at: datetime.datetime
    officer: str
    agency: Agency | None
    channel: str


def lookups_of(*, user: User) -> list[Lookup]:
    """Every time an officer opened this person's record, newest first: shown to the person."""
    entries: QuerySet[AuditEntry] = entries_about(
        target_type=USER_TARGET_TYPE,
        target_id=str(user.public_id),
        # Looking the person up, or opening a case of theirs (applications.view_case).
        actions=["accounts.view_person", "applications.view_case"],
    )
    entries = entries.only("at", "actor_id", "actor_label", "payload", "channel")
    agencies = {agency.code: agency for agency in agency_list()}
    # Name officers in the reader's language where the account still exists; else as recorded.
    officers = {
        str(officer.public_id): officer.full_name
        for officer in User.objects.filter(public_id__in=_actor_keys(entries))
    }
    return [
        Lookup(
            at=entry.at,
            officer=officers.get(entry.actor_id, entry.actor_label),
            agency=agencies.get(entry.payload.get("agency", "")),
            channel=entry.channel,
        )
        for entry in entries
    ]


def _actor_keys(entries: QuerySet[AuditEntry]) -> set[str]:
    return {actor_id for actor_id in entries.values_list("actor_id", flat=True) if actor_id}


MASK = "\u2022"  # •
VISIBLE_ID_DIGITS = 4


def display_name(user: User) -> str:
    """How allauth names a person in messages, pages and e-mails: by name, never by the full national ID.

    An account without a name (an administrator made with createsuperuser) is shown by the last four
    digits of its national ID, the rest masked: •••••••••0013.
    """
    if user.full_name:
        return user.full_name
    national_id = user.national_id or ""
    hidden = max(len(national_id) - VISIBLE_ID_DIGITS, 0)
    return MASK * hidden + national_id[hidden:]
