"""Generate realistic demo leads and live through their days with the real services (seeded, repeatable).

Events (a lead arrives, a rep accepts, calls, hands back, ...) are played in time order; before each, the worker's
routing and clocks run at that instant, so the demo has hand-offs, warnings, breaches and reassignments that happened
when they would have, and nothing in the future."""

from __future__ import annotations

import datetime as dt
import heapq
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources

from django.db.models import F
from faker import Faker

from leadpact.accounts.models import User
from leadpact.accounts.permissions import actor_for
from leadpact.core.business_time import business_calendar
from leadpact.core.errors import LeadpactError
from leadpact.core.lifecycle import Actor, Role, Stage
from leadpact.core.pact import Pact
from leadpact.core.pact_loader import parse_pact
from leadpact.demo.people import MARKETING_EMAIL, demo_people
from leadpact.handoff.routing import leads_route_due
from leadpact.handoff.services import (
    attempt_log,
    lead_accept,
    lead_close,
    lead_recycle,
    lead_reject,
    out_of_office_set,
)
from leadpact.leads.engagement import signals_record
from leadpact.leads.models import Lead
from leadpact.leads.services import lead_intake, lead_transition
from leadpact.notify.models import Message, MessageStatus
from leadpact.pact.models import PactVersion
from leadpact.pact.selectors import pact_of
from leadpact.pact.services import pact_propose, pact_sign
from leadpact.sla.services import clocks_fire_due

TITLES = ["VP Sales", "Head of Marketing", "Director of Operations", "Chief Revenue Officer", "Sales Manager",
          "Marketing Specialist", "Software Engineer", "Account Executive", "Student", "Office Manager",
          "Director of IT", "Procurement Lead", "CFO", "Growth Marketer"]
COUNTRIES = ["US"] * 10 + ["CA", "CA", "GB", "GB", "DE", "DE", "FR", "NL", "AU", "IN", "BR", "ES"]
SOURCES = [("google", "cpc"), ("linkedin", "paid_social"), ("newsletter", "email"), ("website", "organic"),
           ("partner", "referral"), ("webinar", "event"), ("trade_show", "event")]
FREE_MAIL = ["gmail.com", "yahoo.com", "outlook.com"]
FORM = Actor("form:web-to-lead", Role.MARKETING)
AUTOMATION = Actor("api:marketing-automation", Role.MARKETING)
HOUR = dt.timedelta(hours=1)
Progress = Callable[[int], None]


def example_pact_text(effective: dt.date) -> str:
    """The shipped example pact, effective from `effective` (the demo's history starts then)."""
    text = resources.files("leadpact.examples").joinpath("pact.yaml").read_text(encoding="utf-8")
    return re.sub(r"(?m)^effective: \S+", f"effective: {effective.isoformat()}", text, count=1)


def sign_demo_pact(start: dt.datetime) -> tuple[PactVersion, Pact, dict[str, User]]:
    """Propose the example pact and sign it for both sides at `start`."""
    text = example_pact_text(start.date())
    pact = parse_pact(text)
    people = demo_people(pact)
    version, _ = pact_propose(text, proposed_by=people[MARKETING_EMAIL])
    if not version.in_force_from:
        sales_owner = people[next(iter(pact.teams.values())).manager]
        for signer in (people[MARKETING_EMAIL], sales_owner):
            if not version.signatures.filter(signed_by=signer).exists():
                pact_sign(version, signer, start)
        version.refresh_from_db()
    return version, pact_of(version), people


@dataclass(order=True)
class _Event:
    at: dt.datetime
    order: int
    act: Callable[[dt.datetime], None] = field(compare=False)


@dataclass
class _Demo:
    """The simulation: a seeded random source, the pact, and the events still to play, in time order."""

    rng: random.Random
    fake: Faker
    pact: Pact
    people: dict[str, User]
    now: dt.datetime
    queue: list[_Event] = field(default_factory=list)
    counter: int = 0
    planned_until: dt.datetime | None = None

    def schedule(self, at: dt.datetime, act: Callable[[dt.datetime], None]) -> None:
        if at <= self.now:
            self.counter += 1
            heapq.heappush(self.queue, _Event(at, self.counter, act))

    def run(self, progress: Progress | None) -> None:
        while self.queue:
            event = heapq.heappop(self.queue)
            self.worker(event.at)
            event.act(event.at)
            if progress and event.act.__name__ == "arrive":
                progress(1)
        self.worker(self.now)

    def worker(self, at: dt.datetime) -> None:
        """What the worker would have done by `at`; each new owner then plays their part."""
        leads_route_due(at)
        clocks_fire_due(at)
        handed_over = Lead.objects.filter(stage=Stage.ASSIGNED, assigned_at__lte=at)
        if self.planned_until:
            handed_over = handed_over.filter(assigned_at__gt=self.planned_until)
        for lead_id, assigned_at in handed_over.values_list("pk", "assigned_at"):
            _plan_sales(self, lead_id, assigned_at)
        self.planned_until = at


