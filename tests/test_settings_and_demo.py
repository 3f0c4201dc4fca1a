"""The prod profile refuses to start half-configured; the demo world loads once and only where allowed."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from pracha.accounts.public import Business, BusinessAuthorisation, User
from pracha.agencies.public import Agency, Membership, Role
from pracha.audit.public import AuditEntry, chain_verify
from pracha.catalogue.management.commands.load_services import DEFINITIONS_DIR
from pracha.core.thai_ids import validate_juristic_number, validate_national_id
from pracha.portal import demo_world
from pracha.registries.public import JuristicPersonRecord, PopulationRecord

GOOD_PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "pracha.settings.prod",
    "DJANGO_SECRET_KEY": "k" * 50,
    "DJANGO_ALLOWED_HOSTS": "pracha.example",
    "DATABASE_URL": "postgresql://pracha@127.0.0.1:5432/pracha",
}


def start_prod(**changes: str | None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_"))}
    env.update(GOOD_PROD_ENV)
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


def test_prod_starts_with_a_secret_key_allowed_hosts_and_a_database_url():
    result = start_prod()
    assert (result.returncode, result.stdout) == (0, "started\n")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"DJANGO_SECRET_KEY": None}, "The environment variable DJANGO_SECRET_KEY must be set."),
        ({"DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY must be at least 50 random characters."),
        ({"DJANGO_ALLOWED_HOSTS": None}, "DJANGO_ALLOWED_HOSTS must list the site's host names (not *)."),
        ({"DJANGO_ALLOWED_HOSTS": "*"}, "DJANGO_ALLOWED_HOSTS must list the site's host names (not *)."),
        ({"DATABASE_URL": None}, "The environment variable DATABASE_URL must be set."),
    ],
)
def test_prod_refuses_to_start_without_each_required_setting(changes, message):
    result = start_prod(**changes)
    assert result.returncode == 1
    assert f"django.core.exceptions.ImproperlyConfigured: {message}" in result.stderr


def row_counts() -> dict[str, int]:
    models = [Agency, Role, Membership, User, Business, BusinessAuthorisation, PopulationRecord]
    counts = {model.__name__: model._default_manager.count() for model in models}
    counts["JuristicPersonRecord"] = JuristicPersonRecord.objects.count()
    counts["AuditEntry"] = AuditEntry.objects.count()
    return counts


@pytest.mark.django_db
def test_seed_demo_loads_the_world_once_and_a_second_run_changes_nothing():
    call_command("seed_demo", stdout=StringIO())
    first = row_counts()
    officers = [person for person in demo_world.PEOPLE if person.memberships]
    assert first == {
        "Agency": len(demo_world.AGENCIES),
        "Role": len(demo_world.ROLES),
        "Membership": sum(len(person.memberships) for person in officers),
        "User": sum(person.has_account for person in demo_world.PEOPLE),
        "Business": len(demo_world.BUSINESSES),
        "BusinessAuthorisation": 7,
        "PopulationRecord": len(demo_world.PEOPLE),
        "JuristicPersonRecord": len(demo_world.BUSINESSES),
        # seed_demo's own entry, then a saved and a published version for each service definition.
        "AuditEntry": 1 + 2 * len(list(DEFINITIONS_DIR.glob("*.yaml"))),
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
    for business in Business.objects.all():
        assert validate_juristic_number(business.juristic_number) == business.juristic_number
    assert User.objects.get(national_id="1999900001079").check_password(demo_world.DEMO_PASSWORD)


@pytest.mark.django_db
@override_settings(PRACHA_DEMO=False)
@pytest.mark.parametrize("command", [["seed_demo"], ["demo_totp", "1999900001010"]])
def test_the_demo_commands_refuse_to_run_outside_the_dev_and_test_profiles(command):
    with pytest.raises(CommandError, match=r"The demo world is only for the dev and test profiles"):
        call_command(*command, stdout=StringIO())
    assert User.objects.count() == 0
