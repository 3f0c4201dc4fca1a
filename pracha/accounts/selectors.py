from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib.sessions.backends.base import SessionBase

from pracha.accounts.models import Business, BusinessAuthorisation, User

ACTING_FOR_SESSION_KEY = "pracha_acting_for"


def has_totp(*, user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def businesses_for(*, user: Any) -> list[Business]:
    if not getattr(user, "is_authenticated", False):
        return []
    authorisations = BusinessAuthorisation.objects.filter(user=user, revoked_at__isnull=True).select_related(
        "business"
    )
    return [authorisation.business for authorisation in authorisations.order_by("business__name_th")]


def acting_for_business(*, user: Any, session: SessionBase) -> Business | None:
    """The business the person chose to act for, if they are still authorised for it."""
    public_id = session.get(ACTING_FOR_SESSION_KEY)
    if not public_id or not getattr(user, "is_authenticated", False):
        return None
    authorisation = (
        BusinessAuthorisation.objects.filter(user=user, business__public_id=public_id, revoked_at__isnull=True)
        .select_related("business")
        .first()
    )
    return authorisation.business if authorisation else None
