"""The demo world's side of payments: finance roles, the approver, the police ticket register and the
land tax roll, their tax bills, and the look-up hint seed_demo prints."""

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from pracha.accounts.public import User
from pracha.agencies.public import Agency, Role, has_permission
from pracha.core.thai_dates import buddhist_year
from pracha.core.working_days import local_today
from pracha.payments.public import Bill
from pracha.portal import demo_world
from pracha.registries.public import LandTaxAssessment, TrafficTicket, normalise_plate

APPLICANT_ID = "1999900000021"  # demo citizen no. 2


@pytest.fixture
def seeded(db: Any) -> str:
    output = StringIO()
    call_command("seed_demo", stdout=output)
    return output.getvalue()


def officer(number: int) -> User:
    return User.objects.get(national_id=next(p.national_id for p in demo_world.PEOPLE if p.number == number))


def test_the_finance_roles_split_requesting_a_refund_from_approving_it(seeded: str) -> None:
    bang_rak, police, dopa = (Agency.objects.get(code=code) for code in ("bma-bang-rak", "rtp", "dopa"))
    requester, police_officer, approver = officer(104), officer(105), officer(108)
    for permission in ("payments.view", "payments.record_cash", "payments.manage", "payments.reconcile"):
        assert has_permission(requester, permission, agency=bang_rak)
        assert has_permission(police_officer, permission, agency=police)
    assert not has_permission(requester, "payments.refund_approve", agency=bang_rak)
    assert not has_permission(police_officer, "payments.refund_approve", agency=police)
    for agency in (bang_rak, police):
        assert has_permission(approver, "payments.refund_approve", agency=agency)
        assert has_permission(approver, "payments.view", agency=agency)
        assert not has_permission(approver, "payments.manage", agency=agency)
        assert not has_permission(approver, "payments.record_cash", agency=agency)
    assert not has_permission(approver, "payments.view", agency=dopa)
    assert (
        "1999900001087  Kanngoen Anumat-Test"
        "  bma-bang-rak: finance-approver; rtp: finance-approver  TOTP secret" in seeded
    )


def test_a_database_seeded_before_gains_the_new_permissions_of_a_role(seeded: str) -> None:
    Role.objects.filter(code="cashier").update(permissions=["payments.record_cash"])
    output = StringIO()
    call_command("seed_demo", stdout=output)
    assert Role.objects.get(code="cashier").permissions == ["payments.record_cash", "payments.view"]
    assert "Demo world loaded (1 role permissions)." in output.getvalue()


def test_the_tickets_are_against_demo_people_due_thirty_days_after_issue(seeded: str) -> None:
    today = local_today()
    people = {person.national_id: person for person in demo_world.PEOPLE}
    tickets = TrafficTicket.objects.order_by("ticket_number")
    assert [t.ticket_number for t in tickets] == [f"TK69{n:08d}" for n in range(1, 9)]
    for ticket in tickets:
        person = people[ticket.offender_national_id]
        assert ticket.offender_name == f"{person.title_th}{person.first_name_th} {person.last_name_th}"
        assert ticket.plate == normalise_plate(ticket.plate)
        assert ticket.plate_province == "กรุงเทพมหานคร"
        assert ticket.agency.code == "rtp"
        issued_on = timezone.localtime(ticket.issued_at).date()
        assert issued_on < today
        assert ticket.due_date == issued_on + datetime.timedelta(days=demo_world.TICKET_DAYS_TO_PAY)
        assert ticket.fine_satang in (50_000, 100_000)
    mine = tickets.filter(offender_national_id=APPLICANT_ID)
    assert [(t.ticket_number, t.paid_at is not None) for t in mine] == [
        ("TK6900000001", False),
        ("TK6900000002", False),
        ("TK6900000003", True),
    ]
    assert mine.get(ticket_number="TK6900000003").receipt_number == "LUMPINI-2569-0412"
    overdue = tickets.filter(paid_at__isnull=True, due_date__lt=today)
    assert [t.ticket_number for t in overdue] == ["TK6900000006"]


def test_the_tax_roll_is_this_years_with_a_payable_bill_for_each_assessment(seeded: str) -> None:
    today = local_today()
    year = buddhist_year(today)
    roll = LandTaxAssessment.objects.order_by("assessment_number")
    assert [(a.assessment_number, a.owner_id_number, a.use, a.agency.code, a.tax_satang) for a in roll] == [
        (f"LT-{year}-000001", APPLICANT_ID, "residence", "bma-bang-rak", 130_000),
        (f"LT-{year}-000002", APPLICANT_ID, "vacant", "bma-chatuchak", 960_000),
        (f"LT-{year}-000003", "0999900000023", "commercial", "bma-bang-rak", 2_400_000),
        (f"LT-{year}-000004", "0999900000015", "commercial", "bma-phra-nakhon", 3_600_000),
        (f"LT-{year}-000005", "1999900000013", "residence", "bma-phra-nakhon", 76_000),
        (f"LT-{year}-000006", "1999900000056", "residence", "bma-bang-rak", 104_000),
    ]
    assert {a.due_date for a in roll} == {demo_world.land_tax_due_date(today)}
    assert all(a.due_date >= today and a.tax_year == year and a.paid_at is None for a in roll)
    assert roll.get(owner_id_number="0999900000023").owner_name == "ห้างหุ้นส่วนจำกัด ก๋วยเตี๋ยวทดสอบ"
    bills = Bill.objects.filter(kind=Bill.Kind.LAND_TAX).order_by("subject_reference")
    assert [
        (b.subject_reference, b.amount_satang, b.payer_id_number, b.agency.code, b.state) for b in bills
    ] == [(a.assessment_number, a.tax_satang, a.owner_id_number, a.agency.code, "created") for a in roll]


@pytest.mark.parametrize(
    ("today", "due"),
    [
        (datetime.date(2026, 1, 5), datetime.date(2026, 4, 30)),
        (datetime.date(2026, 4, 30), datetime.date(2026, 4, 30)),
        (datetime.date(2026, 5, 1), datetime.date(2026, 6, 30)),
        (datetime.date(2026, 11, 24), datetime.date(2027, 6, 30)),
    ],
)
def test_the_tax_is_due_on_30_april_or_else_the_next_30_june(
    today: datetime.date, due: datetime.date
) -> None:
    assert demo_world.land_tax_due_date(today) == due


def test_seed_demo_prints_a_ticket_to_look_up_and_a_second_run_adds_no_bill(seeded: str) -> None:
    assert "Look up a traffic fine at /payments/fines/: ticket TK6900000001, plate 1กข1234" in seeded
    assert (
        "Sign in as 1999900000021 (Somying Rakthai-Test) to see their tickets and land and building tax bills"
        " at /payments/"
    ) in seeded
    bills = list(Bill.objects.order_by("pk").values_list("reference", "state", "amount_satang"))
    output = StringIO()
    call_command("seed_demo", stdout=output)
    assert list(Bill.objects.order_by("pk").values_list("reference", "state", "amount_satang")) == bills
    assert "Demo world loaded (nothing new)." in output.getvalue()
