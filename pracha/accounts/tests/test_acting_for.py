from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from pracha.accounts.selectors import ACTING_FOR_SESSION_KEY
from pracha.accounts.tests.conftest import client_for
from pracha.accounts.tests.factories import BusinessAuthorisationFactory
from pracha.audit.public import AuditEntry


@pytest.fixture
def authorisation(people: dict[str, Any]) -> Any:
    return BusinessAuthorisationFactory.create(user=people["owner"])


@pytest.mark.django_db
def test_acting_for_a_business_records_everything_on_its_behalf(
    people: dict[str, Any], authorisation: Any
) -> None:
    business = authorisation.business
    client = client_for(people["owner"])

    response = client.post(reverse("accounts:act-for", args=[business.public_id]))

    assert response.headers["Location"] == reverse("accounts:my-account")
    assert client.session[ACTING_FOR_SESSION_KEY] == str(business.public_id)
    chosen = AuditEntry.objects.get(action="accounts.act_for")
    assert (chosen.target_type, chosen.target_id) == ("accounts.business", str(business.public_id))
    assert chosen.on_behalf_of == f"business:{business.juristic_number}"

    client.post(reverse("accounts:tokens"), {"name": "Accounting software"})
    assert AuditEntry.objects.get(action="accounts.api_token_create").on_behalf_of == (
        f"business:{business.juristic_number}"
    )
    page = client.get(reverse("accounts:my-account"))
    assert page.context["acting_for"] == business

    client.post(reverse("accounts:act-as-myself"))
    assert ACTING_FOR_SESSION_KEY not in client.session
    assert AuditEntry.objects.filter(
        action="accounts.act_as_self", target_id=str(business.public_id)
    ).exists()
    client.post(reverse("accounts:tokens"), {"name": "Personal script"})
    assert AuditEntry.objects.filter(action="accounts.api_token_create").latest("id").on_behalf_of == ""


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other_citizen", "officer_without", "officer_with", "officer_other_agency"])
def test_nobody_else_can_act_for_the_business(people: dict[str, Any], authorisation: Any, who: str) -> None:
    client = client_for(people[who])

    response = client.post(reverse("accounts:act-for", args=[authorisation.business.public_id]))

    assert response.status_code == 404
    assert ACTING_FOR_SESSION_KEY not in client.session
    assert not AuditEntry.objects.filter(action="accounts.act_for").exists()


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(people: dict[str, Any], authorisation: Any) -> None:
    response = client_for(None).post(reverse("accounts:act-for", args=[authorisation.business.public_id]))

    assert response.headers["Location"].startswith(reverse("account_login"))
    assert not AuditEntry.objects.filter(action="accounts.act_for").exists()


@pytest.mark.django_db
def test_a_revoked_authorisation_no_longer_lets_the_person_act(
    people: dict[str, Any], authorisation: Any
) -> None:
    client = client_for(people["owner"])
    client.post(reverse("accounts:act-for", args=[authorisation.business.public_id]))
    type(authorisation).objects.filter(pk=authorisation.pk).update(revoked_at=timezone.now())

    again = client.post(reverse("accounts:act-for", args=[authorisation.business.public_id]))
    page = client.get(reverse("accounts:my-account"))

    assert again.status_code == 404
    assert page.context["acting_for"] is None
    assert AuditEntry.objects.filter(action="accounts.act_for").count() == 1


@pytest.mark.django_db
def test_acting_for_needs_a_post(people: dict[str, Any], authorisation: Any) -> None:
    response = client_for(people["owner"]).get(
        reverse("accounts:act-for", args=[authorisation.business.public_id])
    )

    assert response.status_code == 405
    assert not AuditEntry.objects.filter(action="accounts.act_for").exists()
