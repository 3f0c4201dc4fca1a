import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from pracha.accounts import services
from pracha.accounts.models import AssuranceLevel, User
from pracha.accounts.selectors import display_name
from pracha.accounts.tests.conftest import client_for, form_errors
from pracha.accounts.tests.factories import UserFactory
from pracha.audit.public import AuditEntry
from pracha.core.errors import InvalidInput


def details(user: User, **overrides: str) -> dict[str, str]:
    data = {
        "first_name_th": user.first_name_th,
        "last_name_th": user.last_name_th,
        "first_name_en": user.first_name_en,
        "last_name_en": user.last_name_en,
        "date_of_birth_day": "15",
        "date_of_birth_month": "1",
        "date_of_birth_year": "1990",
        "phone": user.phone,
    }
    data.update(overrides)
    return data


def snapshot(user: User) -> tuple[Any, ...]:
    user.refresh_from_db()
    return (
        user.first_name_th,
        user.last_name_th,
        user.first_name_en,
        user.last_name_en,
        user.date_of_birth,
        user.phone,
    )


def make_verified(user: User) -> User:
    User.objects.filter(pk=user.pk).update(
        assurance_level=AssuranceLevel.VERIFIED, verified_at=timezone.now()
    )
    user.refresh_from_db()
    return user


@pytest.mark.django_db
def test_a_person_corrects_their_details_and_only_the_changed_fields_are_audited(
    people: dict[str, Any],
) -> None:
    owner = people["owner"]

    response = client_for(owner).post(
        reverse("accounts:edit-details"),
        details(owner, first_name_th="สมหญิง", date_of_birth_year="2535", phone="+66 91 234 5678"),
    )

    assert response.headers["Location"] == reverse("accounts:my-account")
    owner.refresh_from_db()
    assert owner.first_name_th == "สมหญิง"
    assert owner.date_of_birth == datetime.date(1992, 1, 15)
    assert owner.phone == "0912345678"
    entry = AuditEntry.objects.get(action="accounts.profile_update")
    assert entry.payload == {"fields": ["date_of_birth", "first_name_th", "phone"]}
    assert entry.target_id == str(owner.public_id)


@pytest.mark.django_db
def test_saving_unchanged_details_records_nothing(people: dict[str, Any]) -> None:
    owner = people["owner"]

    client_for(owner).post(reverse("accounts:edit-details"), details(owner))

    assert not AuditEntry.objects.filter(action="accounts.profile_update").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [
        (
            {"phone": "1234"},
            "phone",
            "Enter a Thai mobile phone number: 10 digits starting with 06, 08 or 09, "
            "for example 081 234 5678.",
        ),
        ({"last_name_en": ""}, "last_name_en", "Enter your last name in English."),
        (
            {"date_of_birth_day": "32"},
            "date_of_birth",
            "Date of birth must be a real date, for example 15 1 2533.",
        ),
    ],
)
def test_bad_details_are_refused_and_nothing_changes(
    people: dict[str, Any], posted: dict[str, str], field: str, message: str
) -> None:
    owner = people["owner"]
    before = snapshot(owner)

    response = client_for(owner).post(
        reverse("accounts:edit-details"), details(owner, first_name_th="สมหญิง", **posted)
    )

    assert response.status_code == 200
    assert form_errors(response) == {field: [message]}
    assert snapshot(owner) == before
    assert not AuditEntry.objects.filter(action="accounts.profile_update").exists()


@pytest.mark.django_db
def test_verified_names_and_date_of_birth_cannot_be_changed_from_the_page(people: dict[str, Any]) -> None:
    owner = make_verified(people["owner"])
    before = snapshot(owner)

    response = client_for(owner).post(
        reverse("accounts:edit-details"),
        details(
            owner, first_name_th="สมหญิง", last_name_en="Other", date_of_birth_year="1980", phone="0923456789"
        ),
    )

    assert response.headers["Location"] == reverse("accounts:my-account")
    assert snapshot(owner) == (*before[:5], "0923456789")
    assert AuditEntry.objects.get(action="accounts.profile_update").payload == {"fields": ["phone"]}


@pytest.mark.django_db
def test_the_service_refuses_to_change_verified_details(people: dict[str, Any]) -> None:
    owner = make_verified(people["owner"])
    before = snapshot(owner)

    with pytest.raises(InvalidInput) as refused:
        services.profile_update(
            actor=owner,
            first_name_th="สมหญิง",
            last_name_th=owner.last_name_th,
            first_name_en=owner.first_name_en,
            last_name_en=owner.last_name_en,
            date_of_birth=datetime.date(1980, 1, 1),
            phone="0923456789",
        )

    assert {field: [str(m) for m in messages] for field, messages in refused.value.fields.items()} == {
        "first_name_th": [
            "First name in Thai was verified against the population register and cannot be changed here. "
            "If it has changed, update it at a district office."
        ],
        "date_of_birth": [
            "Date of birth was verified against the population register and cannot be changed here. "
            "If it has changed, update it at a district office."
        ],
    }
    assert snapshot(owner) == before
    assert not AuditEntry.objects.filter(action="accounts.profile_update").exists()


@pytest.mark.django_db
def test_the_edit_page_shows_the_year_of_birth_in_the_buddhist_era_to_thai_readers(
    people: dict[str, Any],
) -> None:
    content = (
        client_for(people["owner"], language="th").get(reverse("accounts:edit-details")).content.decode()
    )

    assert 'name="date_of_birth_year" value="2533"' in content


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous"])
def test_account_pages_need_sign_in(people: dict[str, Any], who: str) -> None:
    client = client_for(people[who])
    for name in ["my-account", "edit-details", "verify-identity", "data-export", "tokens", "person-lookup"]:
        response = client.get(reverse(f"accounts:{name}"))
        assert response.status_code == 302, name
        assert response.headers["Location"].startswith(reverse("account_login")), name


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who", ["owner", "other_citizen", "officer_without", "officer_with", "officer_other_agency"]
)
def test_everyone_signed_in_sees_only_their_own_account(people: dict[str, Any], who: str) -> None:
    user = people[who]

    response = client_for(user).get(reverse("accounts:my-account"))

    assert response.status_code == 200
    assert response.context["person"] == user
    assert user.national_id[:1] + "-" + user.national_id[1:5] in response.content.decode()


@pytest.mark.django_db
def test_a_person_is_named_by_name_in_allauth_pages_and_messages() -> None:
    person = UserFactory.create(first_name_en="Somying", last_name_en="Jaidee")

    assert display_name(person) == "Somying Jaidee"


@pytest.mark.django_db
def test_an_account_without_a_name_is_shown_by_the_last_four_digits_of_its_national_id() -> None:
    admin = User.objects.create_superuser("1999900000013", "admin@example.test", "an-admin-password-2569")

    assert display_name(admin) == "•••••••••0013"
