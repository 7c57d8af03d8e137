from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from sampledata.demo import load_demo_data


class Command(BaseCommand):
    help = (
        "Load the 2020 pool (docs/rules.md R-POOL-4) and 50 demo cases (idempotent) and "
        "renew the demo logins."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--logins-file",
            default=str(Path(settings.VAR_DIR) / "demo-logins.txt"),
            help="Where to write the demo logins with their backup codes.",
        )

    def handle(self, *args, **options) -> None:
        text = load_demo_data(logins_file=Path(options["logins_file"]))
        self.stdout.write(text)
