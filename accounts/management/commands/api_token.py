r"""Issue, list and revoke the API tokens of sync clients from the command line, for
scripted set-up (the functional administrator does the same on the Koppelingen page).

    manage.py api_token issue --client sync-vehaa --name productie --scope all --days 90
    manage.py api_token issue --client sync-vehaa --name lezer \
        --scope cases:read --scope changes:read
    manage.py api_token list [--client sync-vehaa]
    manage.py api_token revoke <prefix>

``issue`` prints the token once, on its own line, so a script can capture it; it is
stored nowhere.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.models import ApiToken, User
from accounts.tokens import SCOPES, api_token_issue, api_token_revoke

ALL = "all"


class Command(BaseCommand):
    help = "Issue, list or revoke API tokens of sync clients."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        issue = actions.add_parser("issue", help="Issue a token; prints it once.")
        issue.add_argument("--client", required=True, help="Username of the sync client.")
        issue.add_argument("--name", required=True, help="What the token is for.")
        issue.add_argument(
            "--scope",
            action="append",
            required=True,
            help=f"<resource>:read or <resource>:write, repeatable; '{ALL}' for every scope.",
        )
        issue.add_argument("--days", type=int, default=90, help="Valid for this many days.")
        listing = actions.add_parser("list", help="List tokens (never their secrets).")
        listing.add_argument("--client", help="Only this sync client's tokens.")
        revoke = actions.add_parser("revoke", help="Revoke a token by its prefix.")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _issue(self, options: dict[str, Any]) -> None:
        client = User.objects.filter(username=options["client"]).first()
        if client is None:
            raise CommandError(f"No user {options['client']!r}.")
        scopes = sorted(SCOPES) if ALL in options["scope"] else options["scope"]
        expires_at = timezone.now() + datetime.timedelta(days=options["days"])
        try:
            token, key = api_token_issue(
                client=client, name=options["name"], scopes=scopes, expires_at=expires_at, by=None
            )
        except ValidationError as error:
            raise CommandError(" ".join(str(message) for message in error.messages)) from error
        self.stderr.write(
            f"Token {token.prefix} for {client.username}, valid until "
            f"{timezone.localtime(token.expires_at):%Y-%m-%d %H:%M}. "
            "It is shown once and stored nowhere:"
        )
        self.stdout.write(key)

    def _list(self, options: dict[str, Any]) -> None:
        tokens = ApiToken.objects.select_related("client").order_by(
            "client__username", "-created_at"
        )
        if options.get("client"):
            tokens = tokens.filter(client__username=options["client"])
        now = timezone.now()
        for token in tokens:
            if token.revoked_at is not None:
                state = f"revoked {timezone.localtime(token.revoked_at):%Y-%m-%d %H:%M}"
            elif token.expires_at <= now:
                state = "expired"
            else:
                state = f"valid until {timezone.localtime(token.expires_at):%Y-%m-%d %H:%M}"
            used = (
                f"{timezone.localtime(token.last_used_at):%Y-%m-%d %H:%M}"
                if token.last_used_at
                else "never"
            )
            self.stdout.write(
                f"{token.prefix}\t{token.client.username}\t{token.name}\t{state}\t"
                f"last used {used}\t{','.join(token.scopes)}"
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        token = ApiToken.objects.filter(prefix=options["prefix"]).first()
        if token is None:
            raise CommandError(f"No token with prefix {options['prefix']!r}.")
        api_token_revoke(token=token, by=None)
        self.stdout.write(f"Token {token.prefix} ({token.name}) revoked.")
