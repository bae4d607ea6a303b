"""The set-up of bench_reports.py: a database holding a generated 18-month history of leads — their events, contact
attempts and SLA clocks, consistent with one another and with the example pact — and the rounds folded from it by
`leadpact.leads.rounds.rebuild()`. Rows are written in bulk (COPY on PostgreSQL, executemany on SQLite), not
through the services; the same seed gives the same history on both databases."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
import re
import time
from contextlib import closing

import orjson
from worker_setup import PACT

from leadpact.core.lifecycle import TRANSITIONS

HISTORY_START = dt.datetime(2025, 5, 1, tzinfo=dt.UTC)
HISTORY_END = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)  # the instant the reports are run at
SEED = 20261101
CHUNK = 20_000  # leads generated and written at a time
LOADED_TABLES = ("leads_lead", "leads_leadevent", "handoff_attempt", "sla_clock")


# The pact and its people -----------------------------------------------------------------------------------------

def sign_pact():
    """The example pact in force since 2025-01-01, before the history starts: signed in December 2024 by the
    marketing owner and a sales manager. Returns the version, the pact, and each person's id by email."""
    from leadpact.demo.people import MARKETING_EMAIL, demo_people
    from leadpact.pact.selectors import pact_of
    from leadpact.pact.services import pact_propose, pact_sign

    version, _ = pact_propose(re.sub(r"(?m)^effective: \S+", "effective: 2025-01-01", PACT.read_text(), count=1))
    pact = pact_of(version)
    people = demo_people(pact)
    for email in (MARKETING_EMAIL, next(iter(pact.teams.values())).manager):
        pact_sign(version, people[email], dt.datetime(2024, 12, 15, tzinfo=dt.UTC))
    return version, pact, {email: user.pk for email, user in people.items()}


# The generated history --------------------------------------------------------------------------------------------

DAY = 86400
SOURCES = {"Web": 28, "Paid Search": 18, "LinkedIn Ads": 12, "Webinar": 10, "Trade Show": 8, "Referral": 7,
           "Partner": 9, "Email": 8}
LEAD_TYPES = {"demo_request": 25, "content_download": 35, "event_attendee": 20, "contact_us": 20}
COUNTRIES = {"US": 52, "CA": 8, "DE": 9, "GB": 9, "FR": 5, "NL": 3, "AU": 6, "IN": 8}
SYSTEM, FORM, MARKETING = ("system", "system"), ("form", "system"), ("user:mia@acme.example", "marketing")
NO_CONTACT, CONTACT = ("no_answer", "voicemail", "email_sent", "bounced"), ("connected", "meeting_booked")
TARGETS = {name: transition.target.value for name, transition in TRANSITIONS.items()}


class StoryEnds(Exception):
    """The story reached the end of the history: the lead stays where it is."""


class World:
    """What every lead's story shares: the pact (teams, calendars, windows, reasons), the people, the period."""

    def __init__(self, pact, version_id: int, people: dict[str, int], start: dt.datetime, end: dt.datetime):
        from leadpact.core.business_time import business_calendar

        self.pact, self.version, self.people = pact, version_id, people
        self.start, self.end = int(start.timestamp()), int(end.timestamp())
        self.calendars = {name: business_calendar(pact.calendars[team.calendar]) for name, team in pact.teams.items()}
        self.rotation = dict.fromkeys(pact.teams, 0)
        self.accept_within = pact.handoff.accept_within.seconds
        self.response_within = {key: kind.response_within.seconds for key, kind in pact.lead_types.items()}
        self.recycle_reasons = [r for r in pact.recycle.reasons if r != "no_response"]
        self.stamp = str

    def next_owner(self, team: str, not_this: str | None = None) -> str:
        """Round robin over the team's members (never back to one who let the window run out)."""
        members = self.pact.teams[team].members
        while True:
            self.rotation[team] += 1
            if members[self.rotation[team] % len(members)] != not_this:
                return members[self.rotation[team] % len(members)]


class Clock:
    """An accept or response window of one hand-off, as the product keeps it (instants as epoch seconds)."""

    __slots__ = ("breached", "due", "kind", "owner", "reason", "round", "seconds", "started", "stopped", "team", "warn",
                 "warned")

    def __init__(self, kind: str, number: int, owner: str, team: str, started: int, due: int, warn: int):
        self.kind, self.round, self.owner, self.team = kind, number, owner, team
        self.started, self.due, self.warn = started, due, warn
        self.warned = self.breached = self.stopped = self.seconds = None
        self.reason = ""


