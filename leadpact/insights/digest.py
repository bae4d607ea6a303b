"""The daily digest: each reader's figures over yesterday and the last 7 days against a day earlier, the commitments
so far, and the leads that need them. Queued through the outbox once a day, when the pact's hour has come in the
pact's time zone."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string

from leadpact.accounts.models import RoleChoices, User
from leadpact.accounts.permissions import lead_scope, managed_teams
from leadpact.core.lifecycle import Stage
from leadpact.core.pact import Digest, Pact
from leadpact.core.sla import CLOCK_LABELS, ClockKind
from leadpact.insights.commitments import current_figures
from leadpact.insights.filters import Filters, end_of, start_of
from leadpact.insights.models import DigestRun
from leadpact.insights.reports import run, say, share
from leadpact.leads.models import Lead, Round
from leadpact.leads.rounds import report_zone
from leadpact.notify.content import Content, when
from leadpact.notify.models import ChannelChoices, Message
from leadpact.pact.selectors import pact_in_force
from leadpact.sla.models import Clock

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAYS = {"day": range(7), "weekday": range(5), **{name: (number,) for number, name in enumerate(WEEKDAYS)}}
AUDIENCE_ROLES = {"marketing": RoleChoices.MARKETING, "reps": RoleChoices.REP, "admins": RoleChoices.ADMIN}
# What each digest counts: key -> label, and how the value reads.
FIGURES = {"mql": ("New MQLs", "count"), "accepted": ("Accepted by sales", "count"),
           "rejected": ("Rejected by sales", "count"), "within_sla": ("Within the response SLA", "share"),
           "breaches": ("Response SLA breaches", "count")}
MAX_LINES = 10  # leads listed per section; the rest are counted
DAY = dt.timedelta(days=1)
Reader = User | str  # an account, or an address the pact names that has none


@dataclass
class Section:
    title: str
    lines: list[tuple[str, str]]  # (what, link to the lead)
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.lines)


@dataclass
class DigestPage:
    """What one reader's digest says; `news` is false when there is nothing in it (then it is not sent)."""

    address: str
    day: dt.date
    scope: str
    rows: list[tuple[str, str, str]]  # label, yesterday, last 7 days
    promises: list[str]
    sections: list[Section]
    news: bool


def digest_day(digest: Digest | None, now: dt.datetime, zone: str = "UTC") -> dt.date | None:
    """The day whose digest is due at `now`: today in the pact's time zone `zone`, once the pact's hour has come on a
    day it names. A worker that starts late still sends today's; a day that passed without a worker is not sent
    later."""
    if digest is None:
        return None
    local = now.astimezone(zoneinfo.ZoneInfo(zone))
    hour, minute = (int(part) for part in digest.at.split(":"))
    due = local.weekday() in DAYS[digest.every] and local.time() >= dt.time(hour, minute)
    return local.date() if due else None


def digest_queue_due(now: dt.datetime) -> int:
    """Queue today's digest if it is due and not queued yet; returns the emails queued. The day's row and its emails
    are written in one transaction: another worker's row for the same day is refused, and its emails with it."""
    _, pact = pact_in_force(now)
    day = digest_day(pact.digest, now, pact.timezone)
    if day is None or DigestRun.objects.filter(day=day).exists():
        return 0
    messages = digest_messages(pact, now)
    with transaction.atomic():
        try:
            with transaction.atomic():
                DigestRun.objects.create(day=day, queued_at=now, messages=len(messages))
        except IntegrityError:
            return 0  # another worker queued today's digest first
        Message.objects.bulk_create(messages)
    return len(messages)


def digest_messages(pact: Pact, now: dt.datetime) -> list[Message]:
    """The digest emails, unsaved: one per reader who has something to read."""
    if pact.digest is None or _quiet(now.astimezone(report_zone()).date()):
        return []
    promises = _promises(pact, now)
    messages = []
    for reader in readers(pact.digest, pact):
        page = digest_page(reader, now, promises)
        if page.news:
            body = render(page)
            messages.append(Message(channel=ChannelChoices.EMAIL, event="digest", recipient=page.address,
                                    subject=body.subject, text=body.text, html=body.html,
                                    payload={"day": page.day.isoformat()}, next_try_at=now, created_at=now))
    return messages


def digest_preview(user: User, now: dt.datetime) -> Content:
    """The digest `user` would get at `now`, whether or not the pact sends one (one with nothing in it is not sent)."""
    return render(digest_page(user, now, _promises(pact_in_force(now)[1], now)))


