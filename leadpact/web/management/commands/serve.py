"""`leadpact serve`: the web app, the API and a worker in one process; on an empty database, the demo first."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from leadpact import clock
from leadpact.accounts.models import User
from leadpact.demo.people import ADMIN_EMAIL, DEMO_PASSWORD
from leadpact.pact.models import PactVersion


class Command(BaseCommand):
    help = ("Start Leadpact: web app, API and worker in one process (waitress). Migrates the database first; on an "
            "empty database, loads the demo (example pact signed, its people, generated leads).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
        parser.add_argument("--threads", type=int, default=8, help="request threads (8)")
        parser.add_argument("--no-demo", action="store_true",
                            help="on an empty database, do not load the demo pact, people and leads")
        parser.add_argument("--no-worker", action="store_true",
                            help="do not run a worker in this process (run `leadpact worker` separately)")
        parser.add_argument("--now", metavar="TIME", type=clock.instant_argument,
                            help="run the whole system from this instant on (e.g. 2026-12-07T16:55:00Z), to show "
                                 "warnings and breaches without waiting")

    def handle(self, *args: object, **options: object) -> None:
        from waitress import serve

        from leadpact.worker.loop import Worker
        from leadpact.wsgi import application

        if options["now"]:
            clock.start_at(options["now"])
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        fresh = not PactVersion.objects.exists()
        if fresh and not options["no_demo"]:
            call_command("demo")
        if not options["no_worker"]:
            Worker(interval=1.0).start_thread()
        address = f"http://{options['host']}:{options['port']}"
        self.stdout.write(self.style.SUCCESS(f"Leadpact is running at {address}  (API docs: {address}/api/docs)"))
        if User.objects.filter(email=ADMIN_EMAIL).exists() and not options["no_demo"]:
            self.stdout.write(f"Demo sign-in: {ADMIN_EMAIL} / {DEMO_PASSWORD} (or any person in the pact)")
        serve(application, host=options["host"], port=options["port"], threads=options["threads"], ident="leadpact")