class LeadStory:
    """One lead's generated life: created and scored; about 60% become MQLs and go through hand-off, acceptance,
    attempts and an outcome, some coming back for a 2nd or 3rd round. Events, attempts and clocks agree, and the
    running clocks' warnings and breaches are in the history as the worker writes them."""

    def __init__(self, world: World, lead_id: int, created: int, rng: random.Random):
        self.w, self.id, self.rng, self.created, self.at = world, lead_id, rng, created, created
        self.events, self.attempts, self.clocks, self.open_clocks = [], [], [], []
        self.lead_type, self.source, self.country = (pick(rng, choices) for choices in (LEAD_TYPES, SOURCES, COUNTRIES))
        self.employees = int(rng.lognormvariate(5.0, 1.6)) + 1
        self.team = ("emea" if self.country in ("DE", "FR", "GB", "NL") else  # the pact's routing rules, in order
                     "enterprise" if self.employees >= 1000 else "commercial")
        self.calendar = world.calendars[self.team]
        self.campaign = f"{self.source.lower().replace(' ', '-')}-{time.gmtime(created).tm_year}"
        self.stage, self.rounds, self.owner, self.held_by, self.assigned_at = "inquiry", 0, None, "", None
        self.tried, self.contacted_at, self.changed_at, self.scored_at, self.track = 0, None, created, created, ""
        try:
            self.live()
            self.fire_until(world.end)
        except StoryEnds:
            pass

    # The story -------------------------------------------------------------------------------------------------

    def live(self) -> None:
        rng, t = self.rng, self.created
        self.event(t, "created", *FORM, to_stage="inquiry", after=json_text(
            {"email": self.email, "lead_type": self.lead_type, "source": self.source, "country": self.country}))
        self.scored(t)
        if self.lead_type != "demo_request" and rng.random() >= 0.47:  # a demo request is an MQL by the pact
            if rng.random() < 0.5:
                self.move(t + rng.randint(1, 10) * DAY, "nurture", *MARKETING)
            for _ in range(rng.randint(1, 5)):
                self.scored(self.at + rng.randint(1, 40) * DAY)
            return
        for _ in range(0 if self.lead_type == "demo_request" else rng.randint(1, 4)):
            t = self.scored(t + rng.randint(1, 12) * DAY)
        while t is not None and self.rounds < 3:
            t = self.round(t)

    def round(self, qualified: int) -> int | None:
        """One MQL round; returns when the lead qualifies again, or None."""
        rng, w = self.rng, self.w
        self.move(qualified, "qualify", *SYSTEM, data=json_text({"why": "mql_when", "by": "form", "lead": {
            "lead_type": self.lead_type, "source": self.source, "campaign": self.campaign}}))  # what it was then
        assigned, owner = qualified + rng.randint(30, 900), w.next_owner(self.team)
        self.assign(assigned, owner)
        delay = int(rng.lognormvariate(7.8, 0.9))  # business seconds to accept or reject (median 41 min)
        if delay > w.accept_within:  # the window runs out: the worker hands the lead to the next person
            self.expire(self.open_clocks[0].due + rng.randint(5, 60))
            assigned = self.at + rng.randint(30, 300)
            self.assign(assigned, w.next_owner(self.team, owner))
            delay = min(int(rng.lognormvariate(7.8, 0.9)), w.accept_within - 60)
        decided = self.calendar.add_seconds(assigned, delay)
        if rng.random() < 0.22:
            self.move(decided, "reject", *self.rep, reason=rng.choice(w.pact.handoff.reject_reasons))
            self.stop(decided, "rejected", *self.open_clocks)
            return self.requalified(0.10)
        self.move(decided, "accept", *self.rep)
        self.stop(decided, "accepted", self.open_clocks[0])
        if not self.attempt_all(assigned, delay):
            self.move(self.at, "recycle", *SYSTEM, reason="no_response", data='{"attempts":6}')
            return self.requalified(0.35)
        return self.after_contact()

    def attempt_all(self, assigned: int, accepted_after: int) -> bool:
        """The cadence's attempts from the hand-off until contact (True) or the last step (False)."""
        rng = self.rng
        within = self.w.response_within[self.lead_type]
        first = max(int(within * 0.35 * rng.lognormvariate(0, 0.9)), accepted_after + 60)
        t = self.calendar.add_seconds(assigned, first)
        for number, step in enumerate(self.w.pact.cadence.steps, 1):
            if number > 1:  # around the step's time: its days as calendar days, then into business hours
                due = self.calendar.add_seconds(assigned + step.after.days * DAY, max(step.after.seconds, 1))
                t = max(t + 600, due + rng.randint(0, 7200))
            contact = rng.random() < 0.25
            self.attempt(t, number, step.channel, rng.choice(CONTACT if contact else NO_CONTACT), contact)
            if number == 1:
                self.move(t, "work", *self.rep)
                self.stop(t, "attempted", self.open_clocks[1])
            if contact:
                return True
        return False

    def after_contact(self) -> int | None:
        rng, reasons = self.rng, self.w.pact.outcomes
        t, chance = self.at + rng.randint(1, 20) * DAY + rng.randint(0, 8 * 3600), rng.random()
        if chance < 0.40:
            self.move(t, "convert", *self.rep)
            t, chance = t + rng.randint(10, 90) * DAY, rng.random()
            if chance < 0.30:
                self.move(t, "win", *self.rep)
            elif chance < 0.85:
                self.move(t, "lose", *self.rep, reason=rng.choice(reasons.lost_reasons))
            return None
        if chance < 0.82:
            self.move(t, "recycle", *self.rep, reason=rng.choice(self.w.recycle_reasons), data='{"attempts":1}')
            return self.requalified(0.35)
        self.move(t, "disqualify", *self.rep, reason=rng.choice(reasons.disqualify_reasons))
        return None

    def requalified(self, chance: float) -> int | None:
        """Back with marketing: new engagement makes some leads MQLs again a few months later."""
        if self.rng.random() >= chance:
            return None
        return self.scored(self.at + self.rng.randint(30, 150) * DAY)

    # What the services would write -----------------------------------------------------------------------------

    def event(self, at: int, kind: str, actor: str, role: str, transition: str = "", from_stage: str = "",
              to_stage: str = "", reason: str = "", before: str = "{}", after: str = "{}", data: str = "{}") -> None:
        if at >= self.w.end:
            self.fire_until(self.w.end)
            raise StoryEnds
        self.fire_until(at)
        self.at = at
        self.events.append((self.id, self.w.stamp(at), kind, actor, role, transition, from_stage, to_stage, reason, "",
                            self.w.version, before, after, data))

    def move(self, at: int, transition: str, actor: str, role: str, reason: str = "", data: str = "{}") -> None:
        target = TARGETS[transition]
        self.event(at, "transition", actor, role, transition, self.stage, target, reason, stage_json(self.stage),
                   stage_json(target), data)
        self.stage, self.changed_at = target, at
        if transition == "qualify":
            self.rounds += 1
            self.owner, self.assigned_at, self.tried, self.contacted_at = None, None, 0, None
        elif transition == "recycle":
            self.track = "default"

    def scored(self, at: int) -> int:
        fit, engagement = self.rng.choice((0, 10, 25, 35, 45)), self.rng.randint(0, 60)
        self.event(at, "scored", *SYSTEM, data=f'{{"fit":{fit},"engagement":{engagement}}}')
        self.scored_at = at
        return at

    def assign(self, at: int, owner: str) -> None:
        """The hand-off: the acceptance window and the response SLA of the lead's type start in the team calendar."""
        self.move(at, "assign", *SYSTEM, data=json_text({"why": {"rule": self.team}, "owner": owner,
                                                          "team": self.team}))
        self.owner, self.held_by, self.assigned_at = owner, self.team, at
        self.open_clocks = [Clock(kind, self.rounds, owner, self.team, at, self.calendar.add_seconds(at, seconds),
                                  self.calendar.add_seconds(at, int(seconds * self.w.pact.response.warn_at)))
                            for kind, seconds in (("accept", self.w.accept_within),
                                                  ("response", self.w.response_within[self.lead_type]))]
        self.clocks += self.open_clocks

    def expire(self, at: int) -> None:
        """The acceptance window ran out: the worker stops it and the response clock, and the lead goes back to the
        routing queue."""
        accept, response = self.open_clocks
        self.event(at, "clock", *SYSTEM, data=self.clock_data(accept, "expired"))
        accept.breached = at
        self.stop(at, "expired", accept)
        self.stop(at, "reassigned", response)
        self.move(at, "unassign", *SYSTEM, reason="not_accepted_in_time",
                  data=json_text({"previous_owner": self.owner}))

    def attempt(self, at: int, number: int, channel: str, outcome: str, contact: bool) -> None:
        self.event(at, "attempt", *self.rep, data=json_text(
            {"number": number, "channel": channel, "outcome": outcome, "contact": contact}))
        self.attempts.append((self.id, self.rounds, number, channel, outcome, "", self.w.stamp(at),
                              self.w.people[self.owner], self.w.version))
        self.tried, self.contacted_at = number, at if contact else self.contacted_at

    def stop(self, at: int, reason: str, *clocks: Clock) -> None:
        for clock in clocks:
            if clock.stopped is None:
                clock.stopped, clock.reason = at, reason
                clock.seconds = self.calendar.seconds_between(clock.started, at)

    def fire_until(self, until: int) -> None:
        """What the worker did before `until` on the running clocks: warnings, then response breaches."""
        for clock in self.open_clocks:
            for what, instant in (("warned", clock.warn), ("breached", clock.due)):
                fired = instant + 30
                if clock.stopped is None and getattr(clock, what) is None and fired < until and (
                        what == "warned" or clock.kind == "response"):
                    setattr(clock, what, fired)
                    self.at = fired
                    self.events.append((self.id, self.w.stamp(fired), "clock", *SYSTEM, "", "", "", "", "",
                                        self.w.version, "{}", "{}", self.clock_data(clock, what)))

    def clock_data(self, clock: Clock, what: str) -> str:
        return json_text({"clock": clock.kind, "what": what, "owner_id": self.w.people[clock.owner],
                          "due_at": dt.datetime.fromtimestamp(clock.due, dt.UTC).isoformat(), "late_seconds": 0})

    # Rows, in the column order of the models --------------------------------------------------------------------

    @property
    def rep(self) -> tuple[str, str]:
        return f"user:{self.owner}", "rep"

    @property
    def email(self) -> str:
        return f"lead{self.id}@company{self.id % 50_000}.example"

    def lead_row(self) -> tuple:
        stamp, optional, w = self.w.stamp, self.optional_stamp, self.w
        return (self.id, self.email, None, f"First{self.id % 997}", f"Last{self.id % 991}", "", "",
                f"Company {self.id % 50_000}", "", f"company{self.id % 50_000}.example", self.employees, "",
                self.country, "", self.lead_type, self.source, self.campaign, "", "{}", self.stage,
                stamp(self.changed_at), w.people.get(self.owner), self.held_by, self.rounds, self.rounds > 1,
                optional(self.assigned_at), stamp(self.changed_at) if self.stage == "mql" else None, None, self.tried,
                optional(self.contacted_at), self.track, 0, 0.0, None, "[]", stamp(self.scored_at), w.version,
                stamp(self.created), stamp(self.at))

    def clock_rows(self) -> list[tuple]:
        stamp, optional, w = self.w.stamp, self.optional_stamp, self.w
        return [(self.id, c.kind, c.round, None, "", w.people[c.owner], c.team, w.pact.teams[c.team].calendar,
                 w.version, stamp(c.started), stamp(c.due), stamp(c.warn), optional(c.warned), optional(c.breached),
                 optional(c.stopped), c.reason, c.seconds, optional(next_fire(c)), 0, "", self.lead_type)
                for c in self.clocks]

    def optional_stamp(self, epoch: int | None) -> str | None:
        return None if epoch is None else self.w.stamp(epoch)