def readers(digest: Digest, pact: Pact) -> list[Reader]:
    """Who gets the digest, once each: the active accounts of the teams' managers and of the roles the pact names, and
    each address it names (an address without an account gets the figures of all teams, without lead names)."""
    active = User.objects.filter(is_active=True).order_by("email")
    found: dict[str, Reader] = {}
    for audience in digest.to:
        if audience == "managers":
            people: list[Reader] = list(active.filter(email__in=[team.manager for team in pact.teams.values()]))
        elif audience in AUDIENCE_ROLES:
            people = list(active.filter(role=AUDIENCE_ROLES[audience]))
        else:  # an address: its person (none once deactivated), or the address itself when it has no account
            account = User.objects.filter(email__iexact=audience).first()
            people = [audience] if account is None else [account] if account.is_active else []
        for person in people:
            found.setdefault(_address(person), person)
    return list(found.values())


def _quiet(today: dt.date) -> bool:
    """Nothing any digest could show: no lead qualified, handed over or handed back in the 8 days before today, and
    none waiting for action (a cheap look before the reports run for every reader)."""
    since, until = start_of(today - 8 * DAY), start_of(today)
    alerted = Q(stopped_at__isnull=True) & (Q(warned_at__isnull=False) | Q(breached_at__isnull=False))
    return not (Round.objects.filter(Q(mql_day__gte=today - 8 * DAY, mql_day__lt=today)
                                     | Q(recycled_at__gte=since, recycled_at__lt=until)).exists()
                or Clock.objects.filter(Q(started_at__gte=since, started_at__lt=until) | alerted).exists()
                or Lead.objects.filter(stage=Stage.MQL, queued_at__isnull=False).exists())


def digest_page(reader: Reader, now: dt.datetime, promises: list[str]) -> DigestPage:
    """What `reader` reads in the digest of the day `now` falls on."""
    today = now.astimezone(report_zone()).date()
    values = {(days, back): figures(_period(today - days * DAY - back * DAY, today - DAY - back * DAY, reader, now),
                                    now) for days in (1, 7) for back in (0, 1)}
    rows = [(label, *(_cell(values[days, 0][key], values[days, 1][key], kind) for days in (1, 7)))
            for key, (label, kind) in FIGURES.items()]
    sections = _sections(reader, now, today)
    news = any(values[7, back][key] for back in (0, 1) for key in FIGURES) or any(s.total for s in sections)
    return DigestPage(_address(reader), today, _scope(reader, now), rows, promises, sections, news)


def figures(filters: Filters, now: dt.datetime) -> dict[str, float | None]:
    """The digest's figures over the filters' period, as the funnel and the response SLA reports count them."""
    sla = run("sla", filters, now)
    response, acceptance = sla.table("response").rows, sla.table("acceptance").rows
    return {"mql": run("funnel", filters, now, by="team").table("cohorts").rows[-1]["mql"],
            "accepted": _total(acceptance, "accepted"), "rejected": _total(acceptance, "rejected"),
            "within_sla": share(_total(response, "within"), _total(response, "counted")),
            "breaches": _total(response, "breached")}


def _total(rows: list[dict], key: str) -> int:
    return sum(row[key] for row in rows)


def _period(since: dt.date, until: dt.date, reader: Reader, now: dt.datetime) -> Filters:
    """The days read as they stood when the last one ended, narrowed to what the reader may see."""
    filters = Filters(since, until, as_of=end_of(until))
    return filters.seen_by(reader, now) if isinstance(reader, User) else filters


def _cell(value: float | None, before: float | None, kind: str) -> str:
    shown, earlier = say(value, kind), say(before, kind)
    return shown if shown == earlier else f"{shown} (was {earlier})"


def _promises(pact: Pact, now: dt.datetime) -> list[str]:
    """Each commitment over its period to the end of yesterday, met or missed, against a day earlier."""
    today = now.astimezone(report_zone()).date()
    latest, earlier = (current_figures(pact, start_of(day) - dt.timedelta(microseconds=1))
                       for day in (today, today - DAY))
    before = {(f.commitment, f.since): f.actual for f in earlier}
    lines = []
    for f in latest:
        verdict = {None: "no figures yet", True: "met", False: "missed"}[f.met]
        shown, earlier = (_amount(value, f.commitment.is_share)
                          for value in (f.actual, before.get((f.commitment, f.since), f.actual)))
        lines.append(f"{f.commitment.side.capitalize()}: {f.label}, {f.commitment.per} from {_day(f.since)}: {shown} "
                     f"of {_amount(f.commitment.at_least, f.commitment.is_share)}, {verdict}"
                     + ("" if earlier == shown else f" (was {earlier})"))  # a period that just began has no "was"
    return lines


