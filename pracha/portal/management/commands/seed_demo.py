"""Load the synthetic demo world. Idempotent: records are created when missing and never changed,
so a second run creates nothing and writes no audit entry."""

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from pracha.accounts.public import Business, BusinessAuthorisation
from pracha.agencies.public import PERMISSIONS, Agency, Membership, Role
from pracha.audit import public as audit_log
from pracha.portal import demo_world
from pracha.registries.public import JuristicPersonRecord, PopulationRecord

Counts = dict[str, int]


class Command(BaseCommand):
    help = (
        "Load the demo agencies, officers, citizens and businesses (synthetic test data) and print sign-ins."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.PRACHA_DEMO:
            raise CommandError("The demo world is only for the dev and test profiles (PRACHA_DEMO is off).")
        with transaction.atomic():
            created: Counts = {}
            self._agencies(created)
            self._roles(created)
            self._people(created)
            self._businesses(created)
            if any(created.values()):
                audit_log.record(actor=None, action="portal.seed_demo", payload=created)
        call_command("load_services", stdout=self.stdout, stderr=self.stderr)
        summary = ", ".join(f"{count} {kind}" for kind, count in created.items() if count) or "nothing new"
        self.stdout.write(self.style.SUCCESS(f"Demo world loaded ({summary})."))
        self._print_sign_ins()

    def _count(self, created: Counts, kind: str, was_created: bool) -> None:
        created[kind] = created.get(kind, 0) + int(was_created)

    def _agencies(self, created: Counts) -> None:
        for item in demo_world.AGENCIES:
            parent = Agency.objects.get(code=item.parent) if item.parent else None
            _, was_created = Agency.objects.get_or_create(
                code=item.code,
                defaults={
                    "kind": item.kind,
                    "parent": parent,
                    "name_th": item.name_th,
                    "name_en": item.name_en,
                    "description_th": item.description_th,
                    "description_en": item.description_en,
                    "phone": "0 2000 0000",
                    "email": f"contact@{item.code}.demo.pracha.example",
                    "website": f"https://{item.code}.demo.pracha.example/",
                    "address_th": "ที่อยู่สำหรับการสาธิตเท่านั้น",
                    "address_en": "Demonstration address only",
                    "province": item.province,
                    "district": item.district,
                },
            )
            self._count(created, "agencies", was_created)

    def _roles(self, created: Counts) -> None:
        for code, (name_th, name_en, permissions) in demo_world.ROLES.items():
            unknown = set(permissions) - set(PERMISSIONS)
            if unknown:
                raise CommandError(f"Role {code} names unknown permissions: {sorted(unknown)}")
            _, was_created = Role.objects.get_or_create(
                code=code, defaults={"name_th": name_th, "name_en": name_en, "permissions": permissions}
            )
            self._count(created, "roles", was_created)

    def _people(self, created: Counts) -> None:
        user_model = get_user_model()
        for person in demo_world.PEOPLE:
            _, was_created = PopulationRecord.objects.get_or_create(
                national_id=person.national_id,
                defaults={
                    "title_th": person.title_th,
                    "first_name_th": person.first_name_th,
                    "last_name_th": person.last_name_th,
                    "first_name_en": person.first_name_en,
                    "last_name_en": person.last_name_en,
                    "date_of_birth": person.date_of_birth,
                    "laser_code": person.laser_code,
                    "house_address_th": f"บ้านเลขที่ {person.number} (ที่อยู่สาธิต)",
                    "province": "กรุงเทพมหานคร",
                    "district": person.district,
                },
            )
            self._count(created, "population records", was_created)
            if not person.has_account:
                continue
            user = user_model.objects.filter(national_id=person.national_id).first()
            if user is None:
                user = user_model.objects.create_user(
                    person.national_id,
                    person.email,
                    demo_world.DEMO_PASSWORD,
                    first_name_th=person.first_name_th,
                    last_name_th=person.last_name_th,
                    first_name_en=person.first_name_en,
                    last_name_en=person.last_name_en,
                    date_of_birth=person.date_of_birth,
                    phone=person.phone,
                    assurance_level=person.assurance_level,
                )
                EmailAddress.objects.create(user=user, email=person.email, verified=True, primary=True)
                self._count(created, "people", True)
            for agency_code, role_codes, title in person.memberships:
                membership, was_created = Membership.objects.get_or_create(
                    user=user, agency=Agency.objects.get(code=agency_code), defaults={"title": title}
                )
                # Added every time, so roles new to the demo world reach a database seeded before.
                membership.roles.add(*Role.objects.filter(code__in=role_codes))
                self._count(created, "memberships", was_created)
            if person.memberships:
                _, was_created = Authenticator.objects.get_or_create(
                    user=user,
                    type=Authenticator.Type.TOTP,
                    defaults={"data": {"secret": self._totp_secret(person)}},
                )
                self._count(created, "authenticators", was_created)

    def _businesses(self, created: Counts) -> None:
        people = {person.number: person for person in demo_world.PEOPLE}
        user_model = get_user_model()
        for item in demo_world.BUSINESSES:
            directors = [people[number].national_id for number in item.director_numbers]
            _, was_created = JuristicPersonRecord.objects.get_or_create(
                juristic_number=item.juristic_number,
                defaults={
                    "name_th": item.name_th,
                    "name_en": item.name_en,
                    "registered_on": item.registered_on,
                    "director_national_ids": directors,
                },
            )
            self._count(created, "juristic records", was_created)
            business, was_created = Business.objects.get_or_create(
                juristic_number=item.juristic_number,
                defaults={"name_th": item.name_th, "name_en": item.name_en},
            )
            self._count(created, "businesses", was_created)
            for user in user_model.objects.filter(national_id__in=directors):
                _, was_created = BusinessAuthorisation.objects.get_or_create(
                    business=business, user=user, defaults={"role": BusinessAuthorisation.Role.DIRECTOR}
                )
                self._count(created, "business authorisations", was_created)

    @staticmethod
    def _totp_secret(person: demo_world.DemoPerson) -> str:
        officers = [p for p in demo_world.PEOPLE if p.memberships]
        return demo_world.DEMO_TOTP_SECRETS[officers.index(person) % len(demo_world.DEMO_TOTP_SECRETS)]

    def _print_sign_ins(self) -> None:
        write = self.stdout.write
        write("")
        write("Demo sign-ins (synthetic test data) — password for every account: " + demo_world.DEMO_PASSWORD)
        write("  Citizens (sign in with the national ID number):")
        for person in demo_world.PEOPLE:
            if person.has_account and not person.memberships:
                businesses = [b.name_en for b in demo_world.BUSINESSES if person.number in b.director_numbers]
                acts_for = f"  acts for: {', '.join(businesses)}" if businesses else ""
                write(f"    {person.national_id}  {person.first_name_en} {person.last_name_en}{acts_for}")
        write(
            "  Officers (sign in, then enter the 6-digit code of an authenticator app set up with the secret;"
        )
        write("            `python manage.py demo_totp NATIONAL_ID` prints the current code):")
        for person in demo_world.PEOPLE:
            for agency_code, roles, _title in person.memberships[:1]:
                write(
                    f"    {person.national_id}  {person.first_name_en} {person.last_name_en}"
                    f"  {agency_code}: {', '.join(roles)}  TOTP secret {self._totp_secret(person)}"
                )
        write("  Not yet signed up (sign up as one of these, then verify your identity with the laser code):")
        for person in demo_world.PEOPLE:
            if not person.has_account:
                write(
                    f"    {person.national_id}  {person.first_name_th} {person.last_name_th}"
                    f"  born {person.date_of_birth:%Y-%m-%d}  laser code {person.laser_code}"
                )
