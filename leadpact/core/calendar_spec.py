"""Parse a pact's calendar section: weekly hours, timezone, holidays, closed days and closures."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable
from functools import cache
from typing import Any

import holidays as holidays_lib

from leadpact.core.pact import Calendar, Closure, Minutes

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_INTERVAL = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")

Report = Callable[[tuple[str | int, ...], str], None]


def parse_days(spec: str) -> list[int]:
    """ "mon-thu" -> [0, 1, 2, 3]; "sat, sun" -> [5, 6]; raise ValueError with the fix."""
    days: list[int] = []
    for part in str(spec).lower().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise ValueError(f"{spec!r} is not a day or range of days; write it like mon-fri or sat,sun")
        start, end = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
        if end < start:
            raise ValueError(f"{spec!r} runs backwards; write the earlier day first, like mon-fri")
        days.extend(range(start, end + 1))
    return days


def parse_intervals(spec: object) -> tuple[Minutes, ...]:
    """ "08:30-12:00, 13:00-17:30" -> ((510, 720), (780, 1050)); "closed" -> ()."""
    text = str(spec).strip().lower()
    if text in ("closed", "none", ""):
        return ()
    intervals: list[Minutes] = []
    for part in text.split(","):
        match = _INTERVAL.match(part.strip())
        if not match:
            raise ValueError(f"{part.strip()!r} is not an opening interval; write it like 09:00-17:00")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if m1 > 59 or m2 > 59 or start >= 24 * 60 or end > 24 * 60:
            raise ValueError(f"{part.strip()!r} is not a time of day (00:00 to 24:00)")
        if end <= start:
            raise ValueError(f"{part.strip()!r} closes before it opens; hours that span midnight are split at 24:00")
        if intervals and start < intervals[-1][1]:
            raise ValueError(f"{part.strip()!r} overlaps or comes before the interval before it; list them in order")
        intervals.append((start, end))
    return tuple(intervals)


@cache
def _supported_countries() -> dict[str, list[str]]:
    return holidays_lib.list_supported_countries()


def parse_holidays(spec: object, raw: str | None) -> tuple[str, str | None]:
    """ "US", "US-NY" or {country: US, subdivision: NY} -> ("US", "NY"), checked against the holidays package."""
    if isinstance(spec, dict):
        country, subdivision = str(spec.get("country", "")), spec.get("subdivision")
    else:
        country, _, subdivision = (raw or str(spec)).partition("-")
    country = country.upper()
    supported = _supported_countries()
    if country not in supported:
        raise ValueError(f"{country!r} is not a country the holidays package knows; use an ISO code like US or DE")
    if subdivision and str(subdivision) not in supported[country]:
        raise ValueError(f"{subdivision!r} is not a subdivision of {country}; known: {', '.join(supported[country][:12])}")
    return country, (str(subdivision) if subdivision else None)


def parse_calendar(name: str, spec: dict[str, Any], raw: dict[tuple, str], path: tuple, report: Report) -> Calendar | None:
    """Build one calendar, reporting every problem; None when it cannot be used."""
    ok = True

    def fail(sub: tuple, message: str) -> None:
        nonlocal ok
        ok = False
        report(path + sub, message)

    timezone = str(spec.get("timezone", ""))
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        fail(("timezone",), f"{timezone!r} is not an IANA timezone; write it like America/New_York or Europe/Berlin")
    hours = _parse_hours(spec.get("hours"), path, fail)
    country = subdivision = None
    if spec.get("holidays") is not None:
        try:
            country, subdivision = parse_holidays(spec["holidays"], raw.get(path + ("holidays",)))
        except ValueError as err:
            fail(("holidays",), str(err))
    closed = _parse_dates(spec.get("closed", []), fail)
    closures = _parse_closures(spec.get("closures", []), fail)
    if not ok:
        return None
    return Calendar(name, timezone, hours, country, subdivision, tuple(closed), tuple(closures))


def _parse_hours(spec: object, path: tuple, fail: Callable[[tuple, str], None]) -> dict[int, tuple[Minutes, ...]]:
    if not isinstance(spec, dict) or not spec:
        fail(("hours",), 'give the weekly opening hours, like {mon-fri: "09:00-17:00"}')
        return {}
    hours: dict[int, tuple[Minutes, ...]] = {}
    for days_spec, intervals_spec in spec.items():
        try:
            days, intervals = parse_days(days_spec), parse_intervals(intervals_spec)
        except ValueError as err:
            fail(("hours", days_spec), str(err))
            continue
        for day in days:
            if day in hours:
                fail(("hours", days_spec), f"{WEEKDAYS[day]} is given twice; name each day once")
            hours[day] = intervals
    if hours and not any(hours.values()):
        fail(("hours",), "this calendar is never open; give at least one opening interval")
    return {day: hours[day] for day in sorted(hours) if hours[day]}


def _parse_dates(spec: object, fail: Callable[[tuple, str], None]) -> list[dt.date]:
    if not isinstance(spec, list):
        fail(("closed",), "give a list of dates, like [2026-12-24, 2026-12-31]")
        return []
    dates = []
    for i, item in enumerate(spec):
        try:
            dates.append(item if isinstance(item, dt.date) else dt.date.fromisoformat(str(item)))
        except ValueError:
            fail(("closed", i), f"{item!r} is not a date; write it like 2026-12-24")
    return dates


def _parse_closures(spec: object, fail: Callable[[tuple, str], None]) -> list[Closure]:
    if not isinstance(spec, list):
        fail(("closures",), 'give a list like [{from: "2026-12-24 12:00", to: "2026-12-24 17:30", why: half day}]')
        return []
    closures = []
    for i, item in enumerate(spec):
        try:
            start = dt.datetime.fromisoformat(str(item["from"]))
            end = dt.datetime.fromisoformat(str(item["to"]))
        except (KeyError, TypeError, ValueError):
            fail(("closures", i), 'write a closure like {from: "2026-12-24 12:00", to: "2026-12-24 17:30", why: half day}')
            continue
        if end <= start:
            fail(("closures", i, "to"), "the closure ends before it starts")
            continue
        closures.append(Closure(start, end, str(item.get("why", ""))))
    return closures
