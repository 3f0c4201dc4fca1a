"""Reading the traffic-ticket register and the land tax roll: numbers and plates are found however a
person types them, and each list holds exactly one person's records."""

import datetime
from typing import Any

import pytest
from django.utils import timezone

from pracha.registries import selectors
from pracha.registries.tests.factories import LandTaxAssessmentFactory, TrafficTicketFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1กข1234", "1กข1234"),
        (" 1 กข 1234 ", "1กข1234"),
        ("1กข-1234", "1กข1234"),
        ("1-กข.1234", "1กข1234"),
        ("๑กข๑๒๓๔", "1กข1234"),
        ("ab 12-34", "AB1234"),
        ("", ""),
    ],
)
def test_normalise_plate_keeps_letters_and_digits_only(raw: str, expected: str) -> None:
    assert selectors.normalise_plate(raw) == expected


def test_a_ticket_is_found_by_its_number_in_any_case_and_with_spaces_around() -> None:
    ticket = TrafficTicketFactory.create(ticket_number="TK6900000001")
    TrafficTicketFactory.create(ticket_number="TK6900000002")
    assert selectors.traffic_ticket_get(ticket_number=" tk6900000001 ") == ticket
    assert selectors.traffic_ticket_get(ticket_number="TK6900000001") == ticket
    assert selectors.traffic_ticket_get(ticket_number="TK6900000009") is None
    assert selectors.traffic_ticket_get(ticket_number="") is None


def test_tickets_against_a_person_are_theirs_only_newest_first() -> None:
    now = timezone.now()
    older = TrafficTicketFactory.create(
        offender_national_id="1999900000021", issued_at=now - datetime.timedelta(days=9)
    )
    newer = TrafficTicketFactory.create(
        offender_national_id="1999900000021",
        issued_at=now - datetime.timedelta(days=2),
        paid_at=now,
        receipt_number="RC-RTP-2569-000001",
    )
    TrafficTicketFactory.create(offender_national_id="1999900000030")
    assert selectors.traffic_tickets_against(national_id="1999900000021") == [newer, older]
    assert selectors.traffic_tickets_against(national_id="1999900000048") == []
    assert selectors.traffic_tickets_against(national_id="") == []


def test_assessments_of_an_owner_are_theirs_only_latest_year_first() -> None:
    this_year = LandTaxAssessmentFactory.create(
        assessment_number="LT-2569-000002", tax_year=2569, owner_id_number="0999900000011"
    )
    last_year = LandTaxAssessmentFactory.create(
        assessment_number="LT-2568-000001", tax_year=2568, owner_id_number="0999900000011"
    )
    LandTaxAssessmentFactory.create(owner_id_number="1999900000021")
    assert selectors.land_tax_assessments_of(owner_id_number="0999900000011") == [this_year, last_year]
    assert selectors.land_tax_assessments_of(owner_id_number="") == []


def test_an_assessment_is_found_by_its_number_in_any_case() -> None:
    assessment = LandTaxAssessmentFactory.create(assessment_number="LT-2569-000001")
    assert selectors.land_tax_assessment_get(assessment_number=" lt-2569-000001") == assessment
    assert selectors.land_tax_assessment_get(assessment_number="LT-2569-000009") is None


def test_unpaid_assessments_leave_out_the_paid_ones_and_filter_by_year() -> None:
    unpaid_2569 = LandTaxAssessmentFactory.create(assessment_number="LT-2569-000001", tax_year=2569)
    unpaid_2568 = LandTaxAssessmentFactory.create(assessment_number="LT-2568-000001", tax_year=2568)
    LandTaxAssessmentFactory.create(
        assessment_number="LT-2569-000002",
        tax_year=2569,
        paid_at=timezone.now(),
        receipt_number="RC-BMA-BANG-RAK-2569-000001",
    )
    assert selectors.unpaid_land_tax_assessments() == [unpaid_2568, unpaid_2569]
    assert selectors.unpaid_land_tax_assessments(tax_year=2569) == [unpaid_2569]
    assert selectors.unpaid_land_tax_assessments(tax_year=2570) == []


def test_the_lists_do_not_query_the_agency_again_for_each_row(django_assert_num_queries: Any) -> None:
    TrafficTicketFactory.create_batch(3, offender_national_id="1999900000021")
    with django_assert_num_queries(1):
        names = [t.agency.code for t in selectors.traffic_tickets_against(national_id="1999900000021")]
    assert len(names) == 3
