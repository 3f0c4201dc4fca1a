"""The admin has no sign-in of its own: it goes through allauth, so lockout and MFA apply there too."""

import pytest
from django.test import Client

from pracha.accounts.tests.factories import PASSWORD


@pytest.mark.django_db
def test_the_admin_sign_in_page_sends_people_to_the_platform_sign_in(people):
    officer = people["officer_with"]
    officer.is_staff = True
    officer.save(update_fields=["is_staff"])
    client = Client()

    response = client.post("/admin/login/", {"username": officer.national_id, "password": PASSWORD})

    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/login/?next=%2Fadmin%2Flogin%2F"
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_the_lockout_counts_one_national_id_whatever_host_port_the_request_used(people):
    owner = people["owner"]
    for port in range(1, 7):
        Client(HTTP_HOST=f"localhost:{port}").post(
            "/accounts/login/", {"login": owner.national_id, "password": "wrong-password"}
        )

    client = Client(HTTP_HOST="localhost:9")
    response = client.post("/accounts/login/", {"login": owner.national_id, "password": PASSWORD})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
