import datetime

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from pracha.accounts.models import AssuranceLevel, User
from pracha.accounts.tests.conftest import form_errors
from pracha.accounts.tests.factories import UserFactory, national_id_for
from pracha.audit.public import AuditEntry
from pracha.core.thai_ids import format_thai_id, make_valid_id

NEW_ID = national_id_for(5001)
NEW_PASSWORD = "a-long-pass-phrase-2569"


def signup_data(**overrides: str) -> dict[str, str]:
    data = {
        "username": format_thai_id(NEW_ID),
        "first_name_th": "สมหญิง",
        "last_name_th": "ใจดีทดสอบ",
        "first_name_en": "Somying",
        "last_name_en": "Jaidee-Test",
        "date_of_birth_day": "15",
        "date_of_birth_month": "1",
        "date_of_birth_year": "2533",
        "phone": "081-234-5678",
        "email": "somying@example.test",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


WRONG_CHECK_DIGIT = NEW_ID[:12] + str((int(NEW_ID[12]) + 1) % 10)

# Every sign-up field's wrong values and the message each must give: (field, posted values, English message).
# test_signup_thai.py holds the exact Thai message of each.
BAD_SIGNUP_INPUT: list[tuple[str, dict[str, str], str]] = [
    ("username", {"username": ""}, "Enter the national ID number."),
    ("username", {"username": "12345"}, "The national ID number must have exactly 13 digits; you entered 5."),
    (
        "username",
        {"username": "1-2345-6789O-12-3"},
        "The national ID number may contain only the digits 0 to 9.",
    ),
    (
        "username",
        {"username": WRONG_CHECK_DIGIT},
        "The national ID number is not valid: the last digit does not match. Please check each digit.",
    ),
    ("username", {"username": make_valid_id("099990000001")}, "A national ID number cannot start with 0."),
    ("first_name_th", {"first_name_th": ""}, "Enter your first name in Thai."),
    (
        "first_name_th",
        {"first_name_th": "Somying"},
        "First name in Thai must be written in Thai letters only, for example สมชาย.",
    ),
    ("first_name_th", {"first_name_th": "ก" * 101}, "First name in Thai must be 100 characters or fewer."),
    ("last_name_th", {"last_name_th": ""}, "Enter your last name in Thai."),
    (
        "last_name_th",
        {"last_name_th": "ใจดี2"},
        "Last name in Thai must be written in Thai letters only, for example สมชาย.",
    ),
    ("first_name_en", {"first_name_en": ""}, "Enter your first name in English."),
    (
        "first_name_en",
        {"first_name_en": "สมหญิง"},
        "First name in English must use the letters A to Z only, as on the back of your ID card.",
    ),
    ("last_name_en", {"last_name_en": ""}, "Enter your last name in English."),
    (
        "last_name_en",
        {"last_name_en": "Jaidee2"},
        "Last name in English must use the letters A to Z only, as on the back of your ID card.",
    ),
    ("last_name_en", {"last_name_en": "J" * 101}, "Last name in English must be 100 characters or fewer."),
    (
        "date_of_birth",
        {"date_of_birth_day": "", "date_of_birth_month": "", "date_of_birth_year": ""},
        "Enter your date of birth.",
    ),
    (
        "date_of_birth",
        {"date_of_birth_month": ""},
        "Date of birth must include a day, a month and a year, for example 15 1 2533.",
    ),
    (
        "date_of_birth",
        {"date_of_birth_month": "มกราคม"},
        "Date of birth must be written in numbers, for example 15 1 2533.",
    ),
    (
        "date_of_birth",
        {"date_of_birth_year": "33"},
        "Year of birth must have 4 digits, for example 2533 or 1990.",
    ),
    (
        "date_of_birth",
        {"date_of_birth_day": "30", "date_of_birth_month": "2"},
        "Date of birth must be a real date, for example 15 1 2533.",
    ),
    ("date_of_birth", {"date_of_birth_year": "2600"}, "Date of birth must be in the past."),
    (
        "date_of_birth",
        {"date_of_birth_year": "1899"},
        "Date of birth must be in 1900 (2443 in the Buddhist era) or later.",
    ),
    ("phone", {"phone": ""}, "Enter your mobile phone number."),
    (
        "phone",
        {"phone": "08I-234-5678"},
        "Mobile phone number may contain only the digits 0 to 9, for example 081 234 5678.",
    ),
    (
        "phone",
        {"phone": "02 123 4567"},
        "Enter a Thai mobile phone number: 10 digits starting with 06, 08 or 09, for example 081 234 5678.",
    ),
    ("email", {"email": ""}, "Enter your e-mail address."),
    (
        "email",
        {"email": "somying.example.test"},
        "Enter an e-mail address in the right format, for example name@example.com.",
    ),
    ("password1", {"password1": ""}, "Enter a password."),
    (
        "password1",
        {"password1": "x7#kq!", "password2": "x7#kq!"},
        "This password is too short. It must contain at least 10 characters.",
    ),
    ("password2", {"password2": ""}, "Enter the same password again."),
    ("password2", {"password2": NEW_PASSWORD + "x"}, "You must type the same password each time."),
]


def assert_nothing_created() -> None:
    assert not User.objects.filter(national_id=NEW_ID).exists()
    assert not EmailAddress.objects.filter(email="somying@example.test").exists()
    assert not AuditEntry.objects.filter(action="accounts.sign_up").exists()
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "posted", "message"), BAD_SIGNUP_INPUT)
def test_bad_signup_input_names_the_field_in_english_and_creates_nothing(
    english_client: Client, field: str, posted: dict[str, str], message: str
) -> None:
    response = english_client.post(reverse("account_signup"), signup_data(**posted))

    assert response.status_code == 200
    assert form_errors(response) == {field: [message]}
    assert response.headers["Content-Language"] == "en"
    assert_nothing_created()


