import re
import time
from typing import Any
from urllib.parse import urlencode

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.test import Client
from django.urls import reverse

from conftest import verified_email, with_totp
from pracha.accounts.tests.conftest import client_for, form_errors
from pracha.accounts.tests.factories import PASSWORD, UserFactory
from pracha.agencies.tests.factories import MembershipFactory

WRONG_PASSWORD = "not-the-password-at-all"
MISMATCH = "The national ID number or the password is not correct."
LOCKED_OUT = (
    "There have been too many failed attempts to sign in to this account, so signing in is paused "
    "for a while. Wait 15 minutes and try again, or reset your password."
)


def sign_in(client: Client, national_id: str, password: str) -> Any:
    return client.post(reverse("account_login"), {"login": national_id, "password": password})


@pytest.mark.django_db
def test_five_failed_sign_ins_lock_the_account_even_for_the_right_password(english_client: Client) -> None:
    user = verified_email(UserFactory.create())
    for _ in range(5):
        response = sign_in(english_client, user.national_id, WRONG_PASSWORD)
        assert form_errors(response) == {"__all__": [MISMATCH]}

    response = sign_in(english_client, user.national_id, PASSWORD)

    assert response.status_code == 200
    assert form_errors(response) == {"__all__": [LOCKED_OUT]}
    assert "_auth_user_id" not in english_client.session


@pytest.mark.django_db
def test_the_lockout_is_per_national_id(english_client: Client) -> None:
    locked, other = verified_email(UserFactory.create()), verified_email(UserFactory.create())
    for _ in range(5):
        sign_in(english_client, locked.national_id, WRONG_PASSWORD)

    response = sign_in(english_client, other.national_id, PASSWORD)

    assert response.headers["Location"] == reverse("accounts:my-account")


@pytest.mark.django_db
def test_password_reset_sends_a_link_that_sets_a_new_password(english_client: Client) -> None:
    user = verified_email(UserFactory.create())

    response = english_client.post(reverse("account_reset_password"), {"email": user.email})

    assert response.headers["Location"] == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", str(mail.outbox[0].body))
    assert link is not None
    form_url = english_client.get(link.group(1)).headers["Location"]
    new_password = "another-long-pass-phrase-2569"
    response = english_client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.headers["Location"] == reverse("account_reset_password_from_key_done")
    user.refresh_from_db()
    assert user.check_password(new_password)


@pytest.mark.django_db
def test_an_officer_without_an_authenticator_is_sent_to_set_one_up() -> None:
    officer = verified_email(UserFactory.create())
    MembershipFactory(user=officer)

    response = client_for(officer).get(reverse("accounts:my-account"))

    assert response.status_code == 302
    assert (
        response.headers["Location"] == f"{reverse('mfa_activate_totp')}?{urlencode({'next': '/account/'})}"
    )


@pytest.mark.django_db
def test_the_authenticator_set_up_page_itself_is_not_redirected() -> None:
    officer = verified_email(UserFactory.create())
    MembershipFactory(user=officer)

    response = client_for(officer).get(reverse("mfa_activate_totp"))

    # allauth asks for the password again before adding an authenticator; either way, not a redirect loop.
    assert not response.headers.get("Location", "").startswith(reverse("mfa_activate_totp"))
    assert response.status_code in (200, 302)


@pytest.mark.django_db
def test_an_officer_with_an_authenticator_signs_in_with_a_code_and_reaches_pages(
    english_client: Client,
) -> None:
    officer = with_totp(verified_email(UserFactory.create()))
    MembershipFactory(user=officer)

    response = sign_in(english_client, officer.national_id, PASSWORD)
    assert response.headers["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in english_client.session

    code = format_hotp_value(hotp_value("JBSWY3DPEHPK3PXP", int(time.time()) // 30))
    response = english_client.post(reverse("mfa_authenticate"), {"code": code})

    assert response.headers["Location"] == reverse("accounts:my-account")
    assert english_client.get(reverse("accounts:my-account")).status_code == 200


def administrator(kind: str) -> Any:
    """A person with no agency membership who is staff, or superuser too, as createsuperuser makes."""
    flags = {"is_staff": True} if kind == "staff" else {"is_staff": True, "is_superuser": True}
    return verified_email(UserFactory.create(**flags))


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["staff", "superuser"])
@pytest.mark.parametrize("path", ["/account/", "/admin/"])
def test_an_administrator_without_an_authenticator_is_sent_to_set_one_up(kind: str, path: str) -> None:
    response = client_for(administrator(kind)).get(path)

    assert response.status_code == 302
    assert response.headers["Location"] == f"{reverse('mfa_activate_totp')}?{urlencode({'next': path})}"


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["staff", "superuser"])
def test_an_administrator_with_an_authenticator_reaches_pages(kind: str) -> None:
    client = client_for(with_totp(administrator(kind)))

    assert client.get("/account/").status_code == 200
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_a_citizen_needs_no_authenticator() -> None:
    assert client_for(verified_email(UserFactory.create())).get("/account/").status_code == 200
