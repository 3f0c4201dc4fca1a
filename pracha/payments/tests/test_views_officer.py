"""The payments desk: the bill list and a bill's page, cash at the counter, refund requests and their
approval by a second officer, cancelling, payment exceptions and bank statements. Every page and every
POST against the authorization matrix, with nothing changed when refused; bad input in both languages."""

import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from pracha.accounts.tests.conftest import client_for
from pracha.agencies.public import Role
from pracha.agencies.tests.factories import MembershipFactory
from pracha.audit.public import AuditEntry
from pracha.core.working_days import local_today
from pracha.payments import services
from pracha.payments.models import (
    Bill,
    Payment,
    PaymentException,
    Receipt,
    Refund,
    StatementImport,
    StatementLine,
)
from pracha.payments.tests.factories import (
    BillFactory,
    PaymentExceptionFactory,
    RefundFactory,
    officer,
    paid_bill,
    payments_world,
)

BANG_RAK_BILLER = "099999000000101"
NO_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    return payments_world()


@pytest.fixture
def bill(world: dict[str, Any]) -> Bill:
    """A THB 300.00 Bang Rak bill waiting for payment."""
    return BillFactory.create(agency=world["bang_rak"], payer_name="สมหญิง รักไทยทดสอบ")


@pytest.fixture
def tax_bill(world: dict[str, Any]) -> Bill:
    """A THB 300.00 Bang Rak land tax bill waiting for payment: one an officer may cancel."""
    return BillFactory.create(
        agency=world["bang_rak"], kind=Bill.Kind.LAND_TAX, subject_reference="LT-2569-000001"
    )


@pytest.fixture
def settled(world: dict[str, Any]) -> Bill:
    """A THB 300.00 Bang Rak bill paid by PromptPay, with its receipt."""
    return paid_bill(agency=world["bang_rak"])


@pytest.fixture
def refund(world: dict[str, Any], settled: Bill) -> Refund:
    """THB 100.00 of the paid bill, asked back by the finance officer."""
    return RefundFactory.create(
        bill=settled, requested_by=world["finance"], amount_satang=10000, reason="ชำระซ้ำ"
    )


@pytest.fixture
def exception(world: dict[str, Any]) -> PaymentException:
    """THB 300.00 paid to Bang Rak's biller ID with a Reference 1 no bill has."""
    return PaymentExceptionFactory.create(
        agency=world["bang_rak"],
        notification__transaction_id="SIMUNKNOWN0001",
        notification__ref1="9999999999",
    )


