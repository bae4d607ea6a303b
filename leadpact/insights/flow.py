"""The funnel (demand waterfall) and the response SLA reports."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import numpy as np
from django.db.models import Count, Q

from leadpact.insights.filters import Filters
from leadpact.insights.query import (
    DIMENSIONS,
    answered,
    due_by,
    in_time,
    inquiries,
    judged_clocks,
    quantiles,
    reached,
    rounds,
    spans,
)
from leadpact.insights.reports import Column, Report, Table, report, share
from leadpact.sla.models import StopReason

STAGES = (("mql", "MQL", "mql_at"), ("sal", "SAL (accepted)", "accepted_at"),
          ("sql", "SQL (converted)", "converted_at"), ("won", "won", "won_at"))
EXITS = {"rejected": "rejected by sales", "recycled": "handed back to marketing", "disqualified": "disqualified",
         "lost": "lost"}
DAY, HOUR = 86400.0, 3600.0


@report("funnel", "Funnel: inquiry → MQL → SAL → SQL → won", by=tuple(DIMENSIONS))
def funnel(filters: Filters, now: dt.datetime, by: str = "month") -> Report:
    qs = rounds(filters)
    key = DIMENSIONS[by]
    counts = qs.values(key).annotate(mql=Count("pk"), **{name: reached(column, filters)
                                                         for name, _, column in STAGES[1:]})
    groups: dict[Any, dict[str, int]] = defaultdict(lambda: dict.fromkeys(("mql", "sal", "sql", "won"), 0))
    for row in counts:
        group = row[key].strftime("%Y-%m") if by == "month" else (row[key] or "(none)")
        for name in groups[group]:
            groups[group][name] += row[name]
    cohorts = [{by: group, **values} for group, values in sorted(groups.items(), key=lambda item: str(item[0]))]
    asked = inquiries(filters, [row["month"] for row in cohorts]) if by == "month" else None
    for row in cohorts:
        if asked is not None:
            row["inquiries"] = asked[row["month"]]
            row["inquiry_to_mql"] = share(row["mql"], row["inquiries"])
        row.update(mql_to_sal=share(row["sal"], row["mql"]), sal_to_sql=share(row["sql"], row["sal"]),
                   sql_to_won=share(row["won"], row["sql"]), mql_to_won=share(row["won"], row["mql"]))
    total = {by: "all", **{name: sum(r[name] for r in cohorts) for name in ("mql", "sal", "sql", "won")}}
    total.update(mql_to_sal=share(total["sal"], total["mql"]), sal_to_sql=share(total["sql"], total["sal"]),
                 sql_to_won=share(total["won"], total["sql"]), mql_to_won=share(total["won"], total["mql"]))
    if asked is not None:
        total["inquiries"] = sum(asked.values())
        total["inquiry_to_mql"] = share(total["mql"], total["inquiries"])
    columns = [Column(by, "cohort (month it became an MQL)" if by == "month" else by.replace("_", " "), "text"),
               *([Column("inquiries", "inquiries"), Column("inquiry_to_mql", "→ MQL", "share")] if asked else []),
               Column("mql", "MQL"), Column("sal", "SAL"), Column("mql_to_sal", "MQL → SAL", "share"),
               Column("sql", "SQL"), Column("sal_to_sql", "SAL → SQL", "share"), Column("won", "won"),
               Column("sql_to_won", "SQL → won", "share"), Column("mql_to_won", "MQL → won", "share")]
    notes = [] if asked is not None or by != "month" else [
        "Inquiries are not shown: they have no team or owner yet, and the report is narrowed to one."]
    return Report("funnel", "Funnel", filters, [
        Table("cohorts", f"Funnel by {by.replace('_', ' ')}", columns, [*cohorts, total], chart="mql"),
        _exits(qs, filters), _stage_times(qs, filters)], notes)


def _exits(qs, filters: Filters) -> Table:
    ended = qs.exclude(outcome__in=["", "won"])
    if filters.as_of:
        ended = ended.filter(ended_at__lt=filters.as_of)
    rows = [{"left": EXITS.get(r["outcome"], r["outcome"]), "reason": r["outcome_reason"] or "(none)", "leads": r["n"]}
            for r in ended.values("outcome", "outcome_reason").annotate(n=Count("pk")).order_by("-n", "outcome")]
    columns = [Column("left", "left as", "text"), Column("reason", "reason", "text"), Column("leads", "rounds")]
    return Table("exits", "Where leads leave, and why", columns, rows, chart="leads")


def _stage_times(qs, filters: Filters) -> Table:
    rows = []
    for (start, start_label), (end, end_label) in [(("mql_at", "MQL"), ("accepted_at", "SAL")),
                                                   (("accepted_at", "SAL"), ("converted_at", "SQL")),
                                                   (("converted_at", "SQL"), ("won_at", "won")),
                                                   (("mql_at", "MQL"), ("won_at", "won"))]:
        rows.append({"from": start_label, "to": end_label, **quantiles(spans(qs, start, end, filters), DAY)})
    return Table("stage_times", "Time between stages (calendar days)",
                 [Column("from", "from", "text"), Column("to", "to", "text"), Column("n", "rounds"),
                  Column("median", "median", "days"), Column("p90", "90th percentile", "days"),
                  Column("mean", "mean", "days")], rows)


@report("sla", "Response SLA: first attempts within the agreed time", by=("team", "owner", "lead_type"))
def sla(filters: Filters, now: dt.datetime, by: str = "team") -> Report:
    key = {"team": "team", "owner": "owner__email", "lead_type": "lead_type"}[by]
    at = min(filters.as_of or now, now)
    response = judged_clocks(filters, "response")
    counted = due_by("response", at)
    rows = list(response.values(key).annotate(
        counted=Count("pk", filter=counted), within=Count("pk", filter=in_time("response", at)),
        breached=Count("pk", filter=Q(breached_at__isnull=False, breached_at__lte=at)),
        open=Count("pk", filter=~counted)).order_by(key))
    seconds = _seconds_by(response.filter(answered("response", at)), key)
    for row in rows:
        row[by] = row.pop(key) or "(none)"
        row["within_sla"] = share(row["within"], row["counted"])
        times = quantiles(seconds.get(row[by], ()), HOUR)
        row.update(median_hours=times["median"], p90_hours=times["p90"])
    columns = [Column(by, by.replace("_", " "), "text"), Column("counted", "leads due"),
               Column("within", "answered in time"), Column("within_sla", "within SLA", "share"),
               Column("breached", "breaches (escalated)"), Column("open", "still running"),
               Column("median_hours", "median to first attempt (business h)", "hours"),
               Column("p90_hours", "90th percentile (business h)", "hours")]
    return Report("sla", "Response SLA", filters, [
        Table("response", f"First attempts by {by.replace('_', ' ')}", columns, rows, chart="within_sla"),
        _distribution(np.concatenate([np.asarray(v) for v in seconds.values()]) if seconds else np.array([])),
        _acceptance(filters, at, key, by)],
        ["Times are business hours in the owner's team calendar; a reassigned lead counts under its new owner."])


def _seconds_by(qs, key: str) -> dict[str, list[float]]:
    out: dict[str, list[float]] = defaultdict(list)
    for group, seconds in qs.filter(business_seconds__isnull=False).values_list(key, "business_seconds"):
        out[group or "(none)"].append(seconds)
    return out


def _distribution(seconds: np.ndarray) -> Table:
    edges = [0, 1, 2, 4, 8, 24, 48]
    hours = seconds / HOUR
    rows = [{"bucket": f"{low}–{high} h" if high else f"{low} h or more",
             "leads": int(((hours >= low) & (hours < (high or np.inf))).sum())}
            for low, high in zip(edges, [*edges[1:], None])]
    return Table("time_to_first_attempt", "Time to first attempt (business hours)",
                 [Column("bucket", "business hours", "text"), Column("leads", "leads")], rows, chart="leads")


def _acceptance(filters: Filters, at: dt.datetime, key: str, by: str) -> Table:
    accept = judged_clocks(filters, "accept")
    decided = answered("accept", at)
    rows = list(accept.values(key).annotate(
        counted=Count("pk", filter=due_by("accept", at)),
        accepted=Count("pk", filter=decided & Q(stop_reason=StopReason.ACCEPTED)),
        rejected=Count("pk", filter=decided & Q(stop_reason=StopReason.REJECTED)),
        in_window=Count("pk", filter=in_time("accept", at)),
        ran_out=Count("pk", filter=Q(stop_reason=StopReason.EXPIRED, stopped_at__lte=at))).order_by(key))
    seconds = _seconds_by(accept.filter(decided), key)
    for row in rows:
        row[by] = row.pop(key) or "(none)"
        row["in_window_share"] = share(row["in_window"], row["counted"])
        row["median_hours"] = quantiles(seconds.get(row[by], ()), HOUR)["median"]
    return Table("acceptance", "Accepting or rejecting within the window", [
        Column(by, by.replace("_", " "), "text"), Column("accepted", "accepted"), Column("rejected", "rejected"),
        Column("ran_out", "window ran out"), Column("in_window_share", "decided in time", "share"),
        Column("median_hours", "median to decide (business h)", "hours")], rows)