@pytest.mark.django_db
def test_signup_errors_are_listed_in_an_error_summary_linking_to_each_field_on_a_thai_page() -> None:
    response = Client().post(
        reverse("account_signup"), signup_data(phone="", date_of_birth_year="", first_name_en="")
    )

    content = response.content.decode()
    assert "base.html" in [template.name for template in response.templates]
    assert '<html lang="th"' in content
    assert 'class="govuk-error-summary"' in content
    for target in ["#id_first_name_en", "#id_date_of_birth_0", "#id_phone"]:
        assert f'<a href="{target}">' in content
    assert 'class="govuk-form-group govuk-form-group--error"' in content


@pytest.mark.django_db
def test_signup_page_labels_the_username_as_the_national_id_number(english_client: Client) -> None:
    response = english_client.get(reverse("account_signup"))

    form = response.context["form"]
    assert str(form.fields["username"].label) == "National ID number"
    assert (
        '<label class="govuk-label" for="id_username">National ID number</label>' in response.content.decode()
    )
    assert "base.html" in [template.name for template in response.templates]


@pytest.mark.django_db
def test_signup_creates_a_self_asserted_citizen_audits_it_and_sends_the_verification_email(
    english_client: Client,
) -> None:
    response = english_client.post(reverse("account_signup"), signup_data())

    assert response.status_code == 302
    assert response.headers["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(national_id=NEW_ID)
    assert (user.first_name_th, user.last_name_th) == ("สมหญิง", "ใจดีทดสอบ")
    assert (user.first_name_en, user.last_name_en) == ("Somying", "Jaidee-Test")
    assert user.date_of_birth == datetime.date(1990, 1, 15)  # 2533 in the Buddhist era
    assert user.phone == "0812345678"
    assert user.email == "somying@example.test"
    assert user.assurance_level == AssuranceLevel.SELF_ASSERTED
    assert user.verified_at is None
    assert user.check_password(NEW_PASSWORD)
    entry = AuditEntry.objects.get(action="accounts.sign_up")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        str(user.public_id),
        "accounts.user",
        str(user.public_id),
    )
    assert entry.payload == {"assurance_level": "self_asserted"}
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == ("somying@example.test", False, True)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["somying@example.test"]
    assert "/accounts/confirm-email/" in mail.outbox[0].body
    # People are named by name, never by their national ID, in e-mails.
    assert "Somying Jaidee-Test" in mail.outbox[0].body
    assert NEW_ID not in mail.outbox[0].body


@pytest.mark.django_db
def test_signup_accepts_a_common_era_year(english_client: Client) -> None:
    english_client.post(reverse("account_signup"), signup_data(date_of_birth_year="1990"))

    assert User.objects.get(national_id=NEW_ID).date_of_birth == datetime.date(1990, 1, 15)


@pytest.mark.django_db
def test_signup_refuses_a_national_id_already_registered(english_client: Client) -> None:
    existing = UserFactory.create(national_id=NEW_ID)

    response = english_client.post(reverse("account_signup"), signup_data())

    assert form_errors(response) == {
        "username": [
            "An account with this national ID number already exists. Sign in, or reset your password if you "
            "have forgotten it."
        ]
    }
    assert list(User.objects.filter(national_id=NEW_ID)) == [existing]
    assert not AuditEntry.objects.filter(action="accounts.sign_up").exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_signup_with_an_email_already_used_creates_no_second_account(english_client: Client) -> None:
    """allauth does not reveal that the address is taken; it tells the owner of the address instead."""
    verified_owner = UserFactory.create(email="somying@example.test")
    EmailAddress.objects.create(
        user=verified_owner, email="somying@example.test", verified=True, primary=True
    )

    response = english_client.post(reverse("account_signup"), signup_data())

    assert response.status_code == 302
    assert not User.objects.filter(national_id=NEW_ID).exists()
    assert [message.to for message in mail.outbox] == [["somying@example.test"]]
    assert not AuditEntry.objects.filter(action="accounts.sign_up").exists()


@pytest.mark.django_db
def test_signing_in_before_the_email_is_verified_is_refused(english_client: Client) -> None:
    english_client.post(reverse("account_signup"), signup_data())
    english_client.post(reverse("account_logout"))

    response = english_client.post(reverse("account_login"), {"login": NEW_ID, "password": NEW_PASSWORD})

    assert response.headers["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in english_client.session


@pytest.mark.django_db
def test_login_page_asks_for_the_national_id_number(english_client: Client) -> None:
    content = english_client.get(reverse("account_login")).content.decode()

    assert '<label class="govuk-label" for="id_login">National ID number</label>' in content
