"""Load the synthetic demo world. Idempotent: records are created when missing and never changed
(a role only gains the permissions the demo world has added since), so a second run creates nothing
and writes no audit entry."""

import datetime
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from pracha.accounts.public import Business, BusinessAuthorisation
from pracha.agencies.public import PERMISSIONS, Agency, Membership, Role
from pracha.audit import public as audit_log
from pracha.core.thai_dates import buddhist_year
from pracha.core.working_days import local_today
from pracha.notifications import public as notifications
from pracha.payments.public import services as payment_services
from pracha.portal import demo_world
from pracha.registries.public import (
    JuristicPersonRecord,
    LandTaxAssessment,
    PopulationRecord,
    TrafficTicket,
)

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
            self._traffic_tickets(created)
            self._land_tax_roll(created)
            if any(created.values()):
                audit_log.record(actor=None, action="portal.seed_demo", payload=created)
        call_command("load_services", stdout=self.stdout, stderr=self.stderr)
        # Through the payments service, as the tax office would: one bill per unpaid assessment.
        created["land tax bills"] = payment_services.land_tax_bills_issue()
        summary = ", ".join(f"{count} {kind}" for kind, count in created.items() if count) or "nothing new"
        self.stdout.write(self.style.SUCCESS(f"Demo world loaded ({summary})."))
        self._print_sign_ins()
        self._print_payments()
        self._print_messages()

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
            role, was_created = Role.objects.get_or_create(
                code=code, defaults={"name_th": name_th, "name_en": name_en, "permissions": permissions}
            )
            self._count(created, "roles", was_created)
            # A database seeded before gains what the demo world has added to a role since.
            missing = [permission for permission in permissions if permission not in role.permissions]
            if missing:
                role.permissions = [*role.permissions, *missing]
                role.save(update_fields=["permissions"])
                self._count(created, "role permissions", True)

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
                    verified_at=timezone.now() if person.assurance_level == "verified" else None,
                )
                EmailAddress.objects.create(user=user, email=person.email, verified=True, primary=True)
                self._count(created, "people", True)
            self._messaging(created, user, person)
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

    def _messaging(self, created: Counts, user: Any, person: demo_world.DemoPerson) -> None:
        """Their e-mail and phone, confirmed, so the demo's messages arrive by e-mail and SMS too; and
        the language they read messages in. A contact already confirmed is left as it is."""
        contacts = notifications.contacts_for(user=user)
        for channel, address in ((notifications.EMAIL, person.email), (notifications.SMS, person.phone)):
            contact = contacts.get(channel)
            if contact is None or not contact.address:
                notifications.contact_confirmed(user=user, channel=channel, address=address)
                self._count(created, "confirmed contacts", True)
        if notifications.language_for(user=user) != person.language:
            # Set by the platform, not chosen by the person: audited without an actor.
            notifications.profile_language_set(user=user, language=person.language)
            self._count(created, "message languages", True)

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

    def _traffic_tickets(self, created: Counts) -> None:
        people = {person.number: person for person in demo_world.PEOPLE}
        police = Agency.objects.get(code="rtp")
        today = local_today()
        for item in demo_world.TICKETS:
            offender = people[item.offender]
            issued_on = today - datetime.timedelta(days=item.issued_days_ago)
            issued_at = timezone.make_aware(datetime.datetime.combine(issued_on, datetime.time(8, 35)))
            _, was_created = TrafficTicket.objects.get_or_create(
                ticket_number=item.number,
                defaults={
                    "plate": item.plate,
                    "plate_province": "กรุงเทพมหานคร",
                    "offender_national_id": offender.national_id,
                    "offender_name": f"{offender.title_th}{offender.first_name_th} {offender.last_name_th}",
                    "offence_th": item.offence_th,
                    "offence_en": item.offence_en,
                    "place_th": item.place_th,
                    "place_en": item.place_en,
                    "issued_at": issued_at,
                    "fine_satang": item.fine_baht * 100,
                    "due_date": issued_on + datetime.timedelta(days=demo_world.TICKET_DAYS_TO_PAY),
                    "agency": police,
                    "paid_at": issued_at + datetime.timedelta(days=2) if item.paid_receipt else None,
                    "receipt_number": item.paid_receipt,
                },
            )
            self._count(created, "traffic tickets", was_created)

    def _land_tax_roll(self, created: Counts) -> None:
        people = {person.number: person for person in demo_world.PEOPLE}
        businesses = {business.number: business for business in demo_world.BUSINESSES}
        today = local_today()
        tax_year = buddhist_year(today)
        for item in demo_world.LAND_TAX_ROLL:
            if item.owner_person is not None:
                person = people[item.owner_person]
                owner_id = person.national_id
                owner_name = f"{person.title_th}{person.first_name_th} {person.last_name_th}"
            else:
                assert item.owner_business is not None
                business = businesses[item.owner_business]
                owner_id, owner_name = business.juristic_number, business.name_th
            _, was_created = LandTaxAssessment.objects.get_or_create(
                assessment_number=f"LT-{tax_year}-{item.serial:06d}",
                defaults={
                    "tax_year": tax_year,
                    "owner_id_number": owner_id,
                    "owner_name": owner_name,
                    "property_th": item.property_th,
                    "property_en": item.property_en,
                    "use": item.use,
                    "appraised_value_satang": item.appraised_baht * 100,
                    "tax_satang": item.tax_satang,
                    "due_date": demo_world.land_tax_due_date(today),
                    "agency": Agency.objects.get(code=item.agency),
                },
            )
            self._count(created, "land tax assessments", was_created)

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
            if person.memberships:
                where = "; ".join(f"{code}: {', '.join(roles)}" for code, roles, _title in person.memberships)
                write(
                    f"    {person.national_id}  {person.first_name_en} {person.last_name_en}"
                    f"  {where}  TOTP secret {self._totp_secret(person)}"
                )
        write("  Not yet signed up (sign up as one of these, then verify your identity with the laser code):")
        for person in demo_world.PEOPLE:
            if not person.has_account:
                write(
                    f"    {person.national_id}  {person.first_name_th} {person.last_name_th}"
                    f"  born {person.date_of_birth:%Y-%m-%d}  laser code {person.laser_code}"
                )

    def _print_payments(self) -> None:
        write = self.stdout.write
        ticket = next(item for item in demo_world.TICKETS if not item.paid_receipt)
        write("  Payments (illustrative amounts; pay through the simulated bank or at a counter):")
        write(f"    Look up a traffic fine at /payments/fines/: ticket {ticket.number}, plate {ticket.plate}")
        payer = next(person for person in demo_world.PEOPLE if person.number == ticket.offender)
        write(
            f"    Sign in as {payer.national_id} ({payer.first_name_en} {payer.last_name_en}) to see their"
            " tickets and land and building tax bills at /payments/"
        )

    def _print_messages(self) -> None:
        write = self.stdout.write
        write(
            "  Messages (every demo person's e-mail and phone are confirmed; person 3 reads them in English):"
        )
        write("    In-app: the inbox of the person signed in")
        if settings.PRACHA_MAIL_CATCHER_URL:
            write(f"    E-mail: the local mail catch-all at {settings.PRACHA_MAIL_CATCHER_URL}")
        if settings.PRACHA_SMS_GATEWAY_URL:
            write(f"    SMS: the SMS gateway simulator at {settings.PRACHA_SMS_GATEWAY_URL}")
