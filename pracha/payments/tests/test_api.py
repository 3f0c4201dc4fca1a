"""GET /api/v1/payments/bills/{reference}: the authorization matrix, the QR payload only while the bill
can be paid (and it parses back to the bill), and the OpenAPI document."""

from typing import Any

import pytest
from django.test import Client

from pracha.accounts import services as account_services
from pracha.accounts.tests.conftest import client_for
from pracha.agencies.tests.factories import RoleFactory
from pracha.audit.public import AuditEntry
from pracha.core.thai_dates import buddhist_year
from pracha.core.working_days import local_today
from pracha.payments import promptpay, services
from pracha.payments.models import Bill
from pracha.payments.tests.factories import BillFactory, officer, payments_world

BILLS = "/api/v1/payments/bills/"
NOT_FOUND = {"code": "not_found", "message": "No bill with that number.", "fields": {}}
NOT_AUTHENTICATED = {"code": "not_authenticated", "message": "Please sign in first.", "fields": {}}


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    return payments_world()


@pytest.fixture
def bill(world: dict[str, Any]) -> Bill:
    return services.bill_create(
        kind=Bill.Kind.APPLICATION_FEE,
        subject_reference="APP-2569-000042",
        agency=world["bang_rak"],
        payer_id_number=world["payer"].national_id,
        payer_name="สมหญิง รักไทยทดสอบ",
        payer_user=world["payer"],
        description_th="ค่าธรรมเนียมคำขอเลขที่ APP-2569-000042",
        description_en="Fee for application APP-2569-000042",
        lines=[
            {"code": "permit", "name_th": "ค่าใบอนุญาต", "name_en": "Permit fee", "amount_satang": 50000},
            {"code": "form", "name_th": "ค่าแบบฟอร์ม", "name_en": "Form", "amount_satang": 50},
        ],
        due_date=local_today(),
    )


def expected(bill: Bill) -> dict[str, Any]:
    return {
        "id": str(bill.public_id),
        "reference": bill.reference,
        "kind": "application_fee",
        "subject_reference": "APP-2569-000042",
        "description": {
            "th": "ค่าธรรมเนียมคำขอเลขที่ APP-2569-000042",
            "en": "Fee for application APP-2569-000042",
        },
        "state": "created",
        "amount_satang": 50050,
        "amount": "500.50",
        "due_date": local_today().isoformat(),
        "agency": {"code": "bma-bang-rak", "name": {"th": bill.agency.name_th, "en": bill.agency.name_en}},
        "ref1": bill.ref1,
        "ref2": "APP2569000042",
        "lines": [
            {"code": "permit", "name": {"th": "ค่าใบอนุญาต", "en": "Permit fee"}, "amount_satang": 50000},
            {"code": "form", "name": {"th": "ค่าแบบฟอร์ม", "en": "Form"}, "amount_satang": 50},
        ],
        "promptpay_payload": promptpay.bill_payment_payload(
            biller_id="099999000000101", ref1=bill.ref1, ref2="APP2569000042", amount_satang=50050
        ),
        "paid_at": None,
        "receipt_number": None,
    }


@pytest.mark.parametrize("who", ["payer", "finance", "cashier", "approver"])
def test_the_payer_and_the_agencys_officers_get_the_bill(world, bill, who):
    response = client_for(world[who]).get(f"{BILLS}{bill.reference}")
    assert response.status_code == 200
    assert response.json() == expected(bill)


@pytest.mark.parametrize("who", ["other_citizen", "officer_other_agency", "officer_without", "unverified"])
def test_anyone_else_gets_not_found(world, bill, who):
    client = client_for(world[who])  # signing in is audited; reading the bill is not
    before = (Bill.objects.get().state, AuditEntry.objects.count())
    response = client.get(f"{BILLS}{bill.reference}")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert (Bill.objects.get().state, AuditEntry.objects.count()) == before


def test_anonymous_must_sign_in(bill):
    response = client_for(None).get(f"{BILLS}{bill.reference}")
    assert response.status_code == 401
    assert response.json() == NOT_AUTHENTICATED


def test_an_unknown_reference_is_not_found(world):
    response = client_for(world["payer"]).get(f"{BILLS}BILL-{buddhist_year(local_today())}-999999")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_a_personal_token_works(world, bill):
    _token, key = account_services.api_token_create(actor=world["payer"], name="my app")
    response = Client().get(f"{BILLS}{bill.reference}", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert response.json()["reference"] == bill.reference


def test_an_agency_systems_token_is_refused_even_at_the_bills_agency(world, bill):
    # The bill endpoint is for people (the payer, the agency's officers); a system token is no person.
    admin = officer(
        world["bang_rak"], RoleFactory(code="token-admin", permissions=["agencies.manage_tokens"])
    )
    _token, key = account_services.api_token_create(
        actor=admin, name="Bang Rak counter system", agency_code="bma-bang-rak"
    )
    before = (Bill.objects.get().state, AuditEntry.objects.count())
    response = client_for(None).get(f"{BILLS}{bill.reference}", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "message": "An agency system's token cannot be used for a person's own account or tokens.",
        "fields": {},
    }
    assert (Bill.objects.get().state, AuditEntry.objects.count()) == before


def test_the_payload_parses_back_to_the_bill_and_goes_once_paid(world, bill):
    payer = client_for(world["payer"])
    payload = payer.get(f"{BILLS}{bill.reference}").json()["promptpay_payload"]
    parsed = promptpay.parse(payload)
    assert (parsed.biller_id, parsed.ref1, parsed.ref2, parsed.amount_satang, parsed.point_of_initiation) == (
        "099999000000101",
        bill.ref1,
        bill.ref2,
        bill.amount_satang,
        "12",
    )
    receipt = services.bill_cash_record(actor=world["cashier"], bill=bill, amount_satang=50050)
    paid = payer.get(f"{BILLS}{bill.reference}").json()
    assert (paid["state"], paid["promptpay_payload"], paid["receipt_number"]) == (
        "paid",
        None,
        receipt.number,
    )
    assert paid["paid_at"] is not None


@pytest.mark.parametrize("state", ["expired", "cancelled"])
def test_no_payload_once_the_bill_cannot_be_paid(world, state):
    bill = BillFactory(agency=world["bang_rak"], payer_user=world["payer"], state=state)
    body = client_for(world["payer"]).get(f"{BILLS}{bill.reference}").json()
    assert (body["state"], body["promptpay_payload"], body["receipt_number"]) == (state, None, None)


def test_the_openapi_document_describes_the_payments_endpoints(db):
    schema = Client().get("/api/v1/openapi.json").json()
    operations = {
        (method.upper(), path, operation["summary"])
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/payments/")
        for method, operation in item.items()
    }
    assert operations == {
        ("POST", "/api/v1/payments/notifications", "A bank's payment notification (signed callback)"),
        (
            "GET",
            "/api/v1/payments/bills/{reference}",
            "A bill, with its PromptPay QR payload while it can be paid",
        ),
    }
    callback = schema["paths"]["/api/v1/payments/notifications"]["post"]
    assert sorted(callback["responses"]) == ["200", "400", "401", "503"]
    assert "security" not in callback
