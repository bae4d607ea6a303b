"""The agreement: the pact in force in readable form, its versions and signatures, readable diffs, proposing a new
version (edit or upload) with the problems shown beside the text, and signing for marketing or sales."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from leadpact import clock
from leadpact.accounts.permissions import PACT_PROPOSE
from leadpact.core.calendar_spec import WEEKDAYS
from leadpact.core.errors import FieldErrors, LeadpactError, NotFound, PactInvalid
from leadpact.core.pact import Calendar
from leadpact.core.pact_diff import describe_changes
from leadpact.http_errors import message_of, status_for
from leadpact.insights.advice import latest_model, proposed_text
from leadpact.insights.backtest import backtest, baseline, parse_period
from leadpact.insights.filters import report_today
from leadpact.pact import selectors
from leadpact.pact.models import PactVersion
from leadpact.pact.services import next_version_number, pact_propose, pact_sign
from leadpact.web.views.common import ADMIN, MANAGER, MARKETING, REP, act, roles
from leadpact.web.views.reports import shown

EVERYONE = (REP, MANAGER, MARKETING, ADMIN)


@roles(*EVERYONE)
def pact_home(request: HttpRequest) -> HttpResponse:
    """The version in force, readable, and every version with who signed it."""
    try:
        version = selectors.version_in_force(clock.now())
    except selectors.NoPactInForce:
        version = None
    return _version_page(request, version)


@roles(*EVERYONE)
def version_page(request: HttpRequest, number: int) -> HttpResponse:
    try:
        return _version_page(request, selectors.version_get(number))
    except NotFound:
        raise Http404("no such version") from None


def _version_page(request: HttpRequest, version: PactVersion | None) -> HttpResponse:
    versions = selectors.version_list()
    pact = selectors.pact_of(version) if version else None
    previous = next((v for v in reversed(versions) if version and v.version < version.version), None)
    changes = describe_changes(selectors.pact_of(previous), pact) if previous and pact else []
    return render(request, "web/pact.html", {
        "version": version, "pact": pact, "versions": versions, "previous": previous, "changes": changes,
        "calendars": {name: hours_text(c) for name, c in pact.calendars.items()} if pact else {},
        "sides": _sides(request, version), "may_propose": request.user.role in PACT_PROPOSE,
        "in_force": _in_force_number(),
    })


@roles(*PACT_PROPOSE)
def backtest_page(request: HttpRequest, number: int) -> HttpResponse:
    """A version replayed on the recorded leads of a period, against the version in force (or ?against=N)."""
    now = clock.now()
    period = request.GET.get("period") or f"{now.year - 1}-{now.month:02d}..{now.year}-{now.month:02d}"
    context: dict[str, object] = {"number": number, "period": period, "against": request.GET.get("against", "")}
    try:
        version = selectors.version_get(number)
        against = request.GET.get("against", "")
        if against and not against.isdigit():
            raise FieldErrors({"against": f"not a version number: {against!r}"})
        result = backtest((f"version {number}", selectors.pact_of(version)),
                          baseline(int(against) if against else None, now), parse_period(period, report_today(now)))
    except LeadpactError as err:
        return render(request, "web/pact_backtest.html", {**context, "error": message_of(err)},
                      status=status_for(err))
    return render(request, "web/pact_backtest.html", {**context, "report": result,
                                                      "tables": [shown(t) for t in result.tables]})


def _in_force_number() -> int | None:
    try:
        return selectors.version_in_force(clock.now()).version
    except selectors.NoPactInForce:
        return None


def _sides(request: HttpRequest, version: PactVersion | None) -> dict[str, object]:
    """Who signed each side, and whether the viewer may sign now."""
    if version is None:
        return {}
    return {"signed": {s.side: s for s in version.signatures.all()}, "may_sign": selectors.may_sign(version, request.user),
            "mine": selectors.side_of(request.user)}


def hours_text(calendar: Calendar) -> list[tuple[str, str]]:
    """Weekly hours in words: [("Mon–Thu", "08:30–12:00, 13:00–17:30"), ("Fri", "08:30–15:00")]."""
    rows: list[tuple[list[int], str]] = []
    for day in range(7):
        spans = ", ".join(f"{s // 60:02d}:{s % 60:02d}–{e // 60:02d}:{e % 60:02d}" for s, e in calendar.hours.get(day, ()))
        if rows and rows[-1][1] == spans and rows[-1][0][-1] == day - 1:
            rows[-1][0].append(day)
        else:
            rows.append(([day], spans))
    return [(_days(days), spans or "closed") for days, spans in rows]


def _days(days: list[int]) -> str:
    first, last = WEEKDAYS[days[0]].capitalize(), WEEKDAYS[days[-1]].capitalize()
    return first if len(days) == 1 else f"{first}–{last}"


@roles(*EVERYONE)
def diff_page(request: HttpRequest) -> HttpResponse:
    try:
        old, new = (selectors.version_get(int(request.GET[k])) for k in ("old", "new"))
    except (KeyError, ValueError, NotFound):  # a missing or bad parameter, or no such version
        raise Http404("give two stored versions, like ?old=3&new=4") from None
    changes = describe_changes(selectors.pact_of(old), selectors.pact_of(new))
    return render(request, "web/pact_diff.html", {"old": old, "new": new, "changes": changes})


@roles(*PACT_PROPOSE)
def propose(request: HttpRequest) -> HttpResponse:
    """Edit the text (the version in force to start from) or upload a file; problems are shown beside the lines."""
    if request.method == "POST":
        text = _posted_text(request)
        try:
            version, _ = pact_propose(text, proposed_by=request.user)
        except PactInvalid as err:
            return _propose_page(request, text, err.problems)
        except LeadpactError as err:
            return _propose_page(request, text, [], str(err))
        return redirect("web:pact-version", number=version.version)
    try:
        text = selectors.version_in_force(clock.now()).text
        if request.GET.get("from") == "advice":  # the pact in force with the predictive score's suggested points
            text = proposed_text(text, latest_model().suggestion, next_version_number())
    except (selectors.NoPactInForce, NotFound):
        text = ""
    return _propose_page(request, text, [])


def _posted_text(request: HttpRequest) -> str:
    upload = request.FILES.get("file")
    if upload is not None:
        return upload.read().decode("utf-8", errors="replace")
    return request.POST.get("text", "").replace("\r\n", "\n")


def _propose_page(request: HttpRequest, text: str, problems: list, error: str = "") -> HttpResponse:
    by_line: dict[int, list] = {}
    for problem in problems:
        by_line.setdefault(problem.line or 0, []).append(problem)
    lines = [(n, line, by_line.get(n, [])) for n, line in enumerate(text.split("\n"), start=1)]
    status = 422 if problems or error else 200
    return render(request, "web/pact_propose.html", {"text": text, "problems": problems, "lines": lines,
                                                     "unplaced": by_line.get(0, []), "error": error}, status=status)


@require_POST
@roles(MARKETING, MANAGER)
def sign(request: HttpRequest, number: int) -> HttpResponse:
    def signing() -> None:
        pact_sign(selectors.version_get(number), request.user, clock.now())

    return act(request, signing, f"You signed version {number}.", f"/pact/versions/{number}")
