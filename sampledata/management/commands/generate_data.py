from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from sampledata.generator import generate_data


class Command(BaseCommand):
    help = (
        "Generate synthetic cases at scale (1k, 10k, 100k) with a pool in proportion, "
        "two years of UVOs, plans, assessments, evaluations, exits and access records. "
        "Deterministic for a seed and a day."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--cases", type=int, default=1000, help="How many cases.")
        parser.add_argument("--seed", type=int, default=1, help="Seed of the random generator.")
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="The day the data ends on (YYYY-MM-DD); default today.",
        )

    def handle(self, *args, **options) -> None:
        try:
            report = generate_data(
                cases=options["cases"],
                seed=options["seed"],
                today=options["today"],
                progress=lambda line: self.stderr.write(f"  {line}"),
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write("\n".join(report.lines()))
