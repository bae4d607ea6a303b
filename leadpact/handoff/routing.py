"""Routing in the store: the worker takes MQLs from the queue, asks the core who should own each, and hands it over
(or keeps it waiting, visibly, and tells the manager once)."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count

from leadpact.accounts.models import User
from leadpact.core.business_time import business_calendar
from leadpact.core.fields import FREE_MAIL_DOMAINS
from leadpact.core.lifecycle import SYSTEM, WORKLOAD, Actor, Stage
from leadpact.core.pact import Pact, Team
from leadpact.core.routing import Choice, Member, choose_owner, pick_team
from leadpact.core.sla import ClockKind
from leadpact.handoff.models import OutOfOffice, Rotation
from leadpact.leads.batch import Batch, write_batch
from leadpact.leads.models import EventKind, Lead
from leadpact.leads.services import lead_record
from leadpact.notify.services import notify_people
from leadpact.pact.models import PactVersion
from leadpact.pact.selectors import pact_in_force
from leadpact.sla.models import Clock, StopReason

log = logging.getLogger(__name__)
# A lead nobody could take is tried again this often (and at once when someone is assigned by hand).
RETRY_QUEUE_EVERY = dt.timedelta(minutes=10)
_NOT_AGAIN = "let the acceptance window run out this round"


@dataclass
class RoutingReport:
    assigned: int = 0
    queued: int = 0
    failed: int = 0


def leads_route_due(now: dt.datetime, limit: int = 200) -> RoutingReport:
    """Route the MQLs whose turn has come, oldest first, each in a transaction of its own (so that a team's rotation
    is held only while one lead is placed); each worker claims its own leads (rows others skip)."""
    report = RoutingReport()
    version, pact = pact_in_force(now)
    for _ in range(limit):
        with transaction.atomic():
            lead = (Lead.objects.select_for_update(skip_locked=True).filter(route_at__lte=now, stage=Stage.MQL)
                    .order_by("route_at", "id").first())
            if lead is None:
                break
            placed = _route_safely(lead, version, pact, now)
        report.assigned += placed is True
        report.queued += placed is False
        report.failed += placed is None
    return report


def _route_safely(lead: Lead, version: PactVersion, pact: Pact, now: dt.datetime) -> bool | None:
    """Route one lead; if that fails (a bug, bad data), it waits and is tried again later, and the others go on."""
    try:
        with transaction.atomic():
            return lead_route(lead, version, pact, now)
    except Exception:  # noqa: BLE001 - one lead must not stop the routing of every other
        log.exception("routing lead %s failed; trying again in %s", lead.pk, RETRY_QUEUE_EVERY)
        Lead.objects.filter(pk=lead.pk).update(route_at=now + RETRY_QUEUE_EVERY)
        return None


def lead_route(lead: Lead, version: PactVersion, pact: Pact, now: dt.datetime, actor: Actor = SYSTEM) -> bool:
    """Pick the team and the owner of a locked MQL and hand it over; True when someone took it. People who let its
    acceptance window run out in this round are not asked again."""
    from leadpact.handoff.services import lead_hand_over

    record, _ = lead_record(lead, pact, now)
    team_name, rule = pick_team(pact, record)
    account_owner = _account_owner(lead, pact) if pact.handoff.account_owner else None
    if account_owner:
        team_name = next((t.name for t in pact.teams.values() if account_owner in t.members), team_name)
    team = pact.teams[team_name]
    rotation = Rotation.objects.select_for_update().get_or_create(team=team.name)[0]
    exclude = _let_it_expire(lead)
    choice = choose_owner(team, team_members(team, pact, now, rotation, exclude), rotation.last_assigned or None,
                          account_owner)
    choice.why["rule"] = rule
    if choice.owner is None:
        _keep_waiting(lead, team, choice, version, pact, now)
        return False
    rotation.last_assigned = choice.owner
    rotation.counts[choice.owner] = rotation.counts.get(choice.owner, 0) + 1
    rotation.save(update_fields=["last_assigned", "counts"])
    owner = User.objects.get(email=choice.owner)
    lead_hand_over(lead, owner, team.name, why=choice.why, version=version, pact=pact, now=now, actor=actor)
    return True


def _let_it_expire(lead: Lead) -> frozenset[str]:
    return frozenset(Clock.objects.filter(lead=lead, round=lead.rounds, kind=ClockKind.ACCEPT,
                                          stop_reason=StopReason.EXPIRED).values_list("owner__email", flat=True))


def team_members(team: Team, pact: Pact, now: dt.datetime, rotation: Rotation | None = None,
                 exclude: frozenset[str] = frozenset()) -> list[Member]:
    """The team as routing sees it now: each member's open leads, whether they are at work, their share so far.
    At work means: an active account, not excluded, and not out of office when the team's calendar next opens."""
    users = {u.email: u for u in User.objects.filter(email__in=team.members, is_active=True)}
    load = Counter(dict(Lead.objects.filter(owner__email__in=team.members, stage__in=[s.value for s in WORKLOAD])
                        .values("owner__email").annotate(n=Count("id")).values_list("owner__email", "n")))
    opening = business_calendar(pact.calendars[team.calendar]).next_open(now)
    away = _away(list(users.values()), opening)
    counts = rotation.counts if rotation else {}
    members = []
    for email in team.members:
        reason = ("has no active account" if email not in users else _NOT_AGAIN if email in exclude
                  else away.get(email, ""))
        members.append(Member(email, load[email], at_work=not reason, away_until=reason,
                              assigned=int(counts.get(email, 0)), weight=team.weights.get(email, 1)))
    return members


def _away(users: list[User], at: dt.datetime) -> dict[str, str]:
    """Who is out of office at `at`, and until when."""
    periods = OutOfOffice.objects.filter(user__in=users, starts_at__lte=at, ends_at__gt=at).select_related("user")
    return {p.user.email: f"out of office until {p.ends_at:%Y-%m-%d %H:%M} UTC" for p in periods}


def _account_owner(lead: Lead, pact: Pact) -> str | None:
    """The person who owns the lead's company already: the owner of its latest other lead with an owner."""
    if not lead.domain or lead.domain in FREE_MAIL_DOMAINS:
        return None
    members = {m for team in pact.teams.values() for m in team.members}
    email = (Lead.objects.filter(domain=lead.domain, owner__isnull=False).exclude(pk=lead.pk)
             .order_by("-assigned_at", "-id").values_list("owner__email", flat=True).first())
    return email if email in members else None


def _keep_waiting(lead: Lead, team: Team, choice: Choice, version: PactVersion, pact: Pact, now: dt.datetime) -> None:
    """Nobody can take the lead: it waits in the team's queue, and the manager hears of it once."""
    first_time = lead.queued_at is None
    # People who let the window run out are not asked again this round: only a manager can place the lead then.
    anyone_later = any(why != _NOT_AGAIN for why in choice.why.get("skipped", {}).values())
    lead.team, lead.route_at = team.name, (now + RETRY_QUEUE_EVERY) if anyone_later else None
    if first_time:
        lead.queued_at = now
    batch = Batch(version, pact, SYSTEM, now, changed={lead.pk: lead})
    if first_time:
        batch.event(lead, EventKind.QUEUED, data={"why": choice.why})
    write_batch(batch)
    if first_time:
        skipped = choice.why.get("skipped", {})
        because = "; ".join(f"{who}: {why}" for who, why in skipped.items()) or choice.why.get("because", "")
        notify_people("queued", lead, [team.manager], channels=pact.handoff.notify, now=now,
                      context={"team": team.name, "because": because})
