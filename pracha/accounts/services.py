"""Every change to people, businesses and API tokens. Each service owns its transaction and writes the
audit record inside it."""

import datetime
import secrets
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from pracha.accounts import selectors, workflow
from pracha.accounts.models import ApiToken, AssuranceLevel, Business, BusinessAuthorisation, User
from pracha.agencies.public import Agency, Membership, agency_get
from pracha.audit import public as audit
from pracha.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, RateLimited
from pracha.core.thai_ids import validate_national_id
from pracha.registries.public import population_record_matches

NATIONAL_ID_TAKEN = _(
    "An account with this national ID number already exists. Sign in, or reset your password if you have "
    "forgotten it."
)
VERIFICATION_FAILED = _(
    "We could not verify your identity with these details. Check that your names and date of birth on this "
    "page match your ID card exactly and that you typed the laser code correctly."
)
# Laser codes are guessable only by trying; a day's limit makes that useless.
MAX_FAILED_VERIFICATIONS = 5
VERIFICATION_WINDOW = datetime.timedelta(hours=24)
# A token's last use is written at most once a minute, so busy API clients do not write on every call.
TOKEN_USE_RESOLUTION = datetime.timedelta(minutes=1)
TOKEN_NAME_MAX_LENGTH = 100
TOKEN_NAME_LABEL = _("The token name")
AGENCY_LABEL = _("The agency code")


