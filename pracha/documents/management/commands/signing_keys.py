from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pracha.agencies.public import agency_list
from pracha.documents import pki


class Command(BaseCommand):
    help = (
        "Demo (PRACHA_DEMO_PKI): create the demo CA and a signing certificate for every agency that has "
        "none, and say where the CA certificate is. Otherwise create nothing and fail if an agency has no "
        "key or certificate."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        agencies = list(agency_list())
        if not settings.PRACHA_DEMO_PKI:
            missing = [agency for agency in agencies if not pki.agency_has_key(agency.code)]
            if missing:
                lines = [f"  {agency.code}: {pki.agency_paths(agency.code).directory}" for agency in missing]
                raise CommandError(
                    f"{len(missing)} of {len(agencies)} agencies have no signing key and certificate "
                    "(key.pem, cert.pem) in:\n" + "\n".join(lines)
                )
            self.stdout.write(f"Every agency ({len(agencies)}) has a signing key and certificate.")
            return
        ca_certificate = pki.ensure_demo_ca()
        created = [
            agency.code
            for agency in agencies
            if pki.ensure_agency_certificate(code=agency.code, name_th=agency.name_th, name_en=agency.name_en)
        ]
        self.stdout.write(
            f"Signing certificates: {len(created)} created, {len(agencies) - len(created)} already there."
        )
        self.stdout.write(
            f"Demo CA certificate: {ca_certificate}\n"
            "Import it into your PDF reader as a trusted root to see Pracha's signatures as valid "
            "(docs/documents.md). It is for demonstration only."
        )