def statement_csv(*rows: tuple[str, ...]) -> bytes:
    lines = ["transaction_id,paid_at,biller_id,ref1,ref2,amount", *(",".join(row) for row in rows)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def statement_row(
    bill: Bill, *, transaction_id: str | None = None, amount: str = "300.00"
) -> tuple[str, ...]:
    payment = Payment.objects.get(bill=bill)
    return (
        transaction_id or payment.bank_transaction_id or "",
        timezone.localtime(payment.paid_at).isoformat(),
        BANG_RAK_BILLER,
        bill.ref1,
        bill.ref2,
        amount,
    )


@pytest.fixture
def statement(world: dict[str, Any], settled: Bill) -> StatementImport:
    content = statement_csv(statement_row(settled), statement_row(settled, transaction_id="SIMNOTOURS0001"))
    return services.statement_import(actor=world["finance"], content=content, file_name="bang-rak.csv")


def gettext_in(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


def page_errors(response: Any) -> dict[str, list[str]]:
    form = response.context["form"]
    with translation.override(response.headers["Content-Language"]):
        return {name: [str(error) for error in errors] for name, errors in form.errors.items()}


def snapshot() -> dict[str, Any]:
    """Everything a refused request must leave exactly as it was."""
    return {
        "bills": sorted(Bill.objects.values_list("reference", "state", "refunded_satang")),
        "payments": Payment.objects.count(),
        "receipts": Receipt.objects.count(),
        "refunds": sorted(Refund.objects.values_list("idempotency_key", "state")),
        "exceptions": sorted(PaymentException.objects.values_list("pk", "state", "resolution_note")),
        "statements": StatementImport.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def login_redirect(url: str) -> str:
    return f"{reverse('account_login')}?next={url}"


# --- the pages ----------------------------------------------------------------------------------------

LIST_PAGES = ["manage", "manage-refunds", "manage-exceptions", "manage-statements"]


@pytest.mark.parametrize("name", LIST_PAGES)
@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("payer", 403), ("officer_without", 403)])
def test_the_desk_is_for_officers_who_handle_payments(world, name, who, status):
    url = reverse(f"payments:{name}")
    response = client_for(world[who]).get(url)
    assert response.status_code == status
    if status == 302:
        assert response["Location"] == login_redirect(url)


@pytest.mark.parametrize("name", LIST_PAGES)
@pytest.mark.parametrize("who", ["cashier", "finance", "approver"])
def test_each_payments_role_opens_every_page_of_the_desk(world, name, who):
    response = client_for(world[who]).get(reverse(f"payments:{name}"))
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_CACHE


def test_an_officer_of_another_agency_sees_nothing_of_bang_rak(world, bill, refund, exception, statement):
    client = client_for(world["officer_other_agency"])
    assert list(client.get(reverse("payments:manage")).context["page"].object_list) == []
    assert client.get(reverse("payments:manage-refunds")).context["rows"] == []
    assert client.get(reverse("payments:manage-exceptions")).context["rows"] == []
    assert client.get(reverse("payments:manage-statements")).context["statements"] == []
    assert client.get(reverse("payments:manage-bill", args=[bill.reference])).status_code == 404
    assert client.get(reverse("payments:manage-statement", args=[statement.public_id])).status_code == 404


@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("payer", 403), ("officer_without", 403),
                                             ("officer_other_agency", 404), ("cashier", 200)])  # fmt: skip
def test_a_bill_page_against_the_matrix(world, bill, who, status):
    assert (
        client_for(world[who]).get(reverse("payments:manage-bill", args=[bill.reference])).status_code
        == status
    )


def test_an_unknown_bill_is_not_found(world):
    url = reverse("payments:manage-bill", args=["BILL-2569-999999"])
    assert client_for(world["finance"]).get(url).status_code == 404


def test_the_bill_list_searches_and_filters(world, bill, settled):
    client = client_for(world["cashier"])
    everything = client.get(reverse("payments:manage"))
    assert list(everything.context["page"].object_list) == [settled, bill]
    by_reference = client.get(reverse("payments:manage"), {"q": bill.reference.lower()})
    assert list(by_reference.context["page"].object_list) == [bill]
    by_ref1 = client.get(reverse("payments:manage"), {"q": settled.ref1})
    assert list(by_ref1.context["page"].object_list) == [settled]
    paid = client.get(reverse("payments:manage"), {"state": "paid"})
    assert list(paid.context["page"].object_list) == [settled]
    html = paid.content.decode()
    assert (
        f'<a class="govuk-link" href="{reverse("payments:manage-bill", args=[settled.reference])}">' in html
    )
    assert "Clear the search" in html
    nothing = client.get(reverse("payments:manage"), {"q": "BILL-2569-999999"})
    assert "No bill matches the search." in nothing.content.decode()


def test_an_unknown_status_is_an_error_and_ignored(world, bill):
    response = client_for(world["cashier"]).get(reverse("payments:manage"), {"state": "lost"})
    assert list(response.context["page"].object_list) == [bill]
    assert page_errors(response) == {
        "state": ["Select a valid choice. lost is not one of the available choices."]
    }


