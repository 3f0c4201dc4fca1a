import datetime

import factory
from django.utils import timezone

from pracha.agencies.tests.factories import AgencyFactory
from pracha.core.thai_ids import make_valid_id
from pracha.registries.models import LandTaxAssessment, TrafficTicket


class TrafficTicketFactory(factory.django.DjangoModelFactory[TrafficTicket]):
    class Meta:
        model = TrafficTicket

    ticket_number = factory.Sequence(lambda n: f"TK69{n:08d}")
    plate = factory.Sequence(lambda n: f"1กข{n % 10000:04d}")
    plate_province = "กรุงเทพมหานคร"
    offender_national_id = factory.Sequence(lambda n: make_valid_id(f"19999{n + 5000:07d}"))
    offender_name = "นาย ทดสอบ ขับรถทดสอบ"
    offence_th = "ขับรถเร็วเกินกำหนด"
    offence_en = "Speeding"
    place_th = "ถนนสีลม"
    place_en = "Silom Road"
    issued_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=3))
    fine_satang = 50000
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=27))
    agency = factory.SubFactory(AgencyFactory)


class LandTaxAssessmentFactory(factory.django.DjangoModelFactory[LandTaxAssessment]):
    class Meta:
        model = LandTaxAssessment

    assessment_number = factory.Sequence(lambda n: f"LT-2569-{n + 1:06d}")
    tax_year = 2569
    owner_id_number = factory.Sequence(lambda n: make_valid_id(f"19999{n + 6000:07d}"))
    owner_name = "นาง ทดสอบ เจ้าของทดสอบ"
    property_th = "บ้านเดี่ยว โฉนดเลขที่ 1234 แขวงสีลม เขตบางรัก"
    property_en = "Detached house, title deed 1234, Si Lom, Bang Rak"
    use = LandTaxAssessment.Use.RESIDENCE
    appraised_value_satang = 500_000_000
    tax_satang = 100_000
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    agency = factory.SubFactory(AgencyFactory)
