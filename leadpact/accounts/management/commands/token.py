"""`leadpact token create|revoke|list`: bearer tokens for integrations (forms, CRM syncs, scripts)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from leadpact.accounts.models import ApiToken, User
from leadpact.accounts.services import token_create, token_revoke


class Command(BaseCommand):
    help = "Create, revoke and list API tokens. A token acts as its person, with that person's role."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = sub.add_parser("create", help="create a token for a person; it is printed once")
        create.add_argument("email")
        create.add_argument("--name", default="integration", help="what the token is for, e.g. website-forms")
        revoke = sub.add_parser("revoke", help="revoke a token by its prefix (shown by list)")
        revoke.add_argument("prefix")
        sub.add_parser("list", help="tokens with their prefix, person and last use")

    def handle(self, *args: object, **options: object) -> None:
        action = options["action"]
        if action == "create":
            user = User.objects.filter(email=str(options["email"]).lower()).first()
            if user is None:
                raise CommandError(f"no person with the email {options['email']}")
            _, raw = token_create(user, str(options["name"]))
            self.stdout.write(raw)
        elif action == "revoke":
            if not token_revoke(str(options["prefix"])):
                raise CommandError(f"no active token starts with {options['prefix']}")
            self.stdout.write(self.style.SUCCESS("revoked"))
        else:
            for token in ApiToken.objects.select_related("user").order_by("created_at"):
                state = "revoked" if token.revoked_at else f"last used {token.last_used_at or 'never'}"
                self.stdout.write(f"{token.prefix}…  {token.name:<20} {token.user.email:<32} {state}")
