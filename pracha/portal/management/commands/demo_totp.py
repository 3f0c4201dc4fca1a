import time
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pracha.portal import demo_world

TOTP_PERIOD_SECONDS = 30


class Command(BaseCommand):
    help = "Print the current authenticator code of a demo officer (demo accounts only)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("national_id")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.PRACHA_DEMO:
            raise CommandError("The demo world is only for the dev and test profiles (PRACHA_DEMO is off).")
        authenticator = Authenticator.objects.filter(
            user__national_id=options["national_id"], type=Authenticator.Type.TOTP
        ).first()
        secret = authenticator.data.get("secret") if authenticator else None
        if secret not in demo_world.DEMO_TOTP_SECRETS:
            raise CommandError("That is not a demo officer with a demo authenticator.")
        counter = int(time.time()) // TOTP_PERIOD_SECONDS
        self.stdout.write(format_hotp_value(hotp_value(secret, counter)))