def generate(count: int, seed: int, now: dt.datetime, days: int = 60, progress: Progress | None = None) -> int:
    """Create `count` leads over the last `days` days and live through their hand-off up to `now`."""
    rng, fake = random.Random(seed), Faker("en_US")
    fake.seed_instance(seed)
    start = now - dt.timedelta(days=days + 1)
    _, pact, people = sign_demo_pact(start)
    demo = _Demo(rng, fake, pact, people, now)
    _trade_show(demo, start)
    latest = max(5, count // 40)  # the last hour's leads: reps have not answered them yet
    for index in range(count - latest):
        at = start + dt.timedelta(days=1, seconds=rng.randrange(days * 86400))
        demo.schedule(at, _arrival(demo, index))
    for index in range(count - latest, count):
        big = {"employees": 5000, "country": "US"} if index % 3 == 0 else {}
        demo.schedule(now - dt.timedelta(minutes=rng.randint(5, 55)),
                      _arrival(demo, index, {"lead_type": "demo_request", **big}))
    demo.run(progress)
    # The demo's past notifications belong to its history: recorded as delivered when written, not sent today.
    Message.objects.filter(status=MessageStatus.PENDING).update(status=MessageStatus.SENT, sent_at=F("created_at"))
    return count


def _trade_show(demo: _Demo, start: dt.datetime) -> None:
    """The enterprise team is at a trade show from four days ago to four days on: its leads wait in the queue."""
    team = demo.pact.teams.get("enterprise")
    if team is None:
        return
    manager = actor_for(demo.people[team.manager])
    for member in team.members:
        out_of_office_set(member, demo.now - dt.timedelta(days=4), demo.now + dt.timedelta(days=4), "trade show",
                          actor=manager, now=start)


def _arrival(demo: _Demo, index: int, overrides: dict | None = None) -> Callable[[dt.datetime], None]:
    def arrive(at: dt.datetime) -> None:
        row = {**_lead_row(demo, index, at), **(overrides or {})}
        lead_id = lead_intake(row, actor=FORM, now=at).lead_id
        _signals(demo, row["email"], at)
        demo.schedule(at + 5 * dt.timedelta(minutes=1), _after_intake(demo, lead_id))
    return arrive


def _lead_row(demo: _Demo, index: int, at: dt.datetime) -> dict:
    rng, fake = demo.rng, demo.fake
    source, medium = rng.choice(SOURCES)
    first, last, company = fake.first_name(), fake.last_name(), fake.company()
    domain = rng.choice(FREE_MAIL) if rng.random() < 0.15 else re.sub(r"[^a-z]", "", company.lower())[:18] + ".example"
    return {
        "email": f"{first}.{last}.{index}@{domain}".lower(), "first_name": first, "last_name": last,
        "title": rng.choice(TITLES), "company": company, "employees": rng.choice([8, 40, 120, 250, 600, 1500, 5000]),
        "country": rng.choice(COUNTRIES), "phone": fake.numerify("+1 ###-###-####"),
        "lead_type": rng.choices(list(demo.pact.lead_types), weights=[3, 5, 2, 2][: len(demo.pact.lead_types)])[0],
        "source": source, "medium": medium, "campaign": f"{source}-{at:%Y-%m}", "industry": fake.bs().split()[-1],
    }


def _signals(demo: _Demo, email: str, at: dt.datetime) -> None:
    """A few engagement signals in the days after intake (each in its own event, so nothing is in the future)."""
    names = list(demo.pact.scoring.signals)
    for _ in range(demo.rng.choice([0, 0, 1, 2, 3, 5])):
        when = at + dt.timedelta(hours=demo.rng.randint(1, 72))
        signal = {"email": email, "signal": demo.rng.choice(names), "at": when.isoformat()}
        demo.schedule(when, lambda t, signal=signal: signals_record([signal], actor=AUTOMATION, now=t))


def _after_intake(demo: _Demo, lead_id: int) -> Callable[[dt.datetime], None]:
    """Marketing nurtures half the leads that did not qualify."""
    def follow(at: dt.datetime) -> None:
        stage = Lead.objects.values_list("stage", flat=True).get(pk=lead_id)
        if stage == Stage.INQUIRY and demo.rng.random() < 0.5:
            lead_transition(lead_id, "nurture", actor=actor_for(demo.people[MARKETING_EMAIL]), now=at)
    return follow


def _plan_sales(demo: _Demo, lead_id: int, at: dt.datetime) -> None:
    """What the new owner does, when: a weighted choice of paths, played by whoever owns the lead at that time."""
    rng, pact = demo.rng, demo.pact
    if demo.now - at < HOUR:
        return  # just handed over: the owner has not answered yet
    attempts = [("attempt", rng.choice(["phone", "email"]), "no_answer") for _ in range(rng.randint(1, 3))]
    connect = [*attempts, ("attempt", "phone", rng.choice(["connected", "meeting_booked"]))]
    paths = [
        (0.08, []),  # never answered: the window runs out, the next person gets it
        (0.20, [("reject", rng.choice(pact.handoff.reject_reasons))]),
        (0.28, [("accept", "")]),
        (0.36, [("accept", ""), *attempts]),
        (0.46, [("accept", ""), *[("attempt", s.channel, "no_answer") for s in pact.cadence.steps]]),
        (0.56, [*connect, ("recycle", rng.choice(pact.recycle.reasons[:3]))]),
        (0.62, [*connect, ("disqualify", rng.choice(pact.outcomes.disqualify_reasons))]),
        (0.72, [*connect, ("convert", "")]),
        (0.87, [*connect, ("convert", ""), ("win", "")]),
        (1.00, [*connect, ("convert", ""), ("lose", rng.choice(pact.outcomes.lost_reasons))]),
    ]
    roll = rng.random()
    steps = next(steps for limit, steps in paths if roll < limit)
    team = Lead.objects.values_list("team", flat=True).get(pk=lead_id)
    calendar = business_calendar(pact.calendars[pact.teams[team].calendar if team in pact.teams else "us-east"])
    # Most reps answer within the acceptance window; later steps follow in business time.
    t = calendar.add(at, 60 * rng.choice([5, 15, 30, 45, 60, 90, 100, 110, 150]))
    for step in steps:
        demo.schedule(t, _sales_step(lead_id, step))
        t = calendar.add(t, 60 * rng.randint(20, 60 * 12))


def _sales_step(lead_id: int, step: tuple[str, ...]) -> Callable[[dt.datetime], None]:
    def act(at: dt.datetime) -> None:
        lead = Lead.objects.select_related("owner").get(pk=lead_id)
        if lead.owner is None or lead.stage not in (Stage.ASSIGNED, Stage.ACCEPTED, Stage.WORKING, Stage.CONVERTED):
            return  # handed back, expired or closed meanwhile
        rep, (name, *args) = actor_for(lead.owner), step
        try:
            _ACTIONS[name](lead_id, rep, at, *args)
        except LeadpactError:
            pass  # a step the lead's state no longer allows, as in real life
    return act


_ACTIONS: dict[str, Callable[..., object]] = {
    "accept": lambda lead_id, rep, at, _: lead_accept(lead_id, actor=rep, now=at),
    "reject": lambda lead_id, rep, at, reason: lead_reject(lead_id, reason, actor=rep, now=at),
    "attempt": lambda lead_id, rep, at, channel, outcome: attempt_log(lead_id, channel, outcome, actor=rep, now=at),
    "recycle": lambda lead_id, rep, at, reason: lead_recycle(lead_id, reason, actor=rep, now=at),
    "disqualify": lambda lead_id, rep, at, reason: lead_close(lead_id, "disqualify", reason, actor=rep, now=at),
    "convert": lambda lead_id, rep, at, _: lead_close(lead_id, "convert", actor=rep, now=at),
    "win": lambda lead_id, rep, at, _: lead_close(lead_id, "win", actor=rep, now=at),
    "lose": lambda lead_id, rep, at, reason: lead_close(lead_id, "lose", reason, actor=rep, now=at),
}
