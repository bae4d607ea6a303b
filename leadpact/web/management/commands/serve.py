"""`leadpact serve`: the web app and the API in one process; on an empty database, the demo first."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from leadpact.pact.models import PactVersion


class Command(BaseCommand):
    help = "Start Leadpact: web app and API in one process (waitress). Migrates the database first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-demo", action="store_true",
                            help="on an empty database, do not load the demo pact, people and leads")

    def handle(self, *args: object, **options: object) -> None:
        from waitress import serve

        from leadpact.wsgi import application

        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if not options["no_demo"] and not PactVersion.objects.exists():
            call_command("demo")
        address = f"http://{options['host']}:{options['port']}"
        self.stdout.write(self.style.SUCCESS(f"Leadpact is running at {address}  (API docs: {address}/api/docs)"))
        serve(application, host=options["host"], port=options["port"], threads=options["threads"], ident="leadpact")
