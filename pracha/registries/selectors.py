import datetime

from pracha.registries.models import JuristicPersonRecord, PopulationRecord


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


def juristic_person_directors(*, juristic_number: str) -> list[str]:
    record = JuristicPersonRecord.objects.filter(juristic_number=juristic_number).first()
    return list(record.director_national_ids) if record else []