def next_fire(clock: Clock) -> int | None:
    """When the worker acts next on the clock, as `leadpact.sla.services.next_fire` says."""
    if clock.stopped is not None:
        return None
    return clock.warn if clock.warned is None else clock.due if clock.breached is None else None


def pick(rng: random.Random, weights: dict[str, int], cumulated: dict[int, tuple] = {}) -> str:  # noqa: B006
    """A key drawn by its weight (the cumulated weights are kept between calls)."""
    keys, totals = cumulated.get(id(weights)) or cumulated.setdefault(
        id(weights), (list(weights), list(itertools.accumulate(weights.values()))))
    return keys[bisect.bisect_right(totals, rng.random() * totals[-1])]


def stage_json(stage: str, known: dict[str, str] = {}) -> str:  # noqa: B006
    return known.get(stage) or known.setdefault(stage, json_text({"stage": stage}))


def json_text(value) -> str:
    return orjson.dumps(value).decode()


# Writing ----------------------------------------------------------------------------------------------------------

class Sink:
    """Writes generated rows to the tables of the Django connection: COPY on PostgreSQL, executemany on SQLite.
    Foreign keys are not checked while loading (the generator keeps them), and the secondary indexes of the loaded
    tables are dropped first and built again at the end, which is much faster than keeping them up to date."""

    def __init__(self) -> None:
        from django.db import connection

        connection.ensure_connection()
        self.raw, self.postgres = connection.connection, connection.vendor == "postgresql"
        self.days: dict[int, str] = {}
        zone = "+00" if self.postgres else ""
        self.times = [f"{s // 3600:02}:{s // 60 % 60:02}:{s % 60:02}{zone}" for s in range(DAY)]
        self.indexes = self.run("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexdef "
                                "NOT LIKE 'CREATE UNIQUE%%'" if self.postgres else
                                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND "
                                "sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN (SELECT value FROM json_each(?))",
                                [list(LOADED_TABLES) if self.postgres else json_text(LOADED_TABLES)])
        for name, _ in self.indexes:
            self.run(f'DROP INDEX "{name}"')
        self.run("SET session_replication_role = replica" if self.postgres else "PRAGMA foreign_keys = OFF")

    def run(self, sql: str, params: list | None = None) -> list[tuple]:
        with closing(self.raw.cursor()) as cursor:
            cursor.execute(sql, params or [])
            rows = cursor.fetchall() if cursor.description else []
        self.raw.commit()
        return rows

    def stamp(self, epoch: int) -> str:
        """An instant as the database stores it (Django keeps naive UTC text on SQLite), from tables of days and
        times of day: formatting ten million instants one by one costs more than writing them."""
        day, second = divmod(epoch, DAY)
        text = self.days.get(day) or self.days.setdefault(day, time.strftime("%Y-%m-%d ", time.gmtime(day * DAY)))
        return text + self.times[second]

    def write(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        names = ", ".join(f'"{c}"' for c in columns)
        with closing(self.raw.cursor()) as cursor:
            if self.postgres:
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:  # one transaction per table and chunk (the connection is in autocommit mode)
                cursor.execute("BEGIN")
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})", rows)
        self.raw.commit()

    def finish(self) -> None:
        """Indexes back, foreign-key checks on, the id sequence of the leads past the ids given."""
        from django.core.management.color import no_style
        from django.db import connection

        from leadpact.leads.models import Lead

        for sql in [sql for _, sql in self.indexes] + connection.ops.sequence_reset_sql(no_style(), [Lead]):
            self.run(sql)
        self.run("SET session_replication_role = DEFAULT" if self.postgres else "PRAGMA foreign_keys = ON")


