"""The report pages: each report with its filters, its tables and their charts, and a CSV link per table."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from leadpact import clock
from leadpact.core.errors import LeadpactError
from leadpact.http_errors import message_of, status_for
from leadpact.insights.filters import FILTERS, Filters, report_today
from leadpact.insights.reports import Report, Table, catalogue, run, say
from leadpact.web.views.common import ADMIN, MANAGER, MARKETING, REP, roles
from leadpact.web.views.marketing import bars

FORM = (*FILTERS, "by")


def _report(request: HttpRequest, name: str) -> Report:
    now = clock.now()
    values = {key: request.GET[key] for key in FILTERS if request.GET.get(key)}
    return run(name, Filters.parse(values, report_today(now)).seen_by(request.user, now), now,
               by=request.GET.get("by") or None)


@roles(REP, MANAGER, MARKETING, ADMIN)
def report_page(request: HttpRequest, name: str = "funnel") -> HttpResponse:
    context = {"reports": catalogue(), "name": name, "values": {k: request.GET.get(k, "") for k in FORM},
               "query": request.GET.urlencode()}
    try:
        result = _report(request, name)
    except LeadpactError as err:
        return render(request, "web/reports.html", {**context, "error": message_of(err)}, status=status_for(err))
    return render(request, "web/reports.html", {**context, "report": result,
                                                "tables": [shown(table) for table in result.tables]})


@roles(REP, MANAGER, MARKETING, ADMIN)
def report_csv(request: HttpRequest, name: str) -> HttpResponse:
    try:
        result = _report(request, name)
        text = result.as_csv(request.GET.get("table") or None)
    except LeadpactError as err:
        return HttpResponse(message_of(err), status=status_for(err), content_type="text/plain; charset=utf-8")
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{request.GET.get("table") or "report"}.csv"'
    return response


def shown(table: Table) -> dict:
    """A table with its cells as people read them, and its chart (every row but the total)."""
    rows = [[table.cell(row, column) for column in table.columns] for row in table.rows]
    chart = None
    if table.chart:
        first, kind = table.columns[0].key, next(c.kind for c in table.columns if c.key == table.chart)
        points = [(str(row[first]), row[table.chart]) for row in table.rows
                  if row.get(table.chart) is not None and row[first] != "all"]
        chart = bars([(label, value) for label, value in points], shown=lambda value: say(value, kind))
    return {"table": table, "rows": rows, "chart": chart}