def _validated(checks: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run every check and report all the fields at fault together, not one per attempt."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str | Promise]] = {}
    for name, check in checks.items():
        try:
            values[name] = check()
        except InvalidInput as error:
            for field, messages in error.fields.items():
                errors[field] = [*errors.get(field, []), *messages]
    if errors:
        raise InvalidInput(fields=errors)
    return values


def _person_checks(
    *,
    first_name_th: str,
    last_name_th: str,
    first_name_en: str,
    last_name_en: str,
    date_of_birth: datetime.date,
    phone: str,
) -> dict[str, Callable[[], Any]]:
    today = timezone.localdate()
    return {
        "first_name_th": lambda: workflow.clean_thai_name(first_name_th, field="first_name_th"),
        "last_name_th": lambda: workflow.clean_thai_name(last_name_th, field="last_name_th"),
        "first_name_en": lambda: workflow.clean_english_name(first_name_en, field="first_name_en"),
        "last_name_en": lambda: workflow.clean_english_name(last_name_en, field="last_name_en"),
        "date_of_birth": lambda: workflow.check_date_of_birth(date_of_birth, today=today),
        "phone": lambda: workflow.clean_thai_mobile(phone),
    }


@transaction.atomic
def citizen_sign_up(
    *,
    national_id: str,
    email: str,
    password: str,
    first_name_th: str,
    last_name_th: str,
    first_name_en: str,
    last_name_en: str,
    date_of_birth: datetime.date,
    phone: str,
) -> User:
    """A new citizen account, self-asserted until the population register confirms it."""
    values = _validated(
        {
            "national_id": lambda: validate_national_id(national_id),
            **_person_checks(
                first_name_th=first_name_th,
                last_name_th=last_name_th,
                first_name_en=first_name_en,
                last_name_en=last_name_en,
                date_of_birth=date_of_birth,
                phone=phone,
            ),
        }
    )
    if selectors.user_by_national_id(national_id=values["national_id"]) is not None:
        raise InvalidInput(NATIONAL_ID_TAKEN, fields={"national_id": [str(NATIONAL_ID_TAKEN)]})
    user = User(email=email, assurance_level=AssuranceLevel.SELF_ASSERTED, **values)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Two sign-ups with the same national ID at once: the unique index lets only one through.
        raise InvalidInput(NATIONAL_ID_TAKEN, fields={"national_id": [str(NATIONAL_ID_TAKEN)]}) from None
    audit.record(
        actor=user, action="accounts.sign_up", target=user, payload={"assurance_level": user.assurance_level}
    )
    return user


def _failed_verifications(user: User) -> int:
    since = timezone.now() - VERIFICATION_WINDOW
    return (
        audit.entries_by_actor(actor_id=str(user.public_id))
        .filter(action="accounts.verify_identity", payload__outcome="no_match", at__gte=since)
        .count()
    )


def identity_verify(*, actor: User, laser_code: str) -> User:
    """Raise the person's assurance to verified when their details and card match the population register.

    Not one atomic block on purpose: a failed attempt is recorded and must stay recorded even though the
    caller then gets an error. The message never says which detail differed.
    """
    code = workflow.clean_laser_code(laser_code)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        if user.is_verified:
            raise Conflict(_("Your identity is already verified."))
        if _failed_verifications(user) >= MAX_FAILED_VERIFICATIONS:
            raise RateLimited(
                _(
                    "Your identity could not be verified after several attempts. Try again tomorrow, or "
                    "verify at a district office."
                )
            )
        matched = user.date_of_birth is not None and population_record_matches(
            national_id=user.national_id,
            first_name_th=user.first_name_th,
            last_name_th=user.last_name_th,
            date_of_birth=user.date_of_birth,
            laser_code=code,
        )
        if matched:
            user.assurance_level = AssuranceLevel.VERIFIED
            user.verified_at = timezone.now()
            user.save(update_fields=["assurance_level", "verified_at"])
        audit.record(
            actor=user,
            action="accounts.verify_identity",
            target=user,
            payload={"outcome": "verified" if matched else "no_match"},
        )
    if not matched:
        raise InvalidInput(VERIFICATION_FAILED, fields={"laser_code": [str(VERIFICATION_FAILED)]})
    return user


LOCKED_FIELD_LABELS = {**workflow.NAME_LABELS, "date_of_birth": _("Date of birth")}


@transaction.atomic
def profile_update(
    *,
    actor: User,
    first_name_th: str,
    last_name_th: str,
    first_name_en: str,
    last_name_en: str,
    date_of_birth: datetime.date,
    phone: str,
) -> User:
    """A person corrects their own details; what the register verified can no longer change here."""
    values = _validated(
        _person_checks(
            first_name_th=first_name_th,
            last_name_th=last_name_th,
            first_name_en=first_name_en,
            last_name_en=last_name_en,
            date_of_birth=date_of_birth,
            phone=phone,
        )
    )
    user = User.objects.select_for_update().get(pk=actor.pk)
    changed = [name for name, value in values.items() if getattr(user, name) != value]
    if user.is_verified:
        locked = [name for name in changed if name in workflow.LOCKED_WHEN_VERIFIED]
        if locked:
            raise InvalidInput(
                fields={
                    name: [
                        str(
                            _(
                                "%(label)s was verified against the population register and cannot be "
                                "changed here. If it has changed, update it at a district office."
                            )
                            % {"label": LOCKED_FIELD_LABELS[name]}
                        )
                    ]
                    for name in locked
                }
            )
    if not changed:
        return user
    for name in changed:
        setattr(user, name, values[name])
    user.save(update_fields=changed)
    # Which fields changed, never their values: the audit log is not a second copy of personal data.
    audit.record(
        actor=user, action="accounts.profile_update", target=user, payload={"fields": sorted(changed)}
    )
    return user


@transaction.atomic
def acting_for_set(*, actor: User, session: SessionBase, business_public_id: uuid.UUID) -> Business:
    """From now on the person acts for this business; everything they do is recorded "on behalf of" it."""
    business = selectors.access_business(user=actor, public_id=business_public_id)
    audit.record(
        actor=actor,
        action="accounts.act_for",
        target=business,
        on_behalf_of=selectors.on_behalf_of_business(business),
    )
    session[selectors.ACTING_FOR_SESSION_KEY] = str(business.public_id)
    return business


@transaction.atomic
def acting_for_clear(*, actor: User, session: SessionBase) -> None:
    business = selectors.acting_for_business(user=actor, session=session)
    session.pop(selectors.ACTING_FOR_SESSION_KEY, None)
    if business is not None:
        audit.record(actor=actor, action="accounts.act_as_self", target=business)


@transaction.atomic
def person_lookup(*, actor: User, national_id: str, agency_code: str) -> User:
    """An officer opens a person's record. Every look-up is recorded and shown to the person."""
    agency = next((a for a in selectors.lookup_agencies_for(user=actor) if a.code == agency_code), None)
    if agency is None:
        raise PermissionDenied(_("You may look up people only for an agency where you have that permission."))
    person = selectors.user_by_national_id(national_id=validate_national_id(national_id))
    if person is None:
        raise NotFound(
            _("No one has an account with that national ID number."),
            fields={"national_id": [str(_("No one has an account with that national ID number."))]},
        )
    audit.record(actor=actor, action="accounts.view_person", target=person, payload={"agency": agency.code})
    return person


def _token_agency(*, actor: User, agency_code: str) -> Agency:
    agency = next((a for a in selectors.token_agencies_for(user=actor) if a.code == agency_code), None)
    if agency is None and actor.is_superuser:
        agency = agency_get(code=agency_code)
    if agency is None:
        message = _("You may create system tokens only for an agency where you manage tokens.")
        raise PermissionDenied(message, fields={"agency": [str(message)]})
    return agency


@transaction.atomic
def api_token_create(*, actor: User, name: str, agency_code: str = "") -> tuple[ApiToken, str]:
    """A new bearer token: the person's own, or (agency_code given) an agency system's.

    Returns the plain key, which exists only in this return value: the database keeps its SHA-256.
    """
    name = workflow.check_plain_text(" ".join((name or "").split()), field="name", label=TOKEN_NAME_LABEL)
    if not name:
        message = _("Enter a name for the token, for example the program that will use it.")
        raise InvalidInput(message, fields={"name": [str(message)]})
    if len(name) > TOKEN_NAME_MAX_LENGTH:
        message = _("The token name must be 100 characters or fewer.")
        raise InvalidInput(message, fields={"name": [str(message)]})
    agency_code = workflow.check_plain_text((agency_code or "").strip(), field="agency", label=AGENCY_LABEL)
    agency = _token_agency(actor=actor, agency_code=agency_code) if agency_code else None
    key = secrets.token_urlsafe(32)
    token = ApiToken(name=name, prefix=key[:8], key_hash=ApiToken.hash_key(key), user=actor, agency=agency)
    token.save()
    audit.record(
        actor=actor,
        action="accounts.api_token_create",
        target=token,
        payload={"name": name, "prefix": token.prefix, "agency": agency.code if agency else ""},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token_public_id: uuid.UUID) -> ApiToken:
    """Revoke a token: its owner, an officer managing tokens in its agency, or an administrator.

    Revoking a revoked token changes nothing and records nothing (a retried request)."""
    if actor.is_superuser:
        token = ApiToken.objects.filter(public_id=token_public_id).first()
        if token is None:
            raise NotFound(_("No API token with that reference."))
    else:
        token = selectors.access_api_token(user=actor, public_id=token_public_id)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])
    audit.record(
        actor=actor,
        action="accounts.api_token_revoke",
        target=token,
        payload={"prefix": token.prefix, "agency": token.agency.code if token.agency else ""},
    )
    return token


