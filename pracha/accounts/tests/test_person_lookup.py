from typing import Any

import pytest
from django.urls import reverse

from pracha.accounts.tests.conftest import client_for, form_errors
from pracha.accounts.tests.factories import national_id_for
from pracha.audit.public import AuditEntry


def look_up(people: dict[str, Any], who: str, national_id: str, agency: str = "home-agency") -> Any:
    return client_for(people[who]).post(
        reverse("accounts:person-lookup"), {"national_id": national_id, "agency": agency}
    )


@pytest.mark.django_db
def test_an_officer_with_the_permission_sees_the_record_and_the_look_up_is_audited(
    people: dict[str, Any],
) -> None:
    owner, officer = people["owner"], people["officer_with"]

    response = look_up(people, "officer_with", owner.national_id)

    assert response.status_code == 200
    assert response.context["person"] == owner
    assert owner.last_name_th in response.content.decode()
    entry = AuditEntry.objects.get(action="accounts.view_person")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        str(officer.public_id),
        "accounts.user",
        str(owner.public_id),
    )
    assert entry.payload == {"agency": "home-agency"}
    assert response.headers["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_the_person_sees_who_looked_at_their_record(people: dict[str, Any]) -> None:
    owner, officer = people["owner"], people["officer_with"]
    look_up(people, "officer_with", owner.national_id)

    response = client_for(owner).get(reverse("accounts:my-account"))

    [lookup] = response.context["lookups"]
    officer_name = f"{officer.first_name_en} {officer.last_name_en}"  # recorded as shown to the officer
    assert (lookup.officer, lookup.agency) == (officer_name, people["home_agency"])
    content = response.content.decode()
    assert officer_name in content
    assert people["home_agency"].name_en in content


@pytest.mark.django_db
def test_an_officer_of_another_agency_with_the_permission_looks_up_for_their_own_agency(
    people: dict[str, Any],
) -> None:
    response = look_up(people, "officer_other_agency", people["owner"].national_id, agency="other-agency")

    assert response.status_code == 200
    assert AuditEntry.objects.get(action="accounts.view_person").payload == {"agency": "other-agency"}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["owner", "other_citizen", "officer_without"])
def test_people_without_the_permission_are_refused(people: dict[str, Any], who: str) -> None:
    response = look_up(people, who, people["owner"].national_id)

    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="accounts.view_person").exists()
    assert client_for(people[who]).get(reverse("accounts:person-lookup")).status_code == 403


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(people: dict[str, Any]) -> None:
    response = look_up(people, "anonymous", people["owner"].national_id)

    assert response.headers["Location"].startswith(reverse("account_login"))
    assert not AuditEntry.objects.filter(action="accounts.view_person").exists()


@pytest.mark.django_db
def test_looking_up_for_an_agency_where_the_officer_lacks_the_permission_is_refused(
    people: dict[str, Any],
) -> None:
    response = look_up(people, "officer_with", people["owner"].national_id, agency="other-agency")

    assert response.status_code == 200
    assert form_errors(response) == {
        "agency": ["Select a valid choice. other-agency is not one of the available choices."]
    }
    assert not AuditEntry.objects.filter(action="accounts.view_person").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("national_id", "message"),
    [
        ("", "Enter the national ID number."),
        ("1999900001", "The national ID number must have exactly 13 digits; you entered 10."),
    ],
)
def test_a_bad_national_id_is_refused(people: dict[str, Any], national_id: str, message: str) -> None:
    response = look_up(people, "officer_with", national_id)

    assert form_errors(response) == {"national_id": [message]}
    assert not AuditEntry.objects.filter(action="accounts.view_person").exists()


@pytest.mark.django_db
def test_a_national_id_without_an_account_is_reported_and_not_audited(people: dict[str, Any]) -> None:
    response = look_up(people, "officer_with", national_id_for(9999))

    assert form_errors(response) == {"national_id": ["No one has an account with that national ID number."]}
    assert not AuditEntry.objects.filter(action="accounts.view_person").exists()