def set_up(leads: int, say=print) -> dict[str, float]:
    """Schema, pact and people, the generated history, the rounds rebuilt, statistics; seconds per part."""
    from django.core.management import call_command
    from django.db import connection

    from leadpact.leads.rounds import rebuild

    times, start = {}, time.perf_counter()
    call_command("migrate", verbosity=0)
    version, pact, people = sign_pact()
    times["schema, pact, people"] = time.perf_counter() - start
    start = time.perf_counter()
    generate(leads, World(pact, version.pk, people, HISTORY_START, HISTORY_END), say)
    times["generate and load the history"], start = time.perf_counter() - start, time.perf_counter()
    say("  rebuilding the rounds from the history", flush=True)
    say(f"  {rebuild():,} rounds rebuilt", flush=True)
    times["`rounds.rebuild()`"], start = time.perf_counter() - start, time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    times["VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"] = time.perf_counter() - start
    return times


def generate(leads: int, world: World, say=print) -> None:
    """`leads` leads created evenly over the history, each with its story; written CHUNK leads at a time."""
    from django.apps import apps

    sink, span = Sink(), world.end - world.start
    world.stamp = sink.stamp
    models = {model._meta.db_table: model for model in apps.get_models()}
    columns = {table: [f.column for f in models[table]._meta.concrete_fields if table == "leads_lead"
                       or not f.primary_key] for table in LOADED_TABLES}  # the leads' ids are given, the others' not
    for first in range(1, leads + 1, CHUNK):
        rng = random.Random(SEED * 1000 + first)
        stories = [LeadStory(world, lead_id, world.start + span * (lead_id - 1) // leads + rng.randrange(span // leads),
                             rng) for lead_id in range(first, min(first + CHUNK, leads + 1))]
        for table, rows in zip(LOADED_TABLES, ([s.lead_row() for s in stories], [e for s in stories for e in s.events],
                                               [a for s in stories for a in s.attempts],
                                               [c for s in stories for c in s.clock_rows()]), strict=True):
            sink.write(table, columns[table], rows)
        if first // CHUNK % 10 == 0:
            say(f"  {first + len(stories) - 1:,} leads written", flush=True)
    start = time.perf_counter()
    sink.finish()
    say(f"  indexes built again in {time.perf_counter() - start:.1f} s", flush=True)
