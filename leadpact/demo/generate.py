"""Generate realistic demo leads and walk them through the lifecycle with the real services (seeded, repeatable)."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources

from faker import Faker

from leadpact.accounts.models import User
from leadpact.accounts.permissions import actor_for
from leadpact.core.lifecycle import Actor, Role
from leadpact.core.pact import Pact
from leadpact.core.pact_loader import parse_pact
from leadpact.demo.people import MARKETING_EMAIL, demo_people
from leadpact.leads.engagement import signals_record
from leadpact.leads.models import Lead
from leadpact.leads.services import lead_intake, lead_transition
from leadpact.pact.models import PactVersion
from leadpact.pact.selectors import pact_of
from leadpact.pact.services import pact_propose, pact_sign

TITLES = ["VP Sales", "Head of Marketing", "Director of Operations", "Chief Revenue Officer", "Sales Manager",
          "Marketing Specialist", "Software Engineer", "Account Executive", "Student", "Office Manager",
          "Director of IT", "Procurement Lead", "CFO", "Growth Marketer"]
COUNTRIES = ["US"] * 10 + ["CA", "CA", "GB", "GB", "DE", "DE", "FR", "NL", "AU", "IN", "BR", "ES"]
SOURCES = [("google", "cpc"), ("linkedin", "paid_social"), ("newsletter", "email"), ("website", "organic"),
           ("partner", "referral"), ("webinar", "event"), ("trade_show", "event")]
FREE_MAIL = ["gmail.com", "yahoo.com", "outlook.com"]
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


@dataclass
class _Story:
    """One demo lead's path: the stage it should end in, and how it gets there."""

    lead_id: int
    owner: User | None
    at: dt.datetime


def generate(count: int, seed: int, now: dt.datetime, days: int = 60, progress: Progress | None = None) -> int:
    """Create `count` leads over the last `days` days and move them through every stage; returns leads created."""
    rng, fake = random.Random(seed), Faker("en_US")
    fake.seed_instance(seed)
    start = now - dt.timedelta(days=days + 1)
    _, pact, people = sign_demo_pact(start)
    owners = _owner_cycle(pact, people)
    created = 0
    for i in range(count):
        at = start + dt.timedelta(days=1) + dt.timedelta(seconds=rng.randrange(days * 86400))
        _one_lead(rng, fake, pact, owners, people, at, min(now, at + dt.timedelta(days=rng.randint(1, 20))), i)
        created += 1
        if progress:
            progress(1)
    return created


def _owner_cycle(pact: Pact, people: dict[str, User]) -> dict[str, Iterator[User]]:
    return {name: itertools.cycle([people[m] for m in team.members]) for name, team in pact.teams.items()}


def _one_lead(rng: random.Random, fake: Faker, pact: Pact, owners: dict[str, Iterator[User]],
              people: dict[str, User], at: dt.datetime, end: dt.datetime, index: int) -> None:
    source, medium = rng.choice(SOURCES)
    first, last = fake.first_name(), fake.last_name()
    company = fake.company()
    domain = rng.choice(FREE_MAIL) if rng.random() < 0.15 else re.sub(r"[^a-z]", "", company.lower())[:18] + ".example"
    row = {
        "email": f"{first}.{last}.{index}@{domain}".lower(), "first_name": first, "last_name": last,
        "title": rng.choice(TITLES), "company": company, "employees": rng.choice([8, 40, 120, 250, 600, 1500, 5000]),
        "country": rng.choice(COUNTRIES), "phone": fake.numerify("+1 ###-###-####"),
        "lead_type": rng.choices(list(pact.lead_types), weights=[3, 5, 2, 2][: len(pact.lead_types)])[0],
        "source": source, "medium": medium, "campaign": f"{source}-{at:%Y-%m}", "industry": fake.bs().split()[-1],
    }
    form = Actor("form:web-to-lead", Role.MARKETING)
    result = lead_intake(row, actor=form, now=at)
    _signals(rng, pact, row["email"], at, end)
    lead = Lead.objects.get(pk=result.lead_id)
    if lead.stage == "inquiry" and rng.random() < 0.5:
        lead_transition(lead.pk, "nurture", actor=actor_for(people[MARKETING_EMAIL]), now=at + HOUR)
    elif lead.stage == "mql":
        _sales_path(rng, pact, lead, owners, people, at, end)


def _signals(rng: random.Random, pact: Pact, email: str, at: dt.datetime, end: dt.datetime) -> None:
    """A few engagement signals in the days after intake, never after `end` (the demo's now at the latest)."""
    names = list(pact.scoring.signals)
    times = [min(end, at + dt.timedelta(hours=rng.randint(1, 72))) for _ in range(rng.choice([0, 0, 1, 2, 3, 5]))]
    rows = [{"email": email, "signal": rng.choice(names), "at": t.isoformat()} for t in times]
    if rows:
        latest = max(dt.datetime.fromisoformat(r["at"]) for r in rows)
        signals_record(rows, actor=Actor("api:marketing-automation", Role.MARKETING), now=latest)


def _sales_path(rng: random.Random, pact: Pact, lead: Lead, owners: dict[str, Iterator[User]],
                people: dict[str, User], at: dt.datetime, end: dt.datetime) -> None:
    """assign, then accept or reject, then work, convert, win or lose, or hand back; some stop on the way."""
    if end - at < dt.timedelta(days=2) and rng.random() < 0.6:
        return  # recent MQLs still wait in the queue
    team = _team_for(pact, lead)
    owner = next(owners[team])
    manager = people[pact.teams[team].manager]
    t = at + HOUR
    lead_transition(lead.pk, "assign", actor=actor_for(manager), now=t, owner=owner, team=team)
    rep = actor_for(owner)
    steps = _plan(rng, pact)
    for name, reason in steps:
        t += dt.timedelta(hours=rng.randint(2, 40))
        lead_transition(lead.pk, name, actor=rep, now=min(t, end), reason=reason)


def _team_for(pact: Pact, lead: Lead) -> str:
    from leadpact.leads.services import lead_record

    record, _ = lead_record(lead, pact, lead.created_at)
    return next(route.team for route in pact.routing if route.condition is None or route.condition(record))


def _plan(rng: random.Random, pact: Pact) -> list[tuple[str, str]]:
    """A weighted choice of the path a lead takes after it is assigned."""
    roll = rng.random()
    recycle = ("recycle", rng.choice(pact.recycle.reasons))
    paths: list[tuple[float, list[tuple[str, str]]]] = [
        (0.10, []),
        (0.22, [("reject", rng.choice(pact.handoff.reject_reasons))]),
        (0.30, [("accept", "")]),
        (0.40, [("accept", ""), ("work", "")]),
        (0.52, [("accept", ""), ("work", ""), recycle]),
        (0.58, [("accept", ""), ("work", ""), ("disqualify", rng.choice(pact.outcomes.disqualify_reasons))]),
        (0.68, [("accept", ""), ("work", ""), ("convert", "")]),
        (0.84, [("accept", ""), ("work", ""), ("convert", ""), ("win", "")]),
        (1.00, [("accept", ""), ("work", ""), ("convert", ""), ("lose", rng.choice(pact.outcomes.lost_reasons))]),
    ]
    return next(steps for limit, steps in paths if roll < limit)
