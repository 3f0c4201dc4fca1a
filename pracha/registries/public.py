"""What other apps may use of the base registers."""

from pracha.registries.models import (
    JuristicPersonRecord,
    LandTaxAssessment,
    PopulationRecord,
    TrafficTicket,
)
from pracha.registries.selectors import (
    land_tax_assessment_get,
    normalise_laser_code,
    normalise_plate,
    population_record_matches,
    traffic_ticket_get,
    traffic_tickets_against,
    unpaid_land_tax_assessments,
)
from pracha.registries.services import land_tax_mark_paid, traffic_ticket_mark_paid

__all__ = [
    "JuristicPersonRecord",
    "LandTaxAssessment",
    "PopulationRecord",
    "TrafficTicket",
    "land_tax_assessment_get",
    "land_tax_mark_paid",
    "normalise_laser_code",
    "normalise_plate",
    "population_record_matches",
    "traffic_ticket_get",
    "traffic_ticket_mark_paid",
    "traffic_tickets_against",
    "unpaid_land_tax_assessments",
]
