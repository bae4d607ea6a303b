"""`leadpact user add|password|list`: the people who use Leadpact and their roles."""

from __future__ import annotations

import getpass

from django.core.management.base import BaseCommand, CommandError, CommandParser

from leadpact.accounts.models import RoleChoices, User
from leadpact.accounts.services import user_create
from leadpact.core.errors import FieldErrors


class Command(BaseCommand):
    help = "Add people (rep, manager, marketing, admin), set passwords, list them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = sub.add_parser("add", help="add a person with a role")
        add.add_argument("email")
        add.add_argument("--role", required=True, choices=RoleChoices.values)
        add.add_argument("--name", default="", help='full name, e.g. "Ann Lee"')
        add.add_argument("--password", help="default: asked for (no password: the person cannot sign in)")
        password = sub.add_parser("password", help="set a person's password")
        password.add_argument("email")
        password.add_argument("--password")
        sub.add_parser("list", help="everyone, with their role")

    def handle(self, *args: object, **options: object) -> None:
        action = options["action"]
        if action == "list":
            for user in User.objects.order_by("role", "email"):
                self.stdout.write(f"{user.email:<40} {user.role}")
            return
        secret = options.get("password")
        if action == "password" and not secret:
            secret = getpass.getpass("password: ")
        if action == "add":
            try:
                user = user_create(str(options["email"]), str(options["role"]), secret, str(options["name"]))
            except FieldErrors as err:
                raise CommandError(str(err)) from None
            self.stdout.write(self.style.SUCCESS(f"added {user.email} as {user.role}"))
            return
        user = User.objects.filter(email=str(options["email"]).lower()).first()
        if user is None:
            raise CommandError(f"no person with the email {options['email']}")
        user.set_password(secret)
        user.save(update_fields=["password"])
        self.stdout.write(self.style.SUCCESS(f"password set for {user.email}"))