def _ensure_administrator(actor: User, permission: str) -> None:
    """Changes made from the admin: staff holding the model permission (superusers hold them all)."""
    if not (actor.is_active and actor.is_staff and actor.has_perm(permission)):
        raise PermissionDenied()


@transaction.atomic
def business_authorisation_revoke(*, actor: User, authorisation_id: int) -> BusinessAuthorisation:
    """An administrator ends a person's right to act for a business. Revoking twice records nothing."""
    _ensure_administrator(actor, "accounts.change_businessauthorisation")
    authorisation = (
        BusinessAuthorisation.objects.select_for_update()
        .select_related("business", "user")
        .filter(pk=authorisation_id)
        .first()
    )
    if authorisation is None:
        raise NotFound()
    if authorisation.revoked_at is not None:
        return authorisation
    authorisation.revoked_at = timezone.now()
    authorisation.save(update_fields=["revoked_at", "updated_at"])
    # About the person, so it shows in what they can download about themselves.
    audit.record(
        actor=actor,
        action="accounts.business_authorisation_revoke",
        target=authorisation.user,
        payload={"business": authorisation.business.juristic_number, "role": authorisation.role},
    )
    return authorisation


@transaction.atomic
def user_set_active(*, actor: User, user_public_id: uuid.UUID, active: bool) -> User:
    """An administrator closes or reopens an account. A closed account cannot sign in, and its personal
    tokens stop working. Nobody closes their own account here, and only superusers touch superusers."""
    _ensure_administrator(actor, "accounts.change_user")
    person = User.objects.select_for_update().filter(public_id=user_public_id).first()
    if person is None:
        raise NotFound()
    if person.pk == actor.pk:
        raise PermissionDenied(_("You cannot close or reopen your own account."))
    if person.is_superuser and not actor.is_superuser:
        raise PermissionDenied(_("Only a superuser can close or reopen a superuser's account."))
    if person.is_active == active:
        return person
    person.is_active = active
    person.save(update_fields=["is_active"])
    action = "accounts.user_reactivate" if active else "accounts.user_deactivate"
    audit.record(actor=actor, action=action, target=person)
    return person


