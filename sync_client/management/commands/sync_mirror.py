"""Mirror one ipgar instance into another through their APIs (sync_client/mirror.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sync_client.mirror import Api, MirrorError, MirrorState, sync


class Command(BaseCommand):
    help = (
        "Mirror every registration of the source instance into the target through their "
        "APIs, from the cursor in the state file (everything the first time)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--source", required=True, help="base URL, e.g. https://bron.example")
        parser.add_argument("--source-token", required=True)
        parser.add_argument("--target", required=True)
        parser.add_argument("--target-token", required=True)
        parser.add_argument(
            "--state",
            default="sync-mirror-state.json",
            help="file that keeps the source's feed cursor between runs",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="cases written to the target at the same time, each on its own connection",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = Api(options["source"], options["source_token"])
        target = Api(options["target"], options["target_token"])
        try:
            report = sync(
                source=source,
                target=target,
                state=MirrorState.load(Path(options["state"])),
                workers=options["workers"],
            )
        except MirrorError as error:
            raise CommandError(
                f"Synchronisatie gestopt (de cursor is niet verplaatst): {error}"
            ) from error
        self.stdout.write(
            f"{report.cases} cases, {report.writes} writes, {report.requests} requests; "
            f"cursor {report.cursor}"
        )
        for item in report.not_mirrored:
            self.stdout.write(f"not mirrored: {item}")
        for item in report.failed:
            self.stderr.write(f"failed: {item}")
        if report.failed:
            raise CommandError(
                f"{len(report.failed)} cases refused by the target; the cursor stays put."
            )
