"""The follow-up report: how many attempts leads get, on which channels, and what each attempt is worth."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from django.db.models import Count, Q

from leadpact.core.attempts import attempt_table, recommend_max_attempts
from leadpact.handoff.models import Attempt
from leadpact.insights.filters import Filters
from leadpact.insights.query import rounds
from leadpact.insights.reports import Column, Report, Table, report, share
from leadpact.pact.selectors import pact_in_force


@report("follow-up", "Follow-up: attempts, channels, and what each attempt is worth")
def follow_up(filters: Filters, now: dt.datetime) -> Report:
    _, pact = pact_in_force(filters.as_of or now)
    cadence = pact.cadence
    handed = rounds(filters, cohort="assigned_at")
    # A sequence stops at the attempt that reached the person, or at the last one of a round that ended without
    # (by the end of the period, when the history is read as of a day).
    end = filters.as_of or now
    stops = [(contact_attempt or attempts, contact_attempt is not None, converted is not None and converted < end)
             for attempts, contact_attempt, contacted, converted, ended in handed.filter(attempts__gt=0).values_list(
                 "attempts", "contact_attempt", "contacted_at", "converted_at", "ended_at")
             if (contacted or ended) and (contacted or ended) < end]
    table = attempt_table([k for k, _, _ in stops], [reached for _, reached, _ in stops],
                          last=max(cadence.max_attempts, 1)) if stops else []
    converted = {}
    for k, reached, won in stops:
        if reached and won:
            converted[min(k, cadence.max_attempts + 1)] = converted.get(min(k, cadence.max_attempts + 1), 0) + 1
    rows = [{**asdict(row), "converted_sql": converted.get(row.k, 0)} for row in table]
    advice = recommend_max_attempts(table) if table else None
    summary = handed.aggregate(
        handed=Count("pk"), given_up_early=Count("pk", filter=Q(outcome="recycled", contacted_at__isnull=True,
                                                                attempts__lt=cadence.min_attempts, ended_at__lt=end)),
        over_max=Count("pk", filter=Q(attempts__gt=cadence.max_attempts)),
        contacted=Count("pk", filter=Q(contacted_at__lt=end)))
    summary["contacted_share"] = share(summary["contacted"], summary["handed"])
    notes = [f"The pact asks for {cadence.min_attempts} attempts before giving up and allows {cadence.max_attempts}."]
    if advice:
        notes += advice.reasons
    return Report("follow-up", "Follow-up", filters, [
        Table("attempts", "Attempts until the person was reached (or the round ended)", [
            Column("label", "attempts", "text"), Column("stopped", "rounds stopped here"),
            Column("converted", "reached the person here"), Column("converted_sql", "…and converted (SQL)"),
            Column("reached", "rounds that got this far"),
            Column("success_when_reached", "chance this attempt reaches them", "share"),
            Column("cumulative_share", "share of contacts made by here", "share")], rows,
            chart="success_when_reached"),
        Table("channels", "Channel mix", [Column("channel", "channel", "text"), Column("outcome", "outcome", "text"),
                                          Column("attempts", "attempts")], _channels(handed, filters),
              chart="attempts"),
        Table("standard", "Keeping the standard", [Column("handed", "rounds handed over"),
                                                   Column("contacted_share", "reached", "share"),
                                                   Column("given_up_early", f"given up before {cadence.min_attempts}"),
                                                   Column("over_max", f"over {cadence.max_attempts} attempts")],
              [summary])], notes)


def _channels(handed, filters: Filters) -> list[dict]:
    attempts = Attempt.objects.filter(lead__in=handed.values("lead"), at__gte=filters.start, at__lt=filters.end)
    return [{"channel": r["channel"], "outcome": r["outcome"], "attempts": r["n"]}
            for r in attempts.values("channel", "outcome").annotate(n=Count("pk")).order_by("-n", "channel")]
