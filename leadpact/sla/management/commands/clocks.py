"""`leadpact clocks recompute`: move running clocks to the pact in force, previewed first."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from leadpact import clock
from leadpact.core.errors import LeadpactError
from leadpact.sla.services import clocks_adopt_pact


class Command(BaseCommand):
    help = ("Recompute running acceptance and response clocks under the pact in force (a new calendar or new "
            "response times). A new version never rewrites decisions by itself; this shows what would move, and "
            "--apply moves it.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        recompute = sub.add_parser("recompute", help="preview (or --apply) new deadlines under the pact in force")
        recompute.add_argument("--apply", action="store_true", help="store the new deadlines (default: preview)")

    def handle(self, *args: object, **options: object) -> None:
        try:
            moved = clocks_adopt_pact(clock.now(), apply=options["apply"])
        except LeadpactError as err:
            raise CommandError(str(err)) from None
        for c, before in moved:
            self.stdout.write(f"lead {c.lead_id:>7}  {c.get_kind_display():<18} {before:%Y-%m-%d %H:%M} -> "
                              f"{c.due_at:%Y-%m-%d %H:%M} UTC")
        verb = "moved" if options["apply"] else "would move (run again with --apply)"
        self.stdout.write(f"{len(moved)} deadline{'s' if len(moved) != 1 else ''} {verb}")