def test_the_bill_list_is_paginated(world):
    BillFactory.create_batch(26, agency=world["bang_rak"])
    client = client_for(world["cashier"])
    first = client.get(reverse("payments:manage"))
    assert len(first.context["page"].object_list) == 25
    assert 'href="?page=2" rel="next"' in first.content.decode()
    second = client.get(reverse("payments:manage"), {"page": 2})
    assert len(second.context["page"].object_list) == 1


def test_the_bill_page_shows_everything_about_it(world, settled, refund):
    payment = settled.payment
    PaymentExceptionFactory.create(
        agency=world["bang_rak"], bill=settled, reason=PaymentException.Reason.NOT_PAYABLE,
        notification__transaction_id="SIMLATE0001",
    )  # fmt: skip
    response = client_for(world["finance"]).get(reverse("payments:manage-bill", args=[settled.reference]))
    html = response.content.decode()
    national_id = settled.payer_id_number
    for text in (
        f'<h1 class="govuk-heading-l">{settled.reference}</h1>',
        "สมหญิง รักไทยทดสอบ",  # in full
        f"{national_id[0]}-{national_id[1:5]}-{national_id[5:10]}-{national_id[10:12]}-{national_id[12]}",
        f"{payment.bank_transaction_id} (Simulated Bank)",
        f'{reverse("payments:receipt", args=[payment.receipt.public_id])}">{payment.receipt.number}</a>',
        f'href="{reverse("payments:bill", args=[settled.public_id])}"',
        "ชำระซ้ำ",
        "Waiting for approval",
        "SIMLATE0001",
        "The bill was already paid, cancelled or expired",
        "Up to THB 200.00 can still be refunded. Another officer must approve the refund.",
    ):
        assert text in html, text
    assert response.context["show_refund"] is True
    assert response.context["show_cash"] is False
    assert response.context["show_cancel"] is False


@pytest.mark.parametrize(
    ("who", "forms"),
    [("cashier", ["cash"]), ("finance", ["cancel"]), ("approver", []), ("officer_other_agency", None)],
)
def test_the_forms_follow_the_officers_permissions(world, tax_bill, who, forms):
    response = client_for(world[who]).get(reverse("payments:manage-bill", args=[tax_bill.reference]))
    if forms is None:
        assert response.status_code == 404
        return
    shown = [name for name in ("cash", "refund", "cancel") if response.context[f"show_{name}"]]
    assert shown == forms
    html = response.content.decode()
    assert ("Record cash payment</button>" in html) == ("cash" in forms)
    assert ("Cancel the bill</button>" in html) == ("cancel" in forms)


def test_an_application_fee_has_no_cancel_form(world, bill):
    response = client_for(world["finance"]).get(reverse("payments:manage-bill", args=[bill.reference]))
    assert response.context["show_cancel"] is False
    assert "Cancel the bill</button>" not in response.content.decode()


def test_the_desk_is_in_thai(world, bill):
    response = client_for(world["cashier"], language="th").get(
        reverse("payments:manage-bill", args=[bill.reference])
    )
    html = response.content.decode()
    assert 'lang="th"' in html
    assert "300.00 บาท" in html
    assert gettext_in("th", "Record cash payment") in html
    assert gettext_in("th", "Amount received (baht)") in html


def test_officers_have_the_desk_in_their_navigation(world, bill):
    html = client_for(world["cashier"]).get(reverse("payments:manage")).content.decode()
    assert (
        f'<a class="govuk-service-navigation__link" href="{reverse("payments:manage")}" aria-current="page">'
    ) in html
    assert '<strong class="govuk-service-navigation__active-fallback">Payments desk</strong>' in html
    assert (
        "Payments desk"
        not in client_for(world["officer_without"]).get(reverse("portal:home")).content.decode()
    )


# --- every POST against the authorization matrix ------------------------------------------------------


