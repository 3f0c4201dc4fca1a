"""An agency system's token acts for the agency: recorded on behalf of it, not as the officer who made it,
and it keeps working when that officer leaves, until it is revoked."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from pracha.accounts import selectors, services
from pracha.accounts.tests.conftest import client_for
from pracha.accounts.tests.factories import BusinessAuthorisationFactory
from pracha.agencies.public import Membership
from pracha.audit.public import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.urls("pracha.accounts.tests.agency_api_urls")]

WRITE = "/api/tests/write"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def agency_key(people: dict[str, Any]) -> str:
    _token, key = services.api_token_create(
        actor=people["officer_with"], name="Tax system", agency_code="home-agency"
    )
    return key


def written(response: Any) -> AuditEntry:
    assert response.status_code == 200, response.content
    return AuditEntry.objects.get(pk=response.json()["entry"])


def test_a_write_with_an_agency_token_is_recorded_on_behalf_of_the_agency(
    people: dict[str, Any], agency_key: str
) -> None:
    entry = written(Client().post(WRITE, headers=bearer(agency_key)))

    assert entry.on_behalf_of == "agency:home-agency"
    assert entry.actor_id == str(people["officer_with"].public_id)  # the officer accountable for the token
    assert entry.channel == "api"


def test_the_agency_token_wins_over_a_business_the_session_acts_for(
    people: dict[str, Any], agency_key: str
) -> None:
    officer = people["officer_with"]
    business = BusinessAuthorisationFactory.create(user=officer).business
    client = client_for(officer)
    client.post(reverse("accounts:act-for", args=[business.public_id]))

    assert written(client.post(WRITE)).on_behalf_of == f"business:{business.juristic_number}"
    assert written(client.post(WRITE, headers=bearer(agency_key))).on_behalf_of == "agency:home-agency"


def test_a_write_with_a_personal_token_is_recorded_as_the_person_alone(people: dict[str, Any]) -> None:
    owner = people["owner"]
    _token, key = services.api_token_create(actor=owner, name="Script")

    entry = written(Client().post(WRITE, headers=bearer(key)))

    assert (entry.actor_id, entry.on_behalf_of) == (str(owner.public_id), "")


def test_the_agency_token_outlives_the_officers_membership_and_account(
    people: dict[str, Any], agency_key: str
) -> None:
    officer = people["officer_with"]
    Membership.objects.filter(user=officer).update(is_active=False)
    assert written(Client().post(WRITE, headers=bearer(agency_key))).on_behalf_of == "agency:home-agency"

    type(officer).objects.filter(pk=officer.pk).update(is_active=False)
    assert written(Client().post(WRITE, headers=bearer(agency_key))).on_behalf_of == "agency:home-agency"


def test_a_revoked_agency_token_is_refused(people: dict[str, Any], agency_key: str) -> None:
    token = selectors.api_token_by_key(key=agency_key)
    assert token is not None
    services.api_token_revoke(actor=people["officer_with"], token_public_id=token.public_id)

    response = Client().post(WRITE, headers=bearer(agency_key))

    assert response.status_code == 401
    assert not AuditEntry.objects.filter(action="tests.api_write").exists()
