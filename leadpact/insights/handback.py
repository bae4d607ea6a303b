"""The hand-back report: the leads sales gave back to marketing, why, and what became of them."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count

from leadpact.insights.filters import Filters
from leadpact.insights.query import rounds
from leadpact.insights.reports import Column, Report, Table, report, share
from leadpact.leads.models import Round


@report("hand-back", "Hand-back and nurturing: what sales gave back, and what came of it")
def hand_back(filters: Filters, now: dt.datetime) -> Report:
    back = rounds(filters, cohort="recycled_at").filter(outcome="recycled")
    reasons = [{"reason": r["outcome_reason"] or "(none)", "leads": r["n"]}
               for r in back.values("outcome_reason").annotate(n=Count("pk")).order_by("-n", "outcome_reason")]
    handed = list(back.values_list("lead_id", "number", "source"))
    later = _next_rounds(back, filters)
    by_source: dict[str, Counter] = {}
    fates: Counter = Counter()
    for lead, number, source in handed:
        counter = by_source.setdefault(source or "(none)", Counter())
        counter["handed_back"] += 1
        fate = later.get((lead, number + 1))
        if fate is not None:
            counter["came_back"] += 1
            counter[fate] += 1
            fates[fate] += 1
    sources = [{"source": source, "handed_back": c["handed_back"], "came_back": c["came_back"],
                "came_back_share": share(c["came_back"], c["handed_back"]), "won": c["won"]}
               for source, c in sorted(by_source.items(), key=lambda item: -item[1]["handed_back"])]
    return Report("hand-back", "Hand-back and nurturing", filters, [
        Table("reasons", "Handed back, by reason", [Column("reason", "reason", "text"), Column("leads", "rounds")],
              reasons, chart="leads"),
        Table("sources", "By source: handed back, came back as returning MQLs, won", [
            Column("source", "source", "text"), Column("handed_back", "handed back"),
            Column("came_back", "came back"), Column("came_back_share", "came back", "share"), Column("won", "won")],
            sources, chart="came_back_share"),
        Table("outcomes", "What became of those that came back", [Column("now", "their next round", "text"),
                                                                   Column("leads", "leads")],
              [{"now": fate, "leads": n} for fate, n in fates.most_common()])])


def _next_rounds(back, filters: Filters) -> dict[tuple[int, int], str]:
    """(lead, round number) -> how the later rounds of the leads handed back stand: won, lost, ..., or still open."""
    qs = Round.objects.filter(lead__in=back.values("lead"), number__gt=1)
    if filters.as_of:
        qs = qs.filter(mql_at__lt=filters.as_of)
    return {(lead, number): (outcome if outcome and (not filters.as_of or ended < filters.as_of) else "still open")
            for lead, number, outcome, ended in qs.values_list("lead_id", "number", "outcome", "ended_at")}
