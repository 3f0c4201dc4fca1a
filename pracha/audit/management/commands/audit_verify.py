from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pracha.audit.selectors import chain_verify


class Command(BaseCommand):
    help = "Recompute the audit log's hash chain and name the first entry that does not match."

    def handle(self, *args: Any, **options: Any) -> None:
        report = chain_verify()
        if not report.ok:
            raise CommandError(
                f"Audit chain broken at entry #{report.first_bad_id}: {report.problem} "
                f"({report.checked} entries verified before it)."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} entries verified."))
