import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pracha.accounts import services
from pracha.accounts.tests.conftest import client_for
from pracha.accounts.tests.factories import BusinessAuthorisationFactory
from pracha.audit.public import AuditEntry


@pytest.mark.django_db
def test_the_download_holds_everything_about_the_person_and_nothing_else(people: dict[str, Any]) -> None:
    owner, officer = people["owner"], people["officer_with"]
    authorisation = BusinessAuthorisationFactory.create(user=owner)
    token, key = services.api_token_create(actor=owner, name="Accounting software")
    services.api_token_create(actor=people["other_citizen"], name="Someone else's")
    services.person_lookup(actor=officer, national_id=owner.national_id, agency_code="home-agency")

    response = client_for(owner).post(reverse("accounts:data-export"))

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="pracha-my-data-')
    text = response.content.decode()
    assert key not in text
    assert token.key_hash not in text
    assert "key_hash" not in text
    data = json.loads(text)
    assert data["profile"]["national_id"] == owner.national_id
    assert data["profile"]["first_name_th"] == owner.first_name_th
    assert data["profile"]["date_of_birth"] == "1990-01-15"
    assert data["profile"]["assurance_level"] == "self_asserted"
    assert data["email_addresses"] == [{"email": owner.email, "primary": True, "verified": True}]
    assert [(b["juristic_number"], b["role"]) for b in data["businesses"]] == [
        (authorisation.business.juristic_number, "director")
    ]
    assert data["agency_memberships"] == []
    assert [(t["name"], t["prefix"], t["agency"]) for t in data["api_tokens"]] == [
        ("Accounting software", key[:8], None)
    ]
    # Newest first; signing in to download is itself recorded.
    assert [entry["action"] for entry in data["audit"]["by_me"]] == [
        "accounts.sign_in",
        "accounts.api_token_create",
    ]
    about_me = data["audit"]["about_me"]
    assert [entry["action"] for entry in about_me] == ["accounts.sign_in", "accounts.view_person"]
    looked = about_me[1]
    assert looked["actor"] == officer.audit_label
    assert looked["details"] == {"agency": "home-agency"}
    assert "client_ip" not in looked


@pytest.mark.django_db
def test_an_officer_download_lists_their_memberships(people: dict[str, Any]) -> None:
    data = json.loads(client_for(people["officer_with"]).post(reverse("accounts:data-export")).content)

    assert data["agency_memberships"] == [
        {
            "agency": "home-agency",
            "agency_name_th": people["home_agency"].name_th,
            "agency_name_en": people["home_agency"].name_en,
            "position": "",
            "roles": ["foundation-all"],
            "active": True,
        }
    ]


@pytest.mark.django_db
def test_the_download_page_explains_before_downloading(people: dict[str, Any]) -> None:
    response = client_for(people["owner"]).get(reverse("accounts:data-export"))

    assert response.status_code == 200
    assert "Content-Disposition" not in response.headers


@pytest.mark.django_db
def test_an_officers_download_does_not_name_the_people_they_looked_up(people: dict[str, Any]) -> None:
    officer, owner = people["officer_with"], people["owner"]
    services.person_lookup(actor=officer, national_id=owner.national_id, agency_code="home-agency")
    services.profile_update(
        actor=officer,
        first_name_th=officer.first_name_th,
        last_name_th=officer.last_name_th,
        first_name_en=officer.first_name_en,
        last_name_en=officer.last_name_en,
        date_of_birth=officer.date_of_birth,
        phone="0899999999",
    )

    text = client_for(officer).post(reverse("accounts:data-export")).content.decode()

    assert str(owner.public_id) not in text
    assert owner.national_id not in text
    sign_in, update, lookup = json.loads(text)["audit"]["by_me"]  # newest first
    assert sign_in["action"] == "accounts.sign_in"
    assert (lookup["action"], lookup["target_type"], lookup["target_id"]) == (
        "accounts.view_person",
        "accounts.user",
        "",
    )
    assert lookup["details"] == {}
    assert lookup["at"]
    # What they did to their own account keeps its target and details.
    assert (update["action"], update["target_id"], update["details"]) == (
        "accounts.profile_update",
        str(officer.public_id),
        {"fields": ["phone"]},
    )


@pytest.mark.django_db
def test_the_download_is_recorded_last_so_the_audit_lock_is_not_held_while_reading(
    people: dict[str, Any],
) -> None:
    owner = people["owner"]
    services.api_token_create(actor=owner, name="Accounting software")

    with CaptureQueriesContext(connection) as queries:
        data = services.personal_data_export(actor=owner)

    statements = [query["sql"] for query in queries.captured_queries]
    first_lock = next(i for i, sql in enumerate(statements) if "audit_auditchainhead" in sql)
    after_lock = [
        sql for sql in statements[first_lock:] if not sql.upper().startswith(("SAVEPOINT", "RELEASE"))
    ]
    assert all("audit_audit" in sql for sql in after_lock), after_lock
    assert (
        AuditEntry.objects.order_by("-id").values_list("action", flat=True).first() == "accounts.data_export"
    )
    assert "accounts.data_export" not in [entry["action"] for entry in data["audit"]["by_me"]]
