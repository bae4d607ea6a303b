"""`leadpact away`: set or list out-of-office periods (no new leads are routed to a person while away)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from leadpact import clock
from leadpact.accounts.models import User
from leadpact.accounts.permissions import actor_for
from leadpact.core.errors import LeadpactError
from leadpact.handoff.selectors import out_of_office_now
from leadpact.handoff.services import out_of_office_set


class Command(BaseCommand):
    help = "Set a person's out-of-office period, or list who is away now. Routing skips people who are away."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = sub.add_parser("add", help="a period during which the person takes no new leads")
        add.add_argument("email", help="who is away")
        add.add_argument("--from", dest="starts", required=True, metavar="TIME", help="e.g. 2026-12-21T00:00:00Z")
        add.add_argument("--until", required=True, metavar="TIME", help="e.g. 2027-01-04T00:00:00Z")
        add.add_argument("--note", default="", help="e.g. holiday")
        add.add_argument("--as", dest="person", required=True, metavar="EMAIL",
                         help="who sets it: the person, a manager or an admin")
        sub.add_parser("list", help="who is away now")

    def handle(self, *args: object, **options: object) -> None:
        if options["action"] == "list":
            for period in out_of_office_now(clock.now()):
                self.stdout.write(f"{period.user.email} until {period.ends_at:%Y-%m-%d %H:%M} UTC {period.note}")
            return
        user = User.objects.filter(email=str(options["person"]).lower(), is_active=True).first()
        if user is None:
            raise CommandError(f"--as: {options['person']} has no active account")
        try:
            starts, until = clock.parse_instant(options["starts"]), clock.parse_instant(options["until"])
            period = out_of_office_set(options["email"], starts, until, options["note"], actor=actor_for(user, "cli"),
                                       now=clock.now())
        except (ValueError, LeadpactError) as err:
            raise CommandError(str(err)) from None
        self.stdout.write(self.style.SUCCESS(f"{period.user.email} is away from {starts:%Y-%m-%d %H:%M} to "
                                             f"{until:%Y-%m-%d %H:%M} UTC"))
