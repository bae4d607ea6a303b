"""`leadpact lead ...`: work a lead from the terminal, one action each, as a named person."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from leadpact import clock
from leadpact.accounts.models import User
from leadpact.accounts.permissions import actor_for
from leadpact.core.cadence import OUTCOMES
from leadpact.core.errors import LeadpactError
from leadpact.core.lifecycle import Actor
from leadpact.core.pact_schema import ATTEMPT_CHANNELS
from leadpact.handoff import selectors, services
from leadpact.leads.selectors import lead_get

AS_HELP = "the email of the person acting (recorded in the history; their role decides what they may do)"


class Command(BaseCommand):
    help = ("Work a lead: show it, accept, reject, log an attempt, hand it back to marketing, reassign, convert, "
            "win, lose, disqualify; list the queue of MQLs waiting for an owner.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        show = sub.add_parser("show", help="stage, owner, clocks with the business time left, attempts")
        show.add_argument("id", type=int, help="the lead's id")
        queue = sub.add_parser("queue", help="MQLs waiting for an owner, oldest first")
        queue.add_argument("--team", help="only this team's queue")
        self._act(sub, "accept", "accept the lead (SAL)")
        self._act(sub, "reject", "reject it with a reason from handoff.reject_reasons", "reason")
        attempt = self._act(sub, "attempt", "log a contact attempt")
        attempt.add_argument("channel", choices=ATTEMPT_CHANNELS, help="how the rep tried")
        attempt.add_argument("outcome", choices=list(OUTCOMES), help="what came of it")
        recycle = self._act(sub, "recycle", "hand it back to marketing with a reason from recycle.reasons", "reason")
        recycle.add_argument("--override", default="", metavar="WHY",
                             help="a manager's reason to give up before cadence.min_attempts")
        reassign = self._act(sub, "reassign", "give it to someone else (a manager), or assign a waiting MQL")
        reassign.add_argument("owner", help="the new owner's email")
        reassign.add_argument("--reason", required=True, help="why it changes hands")
        self._act(sub, "convert", "convert it to an opportunity (SQL)")
        self._act(sub, "win", "mark the opportunity won")
        self._act(sub, "lose", "mark the opportunity lost, with a reason from outcomes.lost_reasons", "reason")
        self._act(sub, "disqualify", "disqualify it, with a reason from outcomes.disqualify_reasons", "reason")

    @staticmethod
    def _act(sub, name: str, text: str, *positional: str):
        parser = sub.add_parser(name, help=text)
        parser.add_argument("id", type=int, help="the lead's id")
        for argument in positional:
            parser.add_argument(argument, help="one of the pact's reasons for this action")
        parser.add_argument("--note", default="", help="a note for the history")
        parser.add_argument("--as", dest="person", required=True, metavar="EMAIL", help=AS_HELP)
        return parser

    def handle(self, *args: object, **options: object) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except LeadpactError as err:
            raise CommandError(str(err)) from None

    def _actor(self, options: dict) -> Actor:
        user = User.objects.filter(email=str(options["person"]).strip().lower(), is_active=True).first()
        if user is None:
            raise CommandError(f"--as: {options['person']} has no active account")
        return actor_for(user, "cli")

    def _show(self, options: dict) -> None:
        lead, now = lead_get(options["id"]), clock.now()
        self.stdout.write(f"{lead} · {lead.company or '—'} · {lead.stage} · owner {lead.owner or '—'} · "
                          f"round {lead.rounds} · {lead.attempts} attempts")
        for c in selectors.lead_clocks(lead, now):
            step = f" step {c['step']} ({c['channel']})" if c["step"] else ""
            self.stdout.write(f"  {c['label']}{step}: due {c['due_at']:%Y-%m-%d %H:%M} UTC, {c['state']}"
                              + (f", {c['left']}" if c["left"] else ""))
        for a in selectors.lead_attempts(lead):
            self.stdout.write(f"  attempt {a.number} (round {a.round}): {a.channel}, {a.outcome} at "
                              f"{a.at:%Y-%m-%d %H:%M} UTC {a.note}")

    def _queue(self, options: dict) -> None:
        leads = list(selectors.queue(options["team"])[:200])
        for lead in leads:
            waiting = f"waiting since {lead.queued_at:%Y-%m-%d %H:%M} UTC" if lead.queued_at else "being routed"
            self.stdout.write(f"{lead.pk:>7}  {lead}  {lead.team or '—'}  {waiting}")
        self.stdout.write(f"{len(leads)} waiting")

    def _done(self, lead_id: int) -> None:
        lead = lead_get(lead_id)
        self.stdout.write(self.style.SUCCESS(f"lead {lead.pk} is {lead.stage}, owner {lead.owner or '—'}"))

    def _accept(self, o: dict) -> None:
        services.lead_accept(o["id"], actor=self._actor(o), now=clock.now())
        self._done(o["id"])

    def _reject(self, o: dict) -> None:
        services.lead_reject(o["id"], o["reason"], o["note"], actor=self._actor(o), now=clock.now())
        self._done(o["id"])

    def _attempt(self, o: dict) -> None:
        made = services.attempt_log(o["id"], o["channel"], o["outcome"], o["note"], actor=self._actor(o),
                                    now=clock.now())
        self.stdout.write(f"attempt {made.number} logged")
        self._done(o["id"])

    def _recycle(self, o: dict) -> None:
        services.lead_recycle(o["id"], o["reason"], o["note"], actor=self._actor(o), now=clock.now(),
                              override_reason=o["override"])
        self._done(o["id"])

    def _reassign(self, o: dict) -> None:
        services.lead_assign_to(o["id"], o["owner"], o["reason"], actor=self._actor(o), now=clock.now())
        self._done(o["id"])

    def _close(self, o: dict) -> None:
        services.lead_close(o["id"], o["action"], o.get("reason", ""), o["note"], actor=self._actor(o),
                            now=clock.now())
        self._done(o["id"])

    _convert = _win = _lose = _disqualify = _close
