import datetime

import factory

from pracha.accounts.models import Business, BusinessAuthorisation, User
from pracha.core.thai_ids import make_valid_id

PASSWORD = "correct-horse-battery-staple"


def national_id_for(n: int) -> str:
    """Synthetic, checksum-valid national IDs that read as test data: 1-9999-xxxxx-xx-c."""
    return make_valid_id(f"19999{n:07d}")


def spelled(n: int, alphabet: str) -> str:
    """A sequence number written in letters, so generated names pass the name rules (no digits)."""
    return "".join(alphabet[int(digit)] for digit in str(n))


def juristic_number_for(n: int) -> str:
    return make_valid_id(f"09999{n:07d}")


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    national_id = factory.Sequence(lambda n: national_id_for(n + 1000))
    email = factory.Sequence(lambda n: f"person{n}@example.test")
    first_name_th = "สมชาย"
    last_name_th = factory.Sequence(lambda n: f"ทดสอบ{spelled(n, 'กขคงจฉชซฌญ')}")
    first_name_en = "Somchai"
    last_name_en = factory.Sequence(lambda n: f"Test-{spelled(n, 'abcdefghij')}")
    date_of_birth = datetime.date(1990, 1, 15)
    phone = "0812345678"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


class BusinessFactory(factory.django.DjangoModelFactory[Business]):
    class Meta:
        model = Business

    juristic_number = factory.Sequence(lambda n: juristic_number_for(n + 1000))
    name_th = factory.Sequence(lambda n: f"บริษัท ทดสอบ {n} จำกัด")
    name_en = factory.Sequence(lambda n: f"Test Company {n} Limited")


class BusinessAuthorisationFactory(factory.django.DjangoModelFactory[BusinessAuthorisation]):
    class Meta:
        model = BusinessAuthorisation

    business = factory.SubFactory(BusinessFactory)
    user = factory.SubFactory(UserFactory)
    role = BusinessAuthorisation.Role.DIRECTOR
