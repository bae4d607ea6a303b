"""`leadpact demo`: the example pact signed and in force, its people, and a few hundred leads in every stage."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from rich.progress import Progress

from leadpact import clock
from leadpact.accounts.models import User
from leadpact.accounts.services import token_create
from leadpact.demo.generate import generate
from leadpact.demo.people import ADMIN_EMAIL, DEMO_PASSWORD, MARKETING_EMAIL
from leadpact.leads.models import Lead


class Command(BaseCommand):
    help = "Load the demo: the example pact (signed by both sides), its people and generated leads (seeded)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--leads", type=int, default=400, help="how many leads to generate (default 400)")
        parser.add_argument("--seed", type=int, default=7, help="the same seed gives the same leads (default 7)")
        parser.add_argument("--days", type=int, default=60, help="spread the leads over this many past days")

    def handle(self, *args: object, **options: object) -> None:
        if Lead.objects.exists():
            self.stdout.write("the database already has leads; the demo loads only into an empty one")
            return
        with Progress(transient=True) as progress:
            task = progress.add_task("Generating demo leads", total=options["leads"])
            generate(int(options["leads"]), int(options["seed"]), clock.now(), int(options["days"]),
                     progress=lambda n: progress.advance(task, n))
        _, raw = token_create(User.objects.get(email=MARKETING_EMAIL), "demo")
        self.stdout.write(self.style.SUCCESS(f"Demo loaded: {Lead.objects.count()} leads."))
        self.stdout.write(f"Sign in as {ADMIN_EMAIL} (or any person in the pact) with the password {DEMO_PASSWORD}")
        self.stdout.write(f"API token for {MARKETING_EMAIL}: {raw}")