def _amount(value: float | None, is_share: bool) -> str:
    """A commitment's value: a share, or a count without a decimal point (an average keeps one)."""
    if is_share or value is None:
        return say(value, "share")
    return say(int(value), "count") if float(value).is_integer() else say(value, "number")


def _sections(reader: Reader, now: dt.datetime, today: dt.date) -> list[Section]:
    if not isinstance(reader, User):
        return []
    zone = reader.timezone
    if reader.role == RoleChoices.MARKETING:
        since, until = start_of(today - DAY), start_of(today)
        back = Round.objects.filter(outcome="recycled", recycled_at__gte=since, recycled_at__lt=until)
        again = Round.objects.filter(returning=True, mql_at__gte=since, mql_at__lt=until)
        return [_section("Handed back to marketing yesterday", back.order_by("recycled_at"), lambda r: (
                    f"{_name(r.lead)}: {r.outcome_reason or 'no reason'}, from {getattr(r.owner, 'email', 'nobody')}")),
                _section("Qualified again yesterday (returning MQLs)", again.order_by("mql_at"), lambda r: (
                    f"{_name(r.lead)}, to {r.team or 'no team yet'}"))]
    scope = lead_scope(reader, now) or Q()
    clocks = Clock.objects.filter(scope, stopped_at__isnull=True, kind__in=[ClockKind.ACCEPT, ClockKind.RESPONSE]) \
        .filter(Q(warned_at__isnull=False) | Q(breached_at__isnull=False)).order_by("breached_at", "due_at")
    queue = Lead.objects.filter(scope, stage=Stage.MQL, queued_at__isnull=False).order_by("queued_at")
    return [_section("Past the warning or breached", clocks, lambda c: (
                f"{CLOCK_LABELS[ClockKind(c.kind)]} {'breached' if c.breached_at else 'past its warning'}: "
                f"{_name(c.lead)}, {getattr(c.owner, 'email', 'nobody')}, due {when(c.due_at, zone)}")),
            _section("Waiting for an owner", queue, lambda lead: (
                f"{_name(lead)}, in the {lead.team or 'routing'} queue since {when(lead.queued_at, zone)}"))]


def _section(title: str, rows: QuerySet, describe: Callable[[Any], str]) -> Section:
    related = ["lead", "owner"] if rows.model is not Lead else []
    picked = list(rows.select_related(*related)[:MAX_LINES])
    return Section(title, [(describe(row), _link(row.lead_id if related else row.pk)) for row in picked],
                   rows.count() if len(picked) == MAX_LINES else len(picked))


def _scope(reader: Reader, now: dt.datetime) -> str:
    if isinstance(reader, User) and reader.role == RoleChoices.MANAGER:
        teams = managed_teams(reader, now)
        return f"Your team{'s' if len(teams) > 1 else ''}: {', '.join(sorted(teams))}" if teams else "Your leads"
    return "Your leads" if isinstance(reader, User) and reader.role == RoleChoices.REP else "All teams"


def render(page: DigestPage) -> Content:
    """The digest as an email: a subject, plain text and HTML."""
    waiting = sum(section.total for section in page.sections)
    subject = f"Lead digest for {_day(page.day)}: " + (
        f"{waiting} lead{'s' if waiting != 1 else ''} to look at" if waiting else "no lead needs you")
    context = {"subject": subject, "page": page, "yesterday": _day(page.day - DAY), "week": _day(page.day - 7 * DAY),
               "labels": ("yesterday", "last 7 days"), "base": settings.BASE_URL.rstrip("/")}
    return Content(subject, render_to_string("notify/digest.txt", context),
                   render_to_string("notify/digest.html", context))


def _address(reader: Reader) -> str:
    return reader.email if isinstance(reader, User) else reader


def _name(lead: Lead) -> str:
    name = lead.name or lead.email or f"lead {lead.pk}"
    return f"{name} ({lead.company})" if lead.company else name


def _link(lead_id: int) -> str:
    return f"{settings.BASE_URL.rstrip('/')}/leads/{lead_id}"


def _day(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b}"
