"""HTTP endpoints for the reports: each as JSON (every table) or one table as CSV, with the same filters."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from leadpact import clock
from leadpact.insights.filters import FILTERS, Filters, report_today
from leadpact.insights.reports import Report, catalogue, run

router = Router(tags=["reports"])


class ReportFilters(Schema):
    since: str | None = None
    until: str | None = None
    team: str | None = None
    owner: str | None = None
    source: str | None = None
    campaign: str | None = None
    lead_type: str | None = None
    pact_version: str | None = None
    as_of: str | None = None
    by: str | None = None


ReportFilters.__doc__ = "Report filters: " + "; ".join(f"{k}: {v}" for k, v in FILTERS.items())


class ReportOut(Schema):
    report: str
    title: str
    filters: dict
    notes: list[str]
    tables: dict


def _run(request: HttpRequest, name: str, query: ReportFilters) -> Report:
    now = clock.now()
    values = query.dict(exclude_none=True)
    by = values.pop("by", None)
    return run(name, Filters.parse(values, report_today(now)).seen_by(request.user, now), now, by=by)


@router.get("", response=list[dict], summary="The reports there are")
def report_list(request: HttpRequest):
    return [{"name": name, "title": title} for name, title in catalogue()]


@router.get("/{name}", response=ReportOut, summary="A report as JSON: every table, with its columns and rows")
def report_json(request: HttpRequest, name: str, query: Query[ReportFilters]):
    """Names: funnel, sla, follow-up, hand-back, commitments, definition (`GET /api/reports` lists them). A rep reads
    their own leads; a manager their teams'."""
    return _run(request, name, query).as_json()


@router.get("/{name}/csv", summary="One table of a report as CSV", response={200: None})
def report_csv(request: HttpRequest, name: str, query: Query[ReportFilters], table: str | None = None):
    result = _run(request, name, query)
    response = HttpResponse(result.as_csv(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{table or result.tables[0].name}.csv"'
    return response
