"""Reads of leads for pages, the API and reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet

from leadpact.core import scoring
from leadpact.core.errors import NotFound
from leadpact.leads.models import Lead, LeadEvent
from leadpact.pact.models import PactVersion
from leadpact.pact.selectors import pact_of


def visible(leads: QuerySet[Lead], user: Any, now: dt.datetime) -> QuerySet[Lead]:
    """Only the leads `user` may see (see accounts.permissions.lead_scope); everything without a user."""
    from leadpact.accounts.permissions import lead_scope

    scope = lead_scope(user, now) if user is not None else None
    return leads if scope is None else leads.filter(scope)


def lead_list(stage: str | None = None, query: str | None = None, owner_id: int | None = None, *,
              user: Any = None, now: dt.datetime | None = None) -> QuerySet[Lead]:
    leads = Lead.objects.select_related("owner", "pact_version").order_by("-updated_at", "-id")
    if user is not None:
        leads = visible(leads, user, now or dt.datetime.now(dt.timezone.utc))
    if stage:
        leads = leads.filter(stage=stage)
    if owner_id:
        leads = leads.filter(owner_id=owner_id)
    if query:
        leads = leads.filter(Q(email__icontains=query) | Q(company__icontains=query) | Q(last_name__icontains=query))
    return leads


def lead_get(lead_id: int, *, user: Any = None, now: dt.datetime | None = None) -> Lead:
    """The lead, or LookupError when it does not exist or `user` may not see it (the same answer for both)."""
    leads = Lead.objects.select_related("owner", "pact_version").filter(pk=lead_id)
    if user is not None:
        leads = visible(leads, user, now or dt.datetime.now(dt.timezone.utc))
    lead = leads.first()
    if lead is None:
        raise NotFound(f"there is no lead {lead_id}")
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


def stage_counts(*, user: Any = None, now: dt.datetime | None = None) -> dict[str, int]:
    leads = Lead.objects.order_by()
    if user is not None:
        leads = visible(leads, user, now or dt.datetime.now(dt.timezone.utc))
    return dict(leads.values("stage").annotate(n=Count("id")).values_list("stage", "n"))
