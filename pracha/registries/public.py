"""What other apps may use of the base registers."""

from pracha.registries.models import JuristicPersonRecord, PopulationRecord
from pracha.registries.selectors import (
    juristic_person_directors,
    normalise_laser_code,
    population_record_matches,
)

__all__ = [
    "JuristicPersonRecord",
    "PopulationRecord",
    "juristic_person_directors",
    "normalise_laser_code",
    "population_record_matches",
]
