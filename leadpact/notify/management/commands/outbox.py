"""`leadpact outbox`: see what waits to be sent or was given up on, and send a dead letter again."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from leadpact import clock
from leadpact.core.errors import LeadpactError
from leadpact.notify.models import Message, MessageStatus
from leadpact.notify.services import message_retry


class Command(BaseCommand):
    help = "List outbox messages (pending, or dead-lettered with their error) and retry a dead one."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        listing = sub.add_parser("list", help="messages waiting to be sent, newest first")
        listing.add_argument("--dead", action="store_true", help="the dead-lettered ones instead, with their error")
        listing.add_argument("--limit", type=int, default=50, help="how many (50)")
        retry = sub.add_parser("retry", help="send a dead-lettered message again")
        retry.add_argument("id", type=int, help="the message id from `leadpact outbox list --dead`")

    def handle(self, *args: object, **options: object) -> None:
        if options["action"] == "retry":
            try:
                message = message_retry(options["id"], clock.now())
            except LeadpactError as err:
                raise CommandError(str(err)) from None
            self.stdout.write(self.style.SUCCESS(f"message {message.pk} is back in the outbox"))
            return
        status = MessageStatus.DEAD if options["dead"] else MessageStatus.PENDING
        messages = Message.objects.filter(status=status).select_related("endpoint").order_by("-created_at")
        for m in messages[: options["limit"]]:
            target = m.recipient or (m.endpoint.url if m.endpoint else "")
            self.stdout.write(f"{m.pk:>7}  {m.created_at:%Y-%m-%d %H:%M}  {m.channel:<7} {m.event:<18} {target}  "
                              f"tries {m.tries}" + (f"  error: {m.last_error[:120]}" if m.last_error else ""))
        self.stdout.write(f"{messages.count()} {status.label.lower()}")
