import datetime
from typing import Any

import pytest
from django.urls import reverse

from pracha.accounts import services
from pracha.accounts.models import AssuranceLevel, User
from pracha.accounts.tests.conftest import LASER_CODE, client_for, form_errors, register_person
from pracha.audit.public import AuditEntry
from pracha.core.errors import Conflict, InvalidInput, RateLimited

NEUTRAL_MESSAGE = (
    "We could not verify your identity with these details. Check that your names and date of birth on this "
    "page match your ID card exactly and that you typed the laser code correctly."
)


def verification_outcomes() -> list[Any]:
    return list(
        AuditEntry.objects.filter(action="accounts.verify_identity").values_list("payload", flat=True)
    )


def assert_still_self_asserted(user: User) -> None:
    user.refresh_from_db()
    assert user.assurance_level == AssuranceLevel.SELF_ASSERTED
    assert user.verified_at is None


@pytest.mark.django_db
def test_matching_details_and_laser_code_verify_the_identity(people: dict[str, Any]) -> None:
    owner = people["owner"]
    register_person(owner)

    response = client_for(owner).post(reverse("accounts:verify-identity"), {"laser_code": "jt1-2345678-90"})

    assert response.headers["Location"] == reverse("accounts:my-account")
    owner.refresh_from_db()
    assert owner.assurance_level == AssuranceLevel.VERIFIED
    assert owner.verified_at is not None
    entry = AuditEntry.objects.get(action="accounts.verify_identity")
    assert (entry.actor_id, entry.target_id, entry.payload) == (
        str(owner.public_id),
        str(owner.public_id),
        {"outcome": "verified"},
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "register_differs",
    [
        {"first_name_th": "สมศักดิ์"},
        {"last_name_th": "มั่นคงทดสอบ"},
        {"date_of_birth": datetime.date(1990, 1, 16)},
        {"laser_code": "JT1234567891"},
    ],
    ids=["first name", "last name", "date of birth", "laser code"],
)
def test_any_mismatch_gives_one_neutral_message_changes_nothing_and_is_audited(
    people: dict[str, Any], register_differs: dict[str, Any]
) -> None:
    owner = people["owner"]
    register_person(owner, **register_differs)

    response = client_for(owner).post(reverse("accounts:verify-identity"), {"laser_code": LASER_CODE})

    assert response.status_code == 200
    assert form_errors(response) == {"laser_code": [NEUTRAL_MESSAGE]}
    assert_still_self_asserted(owner)
    assert verification_outcomes() == [{"outcome": "no_match"}]


@pytest.mark.django_db
def test_a_national_id_unknown_to_the_register_gives_the_same_message(people: dict[str, Any]) -> None:
    owner = people["owner"]

    response = client_for(owner).post(reverse("accounts:verify-identity"), {"laser_code": LASER_CODE})

    assert form_errors(response) == {"laser_code": [NEUTRAL_MESSAGE]}
    assert_still_self_asserted(owner)
    assert verification_outcomes() == [{"outcome": "no_match"}]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the laser code from the back of your ID card."),
        (
            "JT12345",
            "The laser code is 2 letters and 10 digits, as on the back of your ID card, "
            "for example JT1-2345678-90.",
        ),
    ],
)
def test_a_badly_typed_laser_code_is_refused_before_the_register_is_asked(
    people: dict[str, Any], typed: str, message: str
) -> None:
    owner = people["owner"]
    register_person(owner)

    response = client_for(owner).post(reverse("accounts:verify-identity"), {"laser_code": typed})

    assert form_errors(response) == {"laser_code": [message]}
    assert_still_self_asserted(owner)
    assert verification_outcomes() == []


@pytest.mark.django_db
def test_repeated_failures_stop_further_attempts_for_a_day(people: dict[str, Any]) -> None:
    owner = people["owner"]
    register_person(owner)
    for _ in range(services.MAX_FAILED_VERIFICATIONS):
        with pytest.raises(InvalidInput):
            services.identity_verify(actor=owner, laser_code="JT0000000000")

    with pytest.raises(RateLimited):
        services.identity_verify(actor=owner, laser_code=LASER_CODE)

    assert_still_self_asserted(owner)
    assert len(verification_outcomes()) == services.MAX_FAILED_VERIFICATIONS


@pytest.mark.django_db
def test_verifying_twice_is_refused(people: dict[str, Any]) -> None:
    owner = people["owner"]
    register_person(owner)
    services.identity_verify(actor=owner, laser_code=LASER_CODE)

    with pytest.raises(Conflict):
        services.identity_verify(actor=owner, laser_code=LASER_CODE)

    assert verification_outcomes() == [{"outcome": "verified"}]


@pytest.mark.django_db
def test_verify_identity_page_needs_sign_in() -> None:
    response = client_for(None).post(reverse("accounts:verify-identity"), {"laser_code": LASER_CODE})

    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("account_login"))
    assert verification_outcomes() == []