def post_request(name: str, world: dict[str, Any], objects: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The URL and a valid form for each POST of the desk: refusals are then for who asks, not what."""
    if name == "cash":
        return reverse("payments:manage-bill-cash", args=[objects["bill"].reference]), {"cash-amount": "300"}
    if name == "refund":
        return reverse("payments:manage-bill-refund", args=[objects["settled"].reference]), {
            "refund-amount": "100",
            "refund-reason": "Paid twice",
            "refund-idempotency_key": str(uuid.uuid4()),
        }
    if name == "cancel":
        return reverse("payments:manage-bill-cancel", args=[objects["tax_bill"].reference]), {
            "cancel-reason": "Issued by mistake"
        }
    if name == "decide":
        return reverse("payments:manage-refund-decide", args=[objects["refund"].public_id]), {
            "decision": "approve",
            "note": "",
        }
    if name == "resolve":
        return reverse("payments:manage-exception-resolve", args=[objects["exception"].public_id]), {
            "note": "Refunded by the bank"
        }
    content = statement_csv(statement_row(objects["settled"]))
    return reverse("payments:manage-statements"), {"file": SimpleUploadedFile("statement.csv", content)}


REFUSED = {
    # name: who -> the status they get
    "cash": {"finance": 403, "approver": 403},
    "refund": {"cashier": 403, "approver": 403},
    "cancel": {"cashier": 403, "approver": 403},
    "decide": {"cashier": 403, "finance": 403},  # finance asked for the refund and may not approve
    "resolve": {"cashier": 403, "approver": 403},
    # Another agency's officer may import statements, just not Bang Rak's: the service refuses.
    "statement": {"cashier": 403, "approver": 403, "officer_other_agency": 403},
}
EVERYONE_ELSE = {"anonymous": 302, "payer": 403, "officer_without": 403, "officer_other_agency": 404}
MATRIX = [
    (name, who, status)
    for name, roles in REFUSED.items()
    for who, status in {**EVERYONE_ELSE, **roles}.items()
]


@pytest.mark.parametrize(("name", "who", "status"), MATRIX)
def test_refused_posts_change_nothing(world, bill, tax_bill, settled, refund, exception, name, who, status):
    objects = {
        "bill": bill,
        "tax_bill": tax_bill,
        "settled": settled,
        "refund": refund,
        "exception": exception,
    }
    url, data = post_request(name, world, objects)
    client = client_for(world[who])
    before = snapshot()
    response = client.post(url, data)
    assert response.status_code == status
    if status == 302:
        assert response["Location"] == login_redirect(url)
    assert snapshot() == before


# --- cash at the counter ------------------------------------------------------------------------------


def test_the_cashier_records_cash_and_gets_the_receipt(world, bill):
    response = client_for(world["cashier"]).post(
        reverse("payments:manage-bill-cash", args=[bill.reference]), {"cash-amount": "300.00"}
    )
    receipt = Receipt.objects.get(payment__bill=bill)
    assert response.status_code == 302
    assert response["Location"] == reverse("payments:receipt", args=[receipt.public_id])
    bill.refresh_from_db()
    assert bill.state == Bill.State.PAID
    payment = Payment.objects.get(bill=bill)
    assert (payment.channel, payment.amount_satang, payment.recorded_by) == (
        "counter",
        30000,
        world["cashier"],
    )
    assert AuditEntry.objects.filter(action="payments.bill_pay").count() == 1


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("abc", "Enter the amount in baht using digits, for example 300 or 1,200.50."),
        ("", "Enter the amount received."),
        ("-300", "Enter an amount greater than zero."),
        ("0", "Enter an amount greater than zero."),
        ("400", "The amount must be exactly the amount of the bill."),
        ("299.99", "The amount must be exactly the amount of the bill."),
    ],
)
@pytest.mark.parametrize("language", ["en", "th"])
def test_a_wrong_cash_amount_is_refused_in_the_persons_language(world, bill, amount, message, language):
    client = client_for(world["cashier"], language=language)
    before = snapshot()
    response = client.post(
        reverse("payments:manage-bill-cash", args=[bill.reference]), {"cash-amount": amount}
    )
    assert response.status_code == 200
    assert page_errors(response) == {"amount": [gettext_in(language, message)]}
    html = response.content.decode()
    assert f'<a href="#id_cash-amount">{gettext_in(language, message)}</a>' in html
    assert snapshot() == before


def test_cash_for_a_bill_paid_meanwhile_is_refused(world, settled):
    client = client_for(world["cashier"])
    before = snapshot()
    response = client.post(
        reverse("payments:manage-bill-cash", args=[settled.reference]), {"cash-amount": "300"}
    )
    assert page_errors(response) == {
        "__all__": ["This bill can no longer be paid: it has been paid, cancelled or has expired."]
    }
    assert snapshot() == before


# --- refunds ------------------------------------------------------------------------------------------


def test_a_refund_is_requested_once_however_often_the_form_is_sent(world, settled):
    client = client_for(world["finance"])
    url = reverse("payments:manage-bill-refund", args=[settled.reference])
    data = {"refund-amount": "120.50", "refund-reason": "ชำระซ้ำ", "refund-idempotency_key": str(uuid.uuid4())}
    first = client.post(url, data)
    second = client.post(url, data)
    [refund] = Refund.objects.all()
    assert (refund.amount_satang, refund.reason, refund.state, refund.requested_by) == (
        12050,
        "ชำระซ้ำ",
        Refund.State.REQUESTED,
        world["finance"],
    )
    for response in (first, second):
        assert response.status_code == 302
        assert response["Location"] == reverse("payments:manage-bill", args=[settled.reference])
    page = client.get(reverse("payments:manage-bill", args=[settled.reference])).content.decode()
    assert "A refund of THB 120.50 has been requested. Another officer must approve it." in page


@pytest.mark.parametrize(
    ("amount", "reason", "errors"),
    [
        (
            "abc",
            "Paid twice",
            {"amount": ["Enter the amount in baht using digits, for example 300 or 1,200.50."]},
        ),
        ("", "Paid twice", {"amount": ["Enter the amount to refund."]}),
        ("-1", "Paid twice", {"amount": ["Enter an amount greater than zero."]}),
        ("300.01", "Paid twice", {"amount": ["The amount must be more than nothing and at most %(limit)s."]}),
        ("100", "", {"reason": ["Say why the money is paid back."]}),
        ("", " ", {"amount": ["Enter the amount to refund."], "reason": ["Say why the money is paid back."]}),
    ],
)
@pytest.mark.parametrize("language", ["en", "th"])
def test_a_wrong_refund_request_is_refused_in_the_persons_language(
    world, settled, amount, reason, errors, language
):
    client = client_for(world["finance"], language=language)
    before = snapshot()
    response = client.post(
        reverse("payments:manage-bill-refund", args=[settled.reference]),
        {"refund-amount": amount, "refund-reason": reason, "refund-idempotency_key": str(uuid.uuid4())},
    )
    limit = "300.00 บาท" if language == "th" else "THB 300.00"
    expected = {
        field: [gettext_in(language, message).replace("%(limit)s", limit) for message in messages]
        for field, messages in errors.items()
    }
    assert response.status_code == 200
    assert page_errors(response) == expected
    assert snapshot() == before


def test_a_refund_page_without_its_key_has_expired(world, settled):
    client = client_for(world["finance"])
    before = snapshot()
    response = client.post(
        reverse("payments:manage-bill-refund", args=[settled.reference]),
        {"refund-amount": "100", "refund-reason": "Paid twice"},
    )
    assert page_errors(response) == {
        "idempotency_key": ["This page has expired. Please check the refund and send it again."]
    }
    assert snapshot() == before


def test_the_approver_sees_and_approves_a_refund(world, settled, refund):
    client = client_for(world["approver"])
    page = client.get(reverse("payments:manage-refunds"))
    [row] = page.context["rows"]
    assert (row.refund, row.own) == (refund, False)
    html = page.content.decode()
    assert f'action="{reverse("payments:manage-refund-decide", args=[refund.public_id])}"' in html
    assert "THB 100.00 on bill " + settled.reference in html

    response = client.post(
        reverse("payments:manage-refund-decide", args=[refund.public_id]), {"decision": "approve", "note": ""}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("payments:manage-refunds")
    refund.refresh_from_db()
    settled.refresh_from_db()
    assert (refund.state, refund.decided_by) == (Refund.State.APPROVED, world["approver"])
    assert (settled.state, settled.refunded_satang) == (Bill.State.PARTIALLY_REFUNDED, 10000)
    after = client.get(reverse("payments:manage-refunds")).content.decode()
    assert f"The refund of THB 100.00 on bill {settled.reference} has been approved." in after
    assert "No refund is waiting for your approval." in after


@pytest.mark.parametrize("language", ["en", "th"])
def test_a_rejection_needs_a_reason(world, refund, language):
    client = client_for(world["approver"], language=language)
    before = snapshot()
    response = client.post(
        reverse("payments:manage-refund-decide", args=[refund.public_id]), {"decision": "reject", "note": ""}
    )
    assert response.status_code == 200
    assert page_errors(response) == {"note": [gettext_in(language, "Say why the refund is rejected.")]}
    assert snapshot() == before


def test_a_decision_needs_a_button(world, refund):
    client = client_for(world["approver"])
    before = snapshot()
    response = client.post(reverse("payments:manage-refund-decide", args=[refund.public_id]), {"note": "ok"})
    assert page_errors(response) == {"decision": ["Choose whether to approve or reject the refund."]}
    assert snapshot() == before


def test_the_requester_who_may_approve_is_told_another_officer_must(world, settled):
    both = officer(world["bang_rak"], *Role.objects.filter(code__in=["finance-officer", "finance-approver"]))
    own = services.refund_request(
        actor=both, bill=settled, amount_satang=5000, reason="Overpaid", idempotency_key="own-request"
    )
    client = client_for(both)
    page = client.get(reverse("payments:manage-refunds"))
    [row] = page.context["rows"]
    assert (row.refund, row.own) == (own, True)
    html = page.content.decode()
    assert "You requested this refund, so another officer must approve or reject it." in html
    assert reverse("payments:manage-refund-decide", args=[own.public_id]) not in html
    before = snapshot()
    response = client.post(
        reverse("payments:manage-refund-decide", args=[own.public_id]), {"decision": "approve", "note": ""}
    )
    assert response.status_code == 403
    assert snapshot() == before


def test_an_unknown_refund_is_not_found(world):
    url = reverse("payments:manage-refund-decide", args=[uuid.uuid4()])
    assert client_for(world["approver"]).post(url, {"decision": "approve"}).status_code == 404


# --- cancelling ---------------------------------------------------------------------------------------


def test_the_finance_officer_cancels_a_bill(world, tax_bill):
    response = client_for(world["finance"]).post(
        reverse("payments:manage-bill-cancel", args=[tax_bill.reference]), {"cancel-reason": "Issued twice"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("payments:manage-bill", args=[tax_bill.reference])
    tax_bill.refresh_from_db()
    assert tax_bill.state == Bill.State.CANCELLED
    [entry] = AuditEntry.objects.filter(action="payments.bill_cancel")
    assert entry.payload == {"reason": "Issued twice"}


@pytest.mark.parametrize("language", ["en", "th"])
def test_cancelling_needs_a_reason(world, tax_bill, language):
    client = client_for(world["finance"], language=language)
    before = snapshot()
    response = client.post(
        reverse("payments:manage-bill-cancel", args=[tax_bill.reference]), {"cancel-reason": ""}
    )
    assert page_errors(response) == {"reason": [gettext_in(language, "Say why the bill is cancelled.")]}
    assert snapshot() == before


def test_a_paid_bill_cannot_be_cancelled(world):
    settled = paid_bill(agency=world["bang_rak"], kind=Bill.Kind.LAND_TAX, subject_reference="LT-2569-000002")
    client = client_for(world["finance"])
    before = snapshot()
    response = client.post(
        reverse("payments:manage-bill-cancel", args=[settled.reference]), {"cancel-reason": "Mistake"}
    )
    assert page_errors(response) == {
        "__all__": ["Only a bill that has not been paid, cancelled or expired can be cancelled."]
    }
    assert snapshot() == before


def test_an_application_fee_cannot_be_cancelled_from_the_desk(world, bill):
    client = client_for(world["finance"])
    before = snapshot()
    response = client.post(
        reverse("payments:manage-bill-cancel", args=[bill.reference]), {"cancel-reason": "Mistake"}
    )
    assert page_errors(response) == {
        "__all__": [
            "An application fee cannot be cancelled here: the fee belongs to the application's workflow, "
            "which bills it again while the case waits for payment."
        ]
    }
    assert snapshot() == before


# --- payment exceptions -------------------------------------------------------------------------------


def test_open_exceptions_show_what_the_bank_sent(world, exception):
    response = client_for(world["cashier"]).get(reverse("payments:manage-exceptions"))
    [row] = response.context["rows"]
    assert (row.exception, row.can_resolve) == (exception, False)  # a cashier may only look
    html = response.content.decode()
    for text in ("SIMUNKNOWN0001", BANG_RAK_BILLER, "9999999999", "THB 300.00", "No bill has this reference"):
        assert text in html, text
    assert "Mark as resolved" not in html


def test_the_finance_officer_resolves_an_exception(world, exception):
    client = client_for(world["finance"])
    page = client.get(reverse("payments:manage-exceptions"))
    [row] = page.context["rows"]
    assert row.can_resolve is True
    assert (
        "Resolving closes the exception; Pracha does not move the money. Note what was done outside "
        "Pracha, for example: the bank returned the money to the payer on 3 March."
    ) in page.content.decode()
    response = client.post(
        reverse("payments:manage-exception-resolve", args=[exception.public_id]),
        {"note": "Refunded by the bank on request"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("payments:manage-exceptions")
    exception.refresh_from_db()
    assert (exception.state, exception.resolution_note, exception.resolved_by) == (
        PaymentException.State.RESOLVED,
        "Refunded by the bank on request",
        world["finance"],
    )
    assert client.get(reverse("payments:manage-exceptions")).context["rows"] == []
    resolved = client.get(reverse("payments:manage-exceptions"), {"state": "resolved"})
    assert [row.exception for row in resolved.context["rows"]] == [exception]
    assert "Refunded by the bank on request" in resolved.content.decode()


@pytest.mark.parametrize("language", ["en", "th"])
def test_resolving_needs_a_note(world, exception, language):
    client = client_for(world["finance"], language=language)
    before = snapshot()
    response = client.post(
        reverse("payments:manage-exception-resolve", args=[exception.public_id]), {"note": ""}
    )
    assert page_errors(response) == {"note": [gettext_in(language, "Say what was done about this payment.")]}
    assert f'<a href="#exception-{exception.public_id}-note">' in response.content.decode()
    assert snapshot() == before


# --- bank statements ----------------------------------------------------------------------------------


def test_a_statement_is_imported_and_reported_problems_first(world, settled):
    client = client_for(world["finance"])
    content = statement_csv(statement_row(settled), statement_row(settled, transaction_id="SIMNOTOURS0001"))
    response = client.post(
        reverse("payments:manage-statements"), {"file": SimpleUploadedFile("bang-rak.csv", content)}
    )
    statement = StatementImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("payments:manage-statement", args=[statement.public_id])

    report = client.get(response["Location"])

    assert [(line.line_number, line.verdict) for line in report.context["lines"]] == [
        (3, StatementLine.Verdict.MISSING),
        (2, StatementLine.Verdict.MATCHED),
    ]
    assert [(item.verdict, item.count) for item in report.context["counts"]] == [
        ("matched", 1),
        ("missing", 1),
        ("not_in_statement", 0),
        ("duplicate", 0),
        ("mismatched", 0),
    ]
    html = report.content.decode()
    assert "The statement has been imported and reconciled." in html
    assert "1 line needs checking." in html
    assert "SIMNOTOURS0001" in html
    assert (
        f'href="{reverse("payments:manage-bill", args=[settled.reference])}">{settled.reference}</a>' in html
    )
    listed = client.get(reverse("payments:manage-statements"))
    assert listed.context["statements"] == [(statement, 1)]
    assert "bang-rak.csv" in listed.content.decode()
    assert '<strong class="govuk-tag govuk-tag--red">1 line to check</strong>' in listed.content.decode()


def test_the_same_file_twice_gives_the_first_report(world, settled, statement):
    client = client_for(world["finance"])
    content = statement_csv(statement_row(settled), statement_row(settled, transaction_id="SIMNOTOURS0001"))
    response = client.post(
        reverse("payments:manage-statements"), {"file": SimpleUploadedFile("again.csv", content)}, follow=True
    )
    assert response.redirect_chain == [
        (reverse("payments:manage-statement", args=[statement.public_id]), 302)
    ]
    assert "This file was imported before. Here is its report." in response.content.decode()
    assert StatementImport.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"id,when\nA,B\n", "Line 1 must be the header transaction_id,paid_at,biller_id,ref1,ref2,amount."),
        (None, "Choose the statement file to import."),
    ],
)
@pytest.mark.parametrize("language", ["en", "th"])
def test_a_bad_statement_is_refused_in_the_persons_language(world, content, message, language):
    client = client_for(world["finance"], language=language)
    before = snapshot()
    data = {} if content is None else {"file": SimpleUploadedFile("statement.csv", content)}
    response = client.post(reverse("payments:manage-statements"), data)
    assert response.status_code == 200
    expected = gettext_in(
        language, message.replace("transaction_id,paid_at,biller_id,ref1,ref2,amount", "%(columns)s")
    ).replace("%(columns)s", "transaction_id,paid_at,biller_id,ref1,ref2,amount")
    assert page_errors(response) == {"file": [expected]}
    assert snapshot() == before


def test_officers_who_may_not_import_see_no_upload_form(world, statement):
    html = client_for(world["cashier"]).get(reverse("payments:manage-statements")).content.decode()
    assert "Import and reconcile" not in html
    assert reverse("payments:manage-statement", args=[statement.public_id]) in html


def test_an_officer_in_two_agencies_sees_both(world, bill):
    dbd_bill = BillFactory.create(agency=world["dbd"])
    MembershipFactory(
        user=world["cashier"], agency=world["dbd"], roles=list(Role.objects.filter(code="cashier"))
    )
    page = client_for(world["cashier"]).get(reverse("payments:manage"))
    assert list(page.context["page"].object_list) == [dbd_bill, bill]


@override_settings(PRACHA_BANK_SIMULATOR_URL="http://127.0.0.1:8010/")
def test_the_demo_bank_statement_of_the_day_is_linked(world):
    response = client_for(world["finance"]).get(reverse("payments:manage-statements"))
    today = local_today().isoformat()
    assert [(item.biller_id, item.url) for item in response.context["downloads"]] == [
        (BANG_RAK_BILLER, f"http://127.0.0.1:8010/statement.csv?biller_id={BANG_RAK_BILLER}&date={today}")
    ]
    assert f"Statement of biller ID {BANG_RAK_BILLER}</a>" in response.content.decode()
    assert client_for(world["cashier"]).get(reverse("payments:manage-statements")).context["downloads"] == []
