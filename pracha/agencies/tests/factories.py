import factory

from pracha.agencies.models import Agency, Membership, Role


class AgencyFactory(factory.django.DjangoModelFactory[Agency]):
    class Meta:
        model = Agency

    code = factory.Sequence(lambda n: f"agency-{n}")
    kind = Agency.Kind.DEPARTMENT
    name_th = factory.Sequence(lambda n: f"หน่วยงานทดสอบ {n}")
    name_en = factory.Sequence(lambda n: f"Test Agency {n}")


class RoleFactory(factory.django.DjangoModelFactory[Role]):
    class Meta:
        model = Role

    code = factory.Sequence(lambda n: f"role-{n}")
    name_th = factory.Sequence(lambda n: f"บทบาท {n}")
    name_en = factory.Sequence(lambda n: f"Role {n}")
    permissions: list[str] = []


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory("pracha.accounts.tests.factories.UserFactory")
    agency = factory.SubFactory(AgencyFactory)

    @factory.post_generation
    def roles(obj: Membership, create: bool, extracted: list[Role] | None, **kwargs: object) -> None:
        if create and extracted:
            obj.roles.set(extracted)
