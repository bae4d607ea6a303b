"""The definition review: does the agreed MQL definition find the leads that become revenue? Precision (what became
of the MQLs), recall (how many won deals the definition catches, and how early), the lift of each scoring rule and
signal, and the leads sales gave up on that were won later."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter

from django.db.models import Count, Min

from leadpact.core.replay import judge
from leadpact.core.rounds import SETTLED
from leadpact.core.scoring import record_for
from leadpact.insights.backtest import past_leads
from leadpact.insights.filters import Filters
from leadpact.insights.query import reached, rounds
from leadpact.insights.reports import Column, Report, Table, report, share
from leadpact.leads.batch import CONTACT_COLUMNS
from leadpact.leads.models import Lead, Round, Signal
from leadpact.leads.rounds import report_zone
from leadpact.pact.selectors import pact_in_force


@report("definition", "Definition review: does the MQL definition predict revenue?")
def definition(filters: Filters, now: dt.datetime) -> Report:
    version, pact = pact_in_force(filters.as_of or now)
    mqls = rounds(filters)
    return Report("definition", "Definition review", filters, [
        _precision(mqls, filters), _recall(filters, pact, f"version {version.version}"),
        _lift(mqls, pact), _missed(mqls)],
        [f"Rules and signals are those of version {version.version}, read on each lead's fields as they are now. "
         "Lift compares the share won among the MQLs where a rule held with the share won among all settled MQLs."])


def _precision(mqls, filters: Filters) -> Table:
    rows = []
    for row in mqls.values("pact_version__version").annotate(
            mql=Count("pk"), sal=reached("accepted_at", filters), sql=reached("converted_at", filters),
            won=reached("won_at", filters)).order_by("pact_version__version"):
        rows.append({"version": row["pact_version__version"], "mql": row["mql"],
                     "accepted": share(row["sal"], row["mql"]),
                     "converted": share(row["sql"], row["mql"]), "won": share(row["won"], row["mql"])})
    return Table("precision", "Precision: what became of the MQLs, by the version they qualified under", [
        Column("version", "pact version", "text"), Column("mql", "MQLs"), Column("accepted", "accepted", "share"),
        Column("converted", "converted", "share"), Column("won", "won", "share")], rows)


def _recall(filters: Filters, pact, label: str) -> Table:
    """Of the deals won in the period (in the filters' slice): how many the definition qualifies (replayed) by the
    time they were won, and how early."""
    won = rounds(filters, cohort="won_at").filter(outcome="won")
    leads = list(past_leads(Lead.objects.filter(pk__in=won.values("lead"))))
    outcome = judge(label, pact, leads, report_zone())
    caught = [(lead, outcome.verdicts[lead.lead_id].qualified_at) for lead in leads
              if lead.won_at and outcome.verdicts[lead.lead_id].qualified_at
              and outcome.verdicts[lead.lead_id].qualified_at <= lead.won_at]
    lead_days = [(lead.won_at - at).total_seconds() / 86400 for lead, at in caught]
    arrival_days = [(at - lead.created_at).total_seconds() / 86400 for lead, at in caught]
    return Table("recall", f"Recall: the deals won in the period, and whether {label} qualifies them", [
        Column("won", "deals won"), Column("qualified", "meet the definition"), Column("recall", "recall", "share"),
        Column("lead_days", "median days MQL → won", "days"),
        Column("arrival_days", "median days arrival → MQL", "days"),
        Column("never", "won without meeting it")],
        [{"won": len(leads), "qualified": len(caught), "recall": share(len(caught), len(leads)),
          "lead_days": statistics.median(lead_days) if lead_days else None,
          "arrival_days": statistics.median(arrival_days) if arrival_days else None,
          "never": len(leads) - len(caught)}])


def _lift(mqls, pact) -> Table:
    """For each fit rule and signal: among the settled MQL rounds, the share won (and accepted) where it held."""
    settled = list(mqls.filter(outcome__in=SETTLED).values_list("lead_id", "mql_at", "outcome", "accepted_at"))
    fields = {row.pop("pk"): row for row in Lead.objects.filter(pk__in=mqls.values("lead")).values(
        "pk", "custom", *CONTACT_COLUMNS)}
    signals: dict[int, list[tuple[str, dt.datetime]]] = {}  # each lead's first signal of each kind
    for lead, name, at in (Signal.objects.filter(lead__in=mqls.values("lead")).values("lead_id", "name")
                           .annotate(first=Min("at")).values_list("lead_id", "name", "first")):
        signals.setdefault(lead, []).append((name, at))
    held, won_when, accepted_when = Counter(), Counter(), Counter()
    for lead, mql_at, outcome, accepted_at in settled:
        record = record_for({k: v for k, v in fields.get(lead, {}).items() if v not in (None, "")})
        names = [f"fit: {rule.condition.source}" for rule in pact.scoring.fit if rule.condition(record)]
        names += [f"signal: {name}" for name in {n for n, at in signals.get(lead, []) if at <= mql_at}
                  if name in pact.scoring.signals]
        for name in names:
            held[name] += 1
            won_when[name] += outcome == "won"
            accepted_when[name] += accepted_at is not None
    base = share(sum(1 for *_, outcome, _ in settled if outcome == "won"), len(settled))
    base_accepted = share(sum(1 for *_, accepted in settled if accepted), len(settled))
    rows = [{"rule": name, "held": held[name], "won": share(won_when[name], held[name]),
             "lift": _lift_of(won_when[name], held[name], base),
             "accepted_lift": _lift_of(accepted_when[name], held[name], base_accepted)}
            for name in [f"fit: {r.condition.source}" for r in pact.scoring.fit] +
            [f"signal: {s}" for s in pact.scoring.signals]]
    rows.sort(key=lambda r: -(r["lift"] or 0))
    return Table("lift", f"Lift per rule among {len(settled):,} settled MQLs (won overall: "
                         f"{'—' if base is None else f'{base:.1%}'})", [
        Column("rule", "rule or signal", "text"), Column("held", "MQLs where it held"),
        Column("won", "won", "share"), Column("lift", "lift on winning", "number"),
        Column("accepted_lift", "lift on acceptance", "number")], rows, chart="lift")


def _lift_of(part: int, whole: int, base: float | None) -> float | None:
    rate = share(part, whole)
    return None if rate is None or not base else rate / base


def _missed(mqls) -> Table:
    """Rounds rejected or handed back whose lead was won in a later round."""
    gave_up = mqls.filter(outcome__in=["rejected", "recycled"])
    wins = Round.objects.filter(lead__in=gave_up.values("lead"), won_at__isnull=False)
    later = {lead: (number, at) for lead, number, at in wins.values_list("lead_id", "number", "won_at")}
    zone = report_zone()
    rows = [{"lead": lead, "left": outcome, "reason": reason or "(none)", "on": ended.astimezone(zone).date().isoformat(),
             "won": later[lead][1].astimezone(zone).date().isoformat()}
            for lead, number, outcome, reason, ended in gave_up.filter(lead__in=wins.values("lead")).values_list(
                "lead_id", "number", "outcome", "outcome_reason", "ended_at").order_by("ended_at")
            if later[lead][0] > number]
    return Table("missed", "Rejected or handed back, and won later", [
        Column("lead", "lead", "text"), Column("left", "left as", "text"), Column("reason", "reason", "text"),
        Column("on", "on", "text"), Column("won", "won on", "text")], rows)
