"""`leadpact endpoint`: connect chat incoming-webhooks and outgoing webhooks."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from leadpact import clock
from leadpact.notify.events import EVENT_NAMES
from leadpact.notify.models import Endpoint
from leadpact.notify.services import endpoint_add


class Command(BaseCommand):
    help = ("Connect a chat incoming-webhook URL (Slack-compatible) or an outgoing webhook (signed JSON for every "
            "lifecycle event), list them, or switch one off.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = sub.add_parser("add", help="connect an endpoint; a webhook's signing secret is printed once")
        add.add_argument("kind", choices=["chat", "webhook"])
        add.add_argument("url", help="where to post, e.g. https://hooks.slack.com/services/...")
        add.add_argument("--name", default="", help="a name people recognise (default: the host)")
        add.add_argument("--team", default="", help="only this team's leads (default: every team)")
        add.add_argument("--events", nargs="*", default=[], metavar="EVENT",
                         help=f"webhook events to send (default: all): {', '.join(EVENT_NAMES)}")
        sub.add_parser("list", help="the connected endpoints")
        off = sub.add_parser("off", help="stop posting to an endpoint (its messages stay in the outbox history)")
        off.add_argument("id", type=int)

    def handle(self, *args: object, **options: object) -> None:
        if options["action"] == "add":
            try:
                endpoint = endpoint_add(options["kind"], options["url"], options["name"], options["team"],
                                        options["events"], now=clock.now())
            except ValidationError as err:
                raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in err.message_dict.items())) from None
            self.stdout.write(self.style.SUCCESS(f"endpoint {endpoint.pk} connected: {endpoint}"))
            if endpoint.kind == "webhook":
                self.stdout.write(f"signing secret (shown once; verify Leadpact-Signature with it): {endpoint.secret}")
        elif options["action"] == "off":
            if not Endpoint.objects.filter(pk=options["id"]).update(active=False):
                raise CommandError(f"there is no endpoint {options['id']}")
            self.stdout.write(f"endpoint {options['id']} switched off")
        else:
            for e in Endpoint.objects.order_by("pk"):
                scope = f"team {e.team}" if e.team else "every team"
                events = ", ".join(e.events) if e.events else "all events"
                self.stdout.write(f"{e.pk:>4}  {'on ' if e.active else 'off'}  {e.kind:<7} {e.name:<20} {e.url}  "
                                  f"({scope}; {events})")
