"""Fixtures shared by every app's tests: the people of the authorization matrix."""

from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from pracha.accounts.tests.factories import UserFactory
from pracha.agencies.tests.factories import AgencyFactory, MembershipFactory, RoleFactory


@pytest.fixture(autouse=True)
def english_outside_requests() -> Any:
    """Code run outside a request speaks English in tests, so messages can be compared exactly;
    requests still get Thai by default from the language middleware, and Thai tests override."""
    with translation.override("en"):
        yield


def verified_email(user: Any) -> Any:
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def with_totp(user: Any) -> Any:
    """Officers must have an authenticator; tests give them one with a fixed secret."""
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    return user


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    """anonymous, owner, other_citizen, officer_without (no permission), officer_with (every permission
    of the foundation in agency "home-agency"), officer_other_agency (same roles, another agency)."""
    home, other = AgencyFactory(code="home-agency"), AgencyFactory(code="other-agency")
    everything = RoleFactory(
        code="foundation-all",
        permissions=["accounts.view_person", "agencies.manage_tokens", "audit.view"],
    )
    nothing = RoleFactory(code="no-permissions", permissions=[])
    officer_with = with_totp(verified_email(UserFactory()))
    officer_without = with_totp(verified_email(UserFactory()))
    officer_other = with_totp(verified_email(UserFactory()))
    MembershipFactory(user=officer_with, agency=home, roles=[everything])
    MembershipFactory(user=officer_without, agency=home, roles=[nothing])
    MembershipFactory(user=officer_other, agency=other, roles=[everything])
    return {
        "anonymous": AnonymousUser(),
        "owner": verified_email(UserFactory()),
        "other_citizen": verified_email(UserFactory()),
        "officer_without": officer_without,
        "officer_with": officer_with,
        "officer_other_agency": officer_other,
        "home_agency": home,
        "other_agency": other,
    }
