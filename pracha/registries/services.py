"""Changes to the registers that other apps ask for: a ticket or a tax assessment marked paid once the
payments app has taken the money. Each call runs inside the payer's transaction, so the register and
the payment commit together or not at all."""

import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from pracha.audit import public as audit
from pracha.core.errors import Conflict, NotFound
from pracha.registries.models import LandTaxAssessment, TrafficTicket
from pracha.registries.selectors import normalise_register_number


@transaction.atomic
def traffic_ticket_mark_paid(
    *, ticket_number: str, receipt_number: str, paid_at: datetime.datetime
) -> TrafficTicket:
    """Idempotent: the same receipt again changes nothing; another receipt for a paid ticket is refused,
    so a fine is never recorded as paid twice."""
    ticket = (
        TrafficTicket.objects.select_for_update()
        .filter(ticket_number=normalise_register_number(ticket_number))
        .first()
    )
    if ticket is None:
        raise NotFound(_("No traffic ticket has this number."))
    if ticket.paid_at is not None:
        if ticket.receipt_number == receipt_number:
            return ticket
        raise Conflict(_("This traffic ticket has already been paid."))
    ticket.paid_at, ticket.receipt_number = paid_at, receipt_number
    ticket.save(update_fields=["paid_at", "receipt_number", "updated_at"])
    audit.record(
        actor=None,
        action="registries.ticket_paid",
        target=ticket,
        payload={"ticket_number": ticket.ticket_number, "receipt_number": receipt_number},
    )
    return ticket


@transaction.atomic
def land_tax_mark_paid(
    *, assessment_number: str, receipt_number: str, paid_at: datetime.datetime
) -> LandTaxAssessment:
    """Idempotent like traffic_ticket_mark_paid."""
    assessment = (
        LandTaxAssessment.objects.select_for_update()
        .filter(assessment_number=normalise_register_number(assessment_number))
        .first()
    )
    if assessment is None:
        raise NotFound(_("No tax assessment has this number."))
    if assessment.paid_at is not None:
        if assessment.receipt_number == receipt_number:
            return assessment
        raise Conflict(_("This tax assessment has already been paid."))
    assessment.paid_at, assessment.receipt_number = paid_at, receipt_number
    assessment.save(update_fields=["paid_at", "receipt_number", "updated_at"])
    audit.record(
        actor=None,
        action="registries.land_tax_paid",
        target=assessment,
        payload={"assessment_number": assessment.assessment_number, "receipt_number": receipt_number},
    )
    return assessment
