import datetime
import unicodedata

from pracha.registries.models import (
    LandTaxAssessment,
    PopulationRecord,
    TrafficTicket,
)


def normalise_laser_code(raw: str) -> str:
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def population_record_matches(
    *,
    national_id: str,
    first_name_th: str,
    last_name_th: str,
    date_of_birth: datetime.date,
    laser_code: str,
) -> bool:
    """True only when every detail matches one record; says nothing about which one differed,
    so the check cannot be used to find out a stranger's details piece by piece."""
    record = PopulationRecord.objects.filter(national_id=national_id).first()
    if record is None:
        return False
    return (
        record.first_name_th.strip() == first_name_th.strip()
        and record.last_name_th.strip() == last_name_th.strip()
        and record.date_of_birth == date_of_birth
        and record.laser_code == normalise_laser_code(laser_code)
    )


# --- traffic tickets ----------------------------------------------------------------------------------


def normalise_plate(raw: str) -> str:
    """A plate as the register stores it: "1 กข-1234" and "1กข 1234" are both 1กข1234. Thai digits
    count as digits; Latin letters are upper-cased; spaces, dashes, dots and anything else go."""
    kept = []
    for ch in raw.strip():
        if ch.isdigit():
            kept.append(str(unicodedata.digit(ch)))
        elif ch.isalpha():
            kept.append(ch.upper())
    return "".join(kept)


def normalise_register_number(raw: str) -> str:
    """Ticket and assessment numbers as stored: TK6900000001, LT-2569-000001."""
    return raw.strip().upper()


def traffic_ticket_get(*, ticket_number: str) -> TrafficTicket | None:
    return (
        TrafficTicket.objects.select_related("agency")
        .filter(ticket_number=normalise_register_number(ticket_number))
        .first()
    )


def traffic_tickets_against(*, national_id: str) -> list[TrafficTicket]:
    """Every ticket against this person, newest first, paid or not."""
    if not national_id:
        return []
    return list(TrafficTicket.objects.select_related("agency").filter(offender_national_id=national_id))


# --- the land and building tax roll -------------------------------------------------------------------


def land_tax_assessments_of(*, owner_id_number: str) -> list[LandTaxAssessment]:
    """Every assessment of this owner (a person or a business), latest tax year first."""
    if not owner_id_number:
        return []
    return list(LandTaxAssessment.objects.select_related("agency").filter(owner_id_number=owner_id_number))


def land_tax_assessment_get(*, assessment_number: str) -> LandTaxAssessment | None:
    return (
        LandTaxAssessment.objects.select_related("agency")
        .filter(assessment_number=normalise_register_number(assessment_number))
        .first()
    )


def unpaid_land_tax_assessments(*, tax_year: int | None = None) -> list[LandTaxAssessment]:
    assessments = LandTaxAssessment.objects.select_related("agency").filter(paid_at__isnull=True)
    if tax_year is not None:
        assessments = assessments.filter(tax_year=tax_year)
    return list(assessments.order_by("tax_year", "assessment_number"))
