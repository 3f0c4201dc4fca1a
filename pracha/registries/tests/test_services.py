"""Marking a ticket or a tax assessment paid: once, with the receipt that paid it, audited; the same
receipt again is a no-op and another receipt is refused without changing anything."""

import datetime

import pytest
from django.utils import timezone

from pracha.audit.public import AuditEntry
from pracha.core.errors import Conflict, NotFound
from pracha.registries import services
from pracha.registries.models import LandTaxAssessment, TrafficTicket
from pracha.registries.tests.factories import LandTaxAssessmentFactory, TrafficTicketFactory

pytestmark = pytest.mark.django_db

PAID_AT = datetime.datetime(2026, 3, 2, 3, 4, 5, tzinfo=datetime.UTC)


def audit_rows(action: str) -> list[tuple[str, str, str, dict[str, str]]]:
    return list(
        AuditEntry.objects.filter(action=action).values_list(
            "actor_id", "target_type", "target_id", "payload"
        )
    )


def test_a_ticket_is_marked_paid_with_its_receipt_and_audited() -> None:
    ticket = TrafficTicketFactory.create(ticket_number="TK6900000001")
    marked = services.traffic_ticket_mark_paid(
        ticket_number="tk6900000001", receipt_number="RC-RTP-2569-000001", paid_at=PAID_AT
    )
    assert marked.pk == ticket.pk
    ticket.refresh_from_db()
    assert (ticket.paid_at, ticket.receipt_number) == (PAID_AT, "RC-RTP-2569-000001")
    assert audit_rows("registries.ticket_paid") == [
        (
            "",
            "registries.trafficticket",
            "TK6900000001",
            {"ticket_number": "TK6900000001", "receipt_number": "RC-RTP-2569-000001"},
        )
    ]


def test_marking_a_ticket_paid_again_with_the_same_receipt_changes_nothing() -> None:
    TrafficTicketFactory.create(ticket_number="TK6900000001")
    services.traffic_ticket_mark_paid(
        ticket_number="TK6900000001", receipt_number="RC-RTP-2569-000001", paid_at=PAID_AT
    )
    services.traffic_ticket_mark_paid(
        ticket_number="TK6900000001",
        receipt_number="RC-RTP-2569-000001",
        paid_at=PAID_AT + datetime.timedelta(hours=1),
    )
    ticket = TrafficTicket.objects.get()
    assert (ticket.paid_at, ticket.receipt_number) == (PAID_AT, "RC-RTP-2569-000001")
    assert AuditEntry.objects.filter(action="registries.ticket_paid").count() == 1


def test_a_paid_ticket_refuses_another_receipt_and_stays_as_it_was() -> None:
    TrafficTicketFactory.create(
        ticket_number="TK6900000001", paid_at=PAID_AT, receipt_number="RC-RTP-2569-000001"
    )
    with pytest.raises(Conflict) as refused:
        services.traffic_ticket_mark_paid(
            ticket_number="TK6900000001", receipt_number="RC-RTP-2569-000002", paid_at=timezone.now()
        )
    assert str(refused.value) == "This traffic ticket has already been paid."
    ticket = TrafficTicket.objects.get()
    assert (ticket.paid_at, ticket.receipt_number) == (PAID_AT, "RC-RTP-2569-000001")
    assert not AuditEntry.objects.filter(action="registries.ticket_paid").exists()


def test_an_unknown_ticket_is_not_found() -> None:
    with pytest.raises(NotFound):
        services.traffic_ticket_mark_paid(
            ticket_number="TK6999999999", receipt_number="RC-RTP-2569-000001", paid_at=PAID_AT
        )
    assert not AuditEntry.objects.exists()


def test_an_assessment_is_marked_paid_with_its_receipt_and_audited() -> None:
    assessment = LandTaxAssessmentFactory.create(assessment_number="LT-2569-000001")
    services.land_tax_mark_paid(
        assessment_number="LT-2569-000001", receipt_number="RC-BMA-BANG-RAK-2569-000001", paid_at=PAID_AT
    )
    assessment.refresh_from_db()
    assert (assessment.paid_at, assessment.receipt_number) == (PAID_AT, "RC-BMA-BANG-RAK-2569-000001")
    assert audit_rows("registries.land_tax_paid") == [
        (
            "",
            "registries.landtaxassessment",
            "LT-2569-000001",
            {"assessment_number": "LT-2569-000001", "receipt_number": "RC-BMA-BANG-RAK-2569-000001"},
        )
    ]
    # The same receipt again: nothing more.
    services.land_tax_mark_paid(
        assessment_number="LT-2569-000001",
        receipt_number="RC-BMA-BANG-RAK-2569-000001",
        paid_at=timezone.now(),
    )
    assert AuditEntry.objects.filter(action="registries.land_tax_paid").count() == 1


def test_a_paid_assessment_refuses_another_receipt_and_stays_as_it_was() -> None:
    LandTaxAssessmentFactory.create(
        assessment_number="LT-2569-000001", paid_at=PAID_AT, receipt_number="RC-BMA-BANG-RAK-2569-000001"
    )
    with pytest.raises(Conflict) as refused:
        services.land_tax_mark_paid(
            assessment_number="LT-2569-000001", receipt_number="RC-BMA-BANG-RAK-2569-000009", paid_at=PAID_AT
        )
    assert str(refused.value) == "This tax assessment has already been paid."
    assessment = LandTaxAssessment.objects.get()
    assert assessment.receipt_number == "RC-BMA-BANG-RAK-2569-000001"
    assert not AuditEntry.objects.filter(action="registries.land_tax_paid").exists()


def test_an_unknown_assessment_is_not_found() -> None:
    with pytest.raises(NotFound):
        services.land_tax_mark_paid(
            assessment_number="LT-2569-999999", receipt_number="RC-BMA-2569-000001", paid_at=PAID_AT
        )
    assert not AuditEntry.objects.exists()
