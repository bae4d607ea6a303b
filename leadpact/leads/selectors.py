"""Reads of leads for pages, the API and reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet

from leadpact.core import scoring
from leadpact.leads.models import Lead, LeadEvent
from leadpact.pact.models import PactVersion
from leadpact.pact.selectors import pact_of


def lead_list(stage: str | None = None, query: str | None = None, owner_id: int | None = None) -> QuerySet[Lead]:
    leads = Lead.objects.select_related("owner", "pact_version").order_by("-updated_at", "-id")
    if stage:
        leads = leads.filter(stage=stage)
    if owner_id:
        leads = leads.filter(owner_id=owner_id)
    if query:
        leads = leads.filter(Q(email__icontains=query) | Q(company__icontains=query) | Q(last_name__icontains=query))
    return leads


def lead_get(lead_id: int) -> Lead:
    lead = Lead.objects.select_related("owner", "pact_version").filter(pk=lead_id).first()
    if lead is None:
        raise LookupError(f"there is no lead {lead_id}")
    return lead


def lead_history(lead: Lead) -> list[LeadEvent]:
    return list(lead.events.select_related("pact_version").order_by("at", "id"))


def lead_engagement(lead: Lead, now: dt.datetime) -> float:
    """The engagement score at `now`, decayed under the version the lead was last scored with."""
    if lead.pact_version is None:
        return 0.0
    half_life = pact_of(lead.pact_version).scoring.half_life.calendar_seconds
    return round(scoring.Engagement(lead.engagement_points, lead.engagement_at).at(now, half_life), 2)


def lead_reasons(lead: Lead, now: dt.datetime) -> list[dict[str, Any]]:
    """Why the lead has its score at `now`: the fit rules that matched and what each signal is still worth."""
    if lead.pact_version is None:
        return []
    pact = pact_of(lead.pact_version)
    signals = lead.signals.order_by("at").values_list("name", "at")
    engagement = [r.as_dict() for r in scoring.engagement_reasons(pact, signals, now)]
    return list(lead.score_reasons) + engagement


def version_number(version: PactVersion | None) -> int | None:
    return version.version if version else None


def stage_counts() -> dict[str, int]:
    return dict(Lead.objects.order_by().values("stage").annotate(n=Count("id")).values_list("stage", "n"))