def api_token_mark_used(*, token: ApiToken) -> None:
    """Note when a token was last used (one UPDATE statement, so no transaction of its own is needed)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOKEN_USE_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


def _when(value: datetime.date | datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _entry(entry: audit.AuditEntry, *, with_address: bool, with_target: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": entry.pk,
        "at": _when(entry.at),
        "action": entry.action,
        "actor": entry.actor_label,
        "on_behalf_of": entry.on_behalf_of,
        "target_type": entry.target_type,
        "target_id": entry.target_id if with_target else "",
        "channel": entry.channel,
        "details": entry.payload if with_target else {},
    }
    if with_address:
        data["client_ip"] = entry.client_ip
    return data


def _is_about(entry: audit.AuditEntry, user: User) -> bool:
    return entry.target_type == selectors.USER_TARGET_TYPE and entry.target_id == str(user.public_id)


@transaction.atomic
def personal_data_export(*, actor: User) -> dict[str, Any]:
    """Everything held about the person, as plain JSON-ready values. The download itself is recorded.

    What the person did to anything but their own account is listed without its target or details:
    for an officer those name the people they looked up, which is those people's data, not theirs.
    """
    user = actor
    authorisations = BusinessAuthorisation.objects.filter(user=user).select_related("business").order_by("id")
    memberships = Membership.objects.filter(user=user).select_related("agency").prefetch_related("roles")
    about_me = audit.entries_about(target_type=selectors.USER_TARGET_TYPE, target_id=str(user.public_id))
    data = {
        "format": "pracha-personal-data/1",
        "exported_at": _when(timezone.now()),
        "profile": {
            "public_id": str(user.public_id),
            "national_id": user.national_id,
            "first_name_th": user.first_name_th,
            "last_name_th": user.last_name_th,
            "first_name_en": user.first_name_en,
            "last_name_en": user.last_name_en,
            "date_of_birth": _when(user.date_of_birth),
            "phone": user.phone,
            "email": user.email,
            "assurance_level": user.assurance_level,
            "verified_at": _when(user.verified_at),
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
        },
        "email_addresses": [
            {"email": address.email, "primary": address.primary, "verified": address.verified}
            for address in selectors.email_addresses_for(user=user)
        ],
        "businesses": [
            {
                "public_id": str(authorisation.business.public_id),
                "juristic_number": authorisation.business.juristic_number,
                "name_th": authorisation.business.name_th,
                "name_en": authorisation.business.name_en,
                "role": authorisation.role,
                "authorised_at": _when(authorisation.created_at),
                "revoked_at": _when(authorisation.revoked_at),
            }
            for authorisation in authorisations
        ],
        "agency_memberships": [
            {
                "agency": membership.agency.code,
                "agency_name_th": membership.agency.name_th,
                "agency_name_en": membership.agency.name_en,
                "position": membership.title,
                "roles": sorted(role.code for role in membership.roles.all()),
                "active": membership.is_active,
            }
            for membership in memberships.order_by("agency__code")
        ],
        "api_tokens": [
            {
                "public_id": str(token.public_id),
                "name": token.name,
                "prefix": token.prefix,
                "agency": token.agency.code if token.agency else None,
                "created_at": _when(token.created_at),
                "last_used_at": _when(token.last_used_at),
                "revoked_at": _when(token.revoked_at),
            }
            for token in ApiToken.objects.filter(user=user).select_related("agency").order_by("id")
        ],
        "audit": {
            "by_me": [
                _entry(entry, with_address=True, with_target=_is_about(entry, user))
                for entry in audit.entries_by_actor(actor_id=str(user.public_id))
            ],
            # Officers' addresses are not the person's data; who, when, what and for which agency are.
            "about_me": [_entry(entry, with_address=False) for entry in about_me],
        },
    }
    # Last: recording takes the audit chain's lock, which is held until commit, so every read comes first.
    audit.record(actor=user, action="accounts.data_export", target=user)
    return data


@transaction.atomic
def sign_in_record(*, user: User, succeeded: bool) -> None:
    """Sign-ins and failed attempts on an account, so the person and auditors can see them.
    The attempted password and the typed national ID are never recorded."""
    action = "accounts.sign_in" if succeeded else "accounts.sign_in_failed"
    audit.record(actor=user if succeeded else None, action=action, target=user)


@transaction.atomic
def sign_out_record(*, user: User) -> None:
    audit.record(actor=user, action="accounts.sign_out", target=user)
