"""The prod profile refuses to start half-configured; the demo world loads once and only where allowed."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from pracha.accounts.public import Business, BusinessAuthorisation, User
from pracha.agencies.public import Agency, Membership, Role
from pracha.audit.public import AuditEntry, chain_verify
from pracha.catalogue.management.commands.load_services import DEFINITIONS_DIR
from pracha.core.thai_ids import validate_juristic_number, validate_national_id
from pracha.notifications.public import Contact, contacts_for, language_for
from pracha.payments.public import Bill
from pracha.portal import demo_world
from pracha.registries.public import JuristicPersonRecord, LandTaxAssessment, PopulationRecord, TrafficTicket

GOOD_PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "pracha.settings.prod",
    "DJANGO_SECRET_KEY": "k" * 50,
    "DJANGO_ALLOWED_HOSTS": "pracha.example",
    "DATABASE_URL": "postgresql://pracha@127.0.0.1:5432/pracha",
    "PRACHA_SIGNING_ROOT": "/srv/pracha/signing",
    "PRACHA_SITE_URL": "https://pracha.example",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


@pytest.fixture(scope="module")
def billers_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("prod") / "billers.json"
    path.write_text(
        json.dumps({"bma": {"biller_id": "099999000000100", "secret": "s" * 40}}), encoding="utf-8"
    )
    return path


def start_prod(billers_file: Path, **changes: str | None) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            (
                "DJANGO_",
                "DATABASE_",
                "PRACHA_BILLERS_",
                "PRACHA_SIGNING_",
                "PRACHA_SITE_",
                "PRACHA_SMS_",
                "REDIS_",
            )
        )
    }
    env.update(GOOD_PROD_ENV)
    env["PRACHA_BILLERS_FILE"] = str(billers_file)
    for key, value in changes.items():
        if value is None:
            env.pop(key)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_prod_starts_with_a_secret_key_allowed_hosts_a_database_url_and_billers(billers_file):
    result = start_prod(billers_file)
    assert (result.returncode, result.stdout) == (0, "started\n")


def test_prod_starts_with_a_real_sms_gateway_and_its_own_token(billers_file):
    result = start_prod(
        billers_file, PRACHA_SMS_GATEWAY_URL="https://sms.example/", PRACHA_SMS_GATEWAY_TOKEN="t" * 32
    )
    assert (result.returncode, result.stdout) == (0, "started\n")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"DJANGO_SECRET_KEY": None}, "The environment variable DJANGO_SECRET_KEY must be set."),
        ({"DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY must be at least 50 random characters."),
        ({"DJANGO_ALLOWED_HOSTS": None}, "DJANGO_ALLOWED_HOSTS must list the site's host names (not *)."),
        ({"DJANGO_ALLOWED_HOSTS": "*"}, "DJANGO_ALLOWED_HOSTS must list the site's host names (not *)."),
        ({"DATABASE_URL": None}, "The environment variable DATABASE_URL must be set."),
        ({"PRACHA_BILLERS_FILE": None}, "The environment variable PRACHA_BILLERS_FILE must be set."),
        ({"PRACHA_SIGNING_ROOT": None}, "The environment variable PRACHA_SIGNING_ROOT must be set."),
        ({"PRACHA_SITE_URL": None}, "The environment variable PRACHA_SITE_URL must be set."),
        ({"REDIS_URL": None}, "The environment variable REDIS_URL must be set."),
        (
            {"PRACHA_SMS_GATEWAY_URL": "https://sms.example/"},
            "The environment variable PRACHA_SMS_GATEWAY_TOKEN must be set.",
        ),
        (
            {
                "PRACHA_SMS_GATEWAY_URL": "https://sms.example/",
                "PRACHA_SMS_GATEWAY_TOKEN": "demo-only-sms-token",
            },
            "PRACHA_SMS_GATEWAY_TOKEN must be the gateway's own token of at least 32 characters, "
            "not the demo one.",
        ),
    ],
)
def test_prod_refuses_to_start_without_each_required_setting(billers_file, changes, message):
    result = start_prod(billers_file, **changes)
    assert result.returncode == 1
    assert f"django.core.exceptions.ImproperlyConfigured: {message}" in result.stderr


def row_counts() -> dict[str, int]:
    models = [Agency, Role, Membership, User, Business, BusinessAuthorisation, PopulationRecord]
    counts = {model.__name__: model._default_manager.count() for model in models}
    counts["JuristicPersonRecord"] = JuristicPersonRecord.objects.count()
    counts["TrafficTicket"] = TrafficTicket.objects.count()
    counts["LandTaxAssessment"] = LandTaxAssessment.objects.count()
    counts["Bill"] = Bill.objects.count()
    counts["AuditEntry"] = AuditEntry.objects.count()
    counts["Contact"] = Contact.objects.count()
    return counts


@pytest.mark.django_db
def test_seed_demo_loads_the_world_once_and_a_second_run_changes_nothing():
    call_command("seed_demo", stdout=StringIO())
    first = row_counts()
    officers = [person for person in demo_world.PEOPLE if person.memberships]
    with_accounts = sum(person.has_account for person in demo_world.PEOPLE)
    assert first == {
        "Agency": len(demo_world.AGENCIES),
        "Role": len(demo_world.ROLES),
        "Membership": sum(len(person.memberships) for person in officers),
        "User": sum(person.has_account for person in demo_world.PEOPLE),
        "Business": len(demo_world.BUSINESSES),
        "BusinessAuthorisation": 7,
        "PopulationRecord": len(demo_world.PEOPLE),
        "JuristicPersonRecord": len(demo_world.BUSINESSES),
        "TrafficTicket": len(demo_world.TICKETS),
        "LandTaxAssessment": len(demo_world.LAND_TAX_ROLL),
        # One land and building tax bill per assessment (all unpaid); tickets are billed when looked up.
        "Bill": len(demo_world.LAND_TAX_ROLL),
        # seed_demo's own entry, each person's confirmed e-mail and phone, person 3's English for messages
        # (set by the platform), a saved and a published version for each service definition, and each
        # tax bill's creation.
        "AuditEntry": 1
        + 2 * with_accounts
        + 1
        + 2 * len(list(DEFINITIONS_DIR.glob("*.yaml")))
        + len(demo_world.LAND_TAX_ROLL),
        "Contact": 2 * with_accounts,
    }
    snapshot = list(User.objects.order_by("pk").values_list("national_id", "password", "last_login"))

    output = StringIO()
    call_command("seed_demo", stdout=output)

    assert row_counts() == first
    assert list(User.objects.order_by("pk").values_list("national_id", "password", "last_login")) == snapshot
    assert "Demo world loaded (nothing new)." in output.getvalue()
    assert chain_verify().ok is True


@pytest.mark.django_db
def test_demo_people_are_checksum_valid_and_match_their_register_records():
    call_command("seed_demo", stdout=StringIO())
    for user in User.objects.all():
        assert validate_national_id(user.national_id) == user.national_id
        record = PopulationRecord.objects.get(national_id=user.national_id)
        assert (record.first_name_th, record.last_name_th, record.date_of_birth) == (
            user.first_name_th,
            user.last_name_th,
            user.date_of_birth,
        )
        assert user.last_name_th.endswith("ทดสอบ")
        # A verified person's account says when; an unverified one has no date.
        assert (user.verified_at is not None) == (user.assurance_level == "verified")
    assert User.objects.filter(assurance_level="verified").count() == User.objects.count() - 5
    for business in Business.objects.all():
        assert validate_juristic_number(business.juristic_number) == business.juristic_number
    assert User.objects.get(national_id="1999900001079").check_password(demo_world.DEMO_PASSWORD)


@pytest.mark.django_db
def test_demo_people_have_their_e_mail_and_phone_confirmed_for_messages():
    call_command("seed_demo", stdout=StringIO())
    for person in demo_world.PEOPLE:
        if not person.has_account:
            continue
        user = User.objects.get(national_id=person.national_id)
        contacts = contacts_for(user=user)
        assert {channel: (contact.address, contact.pending_address) for channel, contact in contacts.items()
                if contact is not None} == {
            "email": (person.email, ""),
            "sms": (f"+668{person.number:08d}", ""),
        }  # fmt: skip
        assert language_for(user=user) == ("en" if person.number == 3 else "th")
    # The platform set person 3's language: the audit log does not say they chose it.
    [language] = AuditEntry.objects.filter(action__startswith="notifications.").exclude(
        action="notifications.contact_confirmed"
    )
    assert (language.action, language.actor_id, language.payload) == (
        "notifications.profile_language",
        "",
        {"language": "en", "source": "platform"},
    )


@pytest.mark.django_db
def test_seeding_again_leaves_a_changed_contact_and_language_as_they_are():
    call_command("seed_demo", stdout=StringIO())
    user = User.objects.get(national_id=demo_world.PEOPLE[0].national_id)
    Contact.objects.filter(user=user, channel="email").update(address="somchai@elsewhere.example")

    output = StringIO()
    call_command("seed_demo", stdout=output)

    assert contacts_for(user=user)["email"].address == "somchai@elsewhere.example"
    assert "Demo world loaded (nothing new)." in output.getvalue()


@pytest.mark.django_db
def test_demo_roles_carry_the_notification_permissions():
    call_command("seed_demo", stdout=StringIO())
    permissions = dict(Role.objects.values_list("code", "permissions"))
    assert {"notifications.view", "notifications.keys"} <= set(permissions["agency-admin"])
    assert "notifications.view" in permissions["approver"]
    assert "notifications.view" in permissions["finance-officer"]
    editor = Role.objects.get(code="message-editor")
    assert (editor.name_th, editor.name_en, editor.permissions) == (
        "ผู้ดูแลข้อความแจ้งเตือน", "Message template editor", ["notifications.templates"],
    )  # fmt: skip
    officer = User.objects.get(national_id=next(p for p in demo_world.PEOPLE if p.number == 107).national_id)
    roles = Membership.objects.get(user=officer, agency__code="dga").roles.values_list("code", flat=True)
    assert set(roles) == {"agency-admin", "catalogue-editor", "message-editor"}


@pytest.mark.django_db
def test_a_role_seeded_before_gains_the_notification_permissions():
    call_command("seed_demo", stdout=StringIO())
    Role.objects.filter(code="approver").update(
        permissions=["applications.review", "applications.decide", "documents.revoke"]
    )

    output = StringIO()
    call_command("seed_demo", stdout=output)

    assert "notifications.view" in Role.objects.get(code="approver").permissions
    assert "Demo world loaded (1 role permissions)." in output.getvalue()


@pytest.mark.django_db
@override_settings(
    PRACHA_MAIL_CATCHER_URL="http://127.0.0.1:8025/", PRACHA_SMS_GATEWAY_URL="http://127.0.0.1:8020/"
)
def test_seed_demo_says_where_to_see_the_messages():
    output = StringIO()
    call_command("seed_demo", stdout=output)
    assert "    E-mail: the local mail catch-all at http://127.0.0.1:8025/\n" in output.getvalue()
    assert "    SMS: the SMS gateway simulator at http://127.0.0.1:8020/\n" in output.getvalue()


@pytest.mark.django_db
@override_settings(PRACHA_MAIL_CATCHER_URL="", PRACHA_SMS_GATEWAY_URL="")
def test_seed_demo_names_no_mail_or_sms_page_when_there_is_none():
    output = StringIO()
    call_command("seed_demo", stdout=output)
    assert "catch-all" not in output.getvalue()
    assert "simulator" not in output.getvalue()


@pytest.mark.django_db
@override_settings(PRACHA_DEMO=False)
@pytest.mark.parametrize("command", [["seed_demo"], ["demo_totp", "1999900001010"]])
def test_the_demo_commands_refuse_to_run_outside_the_dev_and_test_profiles(command):
    with pytest.raises(CommandError, match=r"The demo world is only for the dev and test profiles"):
        call_command(*command, stdout=StringIO())
    assert User.objects.count() == 0
