"""Business time: how much working time lies between two instants, and when a given amount of it has passed.

A calendar's open time is the set of instants whose local wall-clock time falls inside the opening hours of its
local date (not a holiday, a closed date or a closure). It is built once per span of years as sorted UTC intervals
in integer epoch seconds with running totals, so `between` is two bisections and `add` is one:

    >>> ny = BusinessCalendar(Calendar("ny", "America/New_York", {d: ((540, 1020),) for d in range(5)}, "US"))
    >>> ny.add(dt.datetime(2026, 12, 4, 21, tzinfo=UTC), 4 * 3600)   # Fri 16:00 New York + 4 business hours
    datetime.datetime(2026, 12, 7, 17, 0, tzinfo=datetime.timezone.utc)

The interval that ends exactly when the time runs out is the answer: a deadline on the closing minute is that minute.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import threading
import zoneinfo
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import holidays as holidays_lib

from leadpact.core.durations import Duration
from leadpact.core.errors import LeadpactError
from leadpact.core.pact import Calendar

if TYPE_CHECKING:
    import numpy as np

UTC = dt.timezone.utc
DAY = 86400
# A search for open time never looks further than this many years past where it started.
MAX_YEARS_AHEAD = 10
# Wider than any UTC offset (-12h..+14h) plus a day, so the window around a local day holds every instant of it.
_WINDOW = 2 * DAY


class NoBusinessTime(LeadpactError):
    """A calendar with no open time where a search needs some (refused when the pact is checked)."""


@dataclass(frozen=True)
class _Table:
    """The open intervals of the local dates in [first, last] years, as epoch seconds with running totals."""

    first: int
    last: int
    starts: list[int]
    ends: list[int]
    before: list[int]  # business seconds before each interval, counted from the first one
    through: list[int]  # business seconds up to the end of each interval
    low: int = 1  # the instants from low to high (excluded) have all their local dates in the table
    high: int = 0

    @property
    def total(self) -> int:
        return self.through[-1] if self.through else 0

    def covers(self, a: int, b: int) -> bool:
        """Are both instants inside the years of the table, a local day away from its edges?"""
        return self.low <= a and b < self.high

    def elapsed(self, t: int) -> int:
        """Business seconds from the table's origin to instant `t`."""
        i = bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        return self.before[i] + min(t, self.ends[i]) - self.starts[i]

    def instant(self, amount: int) -> int:
        """The first instant at which `amount` (> 0, at most `total`) business seconds have passed."""
        i = bisect_left(self.through, amount)
        return self.starts[i] + amount - self.before[i]


class BusinessCalendar:
    """The business-time operations of one pact calendar. Aware datetimes in and out; integer seconds."""

    def __init__(self, calendar: Calendar) -> None:
        if not calendar.weekly_seconds:
            raise NoBusinessTime(f"calendar {calendar.name!r} has no opening hours")
        self.calendar = calendar
        self.zone = zoneinfo.ZoneInfo(calendar.timezone)
        self._closed = frozenset(calendar.closed)
        self._table = _Table(0, -1, [], [], [], [])
        self._lock = threading.Lock()

    # The four operations --------------------------------------------------------------------------------------

    def add(self, start: dt.datetime, duration: int | Duration) -> dt.datetime:
        """The instant when `duration` of business time has passed since `start` (an int is seconds).
        Days of a Duration are business days: the same local time on the n-th open day after."""
        if isinstance(duration, Duration):
            if duration.days:
                start = self.add_days(start, duration.days)
            duration = duration.seconds
        # Whole seconds: a start with a fraction of a second counts from the next second, so a deadline is never early.
        return _to_datetime(self.add_seconds(_to_epoch(start) + (start.microsecond > 0), duration))

    def between(self, a: dt.datetime, b: dt.datetime) -> int:
        """Business seconds from `a` to `b` (negative when `b` is before `a`)."""
        return self.seconds_between(_to_epoch(a), _to_epoch(b))

    def is_open(self, t: dt.datetime) -> bool:
        at = _to_epoch(t)
        table = self._covering(at, at)
        i = bisect_right(table.starts, at) - 1
        return i >= 0 and at < table.ends[i]

    def next_open(self, t: dt.datetime) -> dt.datetime:
        """`t` itself when open, else the next opening."""
        at = _to_epoch(t)
        table = self._covering(at, at)
        i = bisect_right(table.starts, at) - 1
        if i >= 0 and at < table.ends[i]:
            return t.astimezone(UTC)
        return _to_datetime(self.add_seconds(at, 1) - 1)

    def open_spans(self, a: dt.datetime, b: dt.datetime) -> list[tuple[int, int]]:
        """The open intervals between two instants, clipped to them, as epoch seconds (for a live countdown)."""
        start, end = _to_epoch(a), _to_epoch(b)
        if end <= start:
            return []
        table = self._covering(start, end)
        first = max(bisect_right(table.starts, start) - 1, 0)
        last = bisect_left(table.starts, end)
        return [(max(s, start), min(e, end)) for s, e in zip(table.starts[first:last], table.ends[first:last])
                if min(e, end) > max(s, start)]

    # Epoch-second forms, for callers that hold integers ------------------------------------------------------

    def add_seconds(self, start: int, seconds: int) -> int:
        if seconds < 0:
            raise ValueError("business time is added forwards; the duration must not be negative")
        if seconds == 0:
            return start
        table = self._covering(start, start)
        target = table.elapsed(start) + seconds
        if target > table.total:
            table = self._reaching(table, start, target, seconds)
        return table.instant(target)

    def _reaching(self, table: _Table, start: int, target: int, seconds: int) -> _Table:
        """`table` extended forward (same origin, so `target` keeps its meaning) until it holds `target` business
        seconds, or NoBusinessTime after 10 years."""
        limit = _year_of(start) + MAX_YEARS_AHEAD
        while target > table.total:
            if table.last >= limit:
                raise NoBusinessTime(f"calendar {self.calendar.name!r} has not that much open time in "
                                     f"{MAX_YEARS_AHEAD} years")
            yearly = table.total // max(1, table.last - table.first + 1)
            table = self._extend(table.first, min(limit, table.last + max(1, seconds // (yearly or 1))))
        return table

    def seconds_between(self, a: int, b: int) -> int:
        if b < a:
            return -self.seconds_between(b, a)
        table = self._covering(a, b)
        return table.elapsed(b) - table.elapsed(a)

    def add_days(self, start: dt.datetime, days: int) -> dt.datetime:
        """The same local wall time on the `days`-th day after `start`'s local date that has any open time."""
        local = start.astimezone(self.zone)
        day, found = local.date(), 0
        for _ in range(366 * MAX_YEARS_AHEAD):
            if found == days:
                wall = dt.datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=self.zone)
                return wall.astimezone(UTC)
            day += dt.timedelta(days=1)
            found += bool(self.open_intervals(day))
        raise NoBusinessTime(f"calendar {self.calendar.name!r} has no {days} open days in {MAX_YEARS_AHEAD} years")

    # Batch form, for replays and backtests -------------------------------------------------------------------

    def add_many(self, starts: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        """`add_seconds` over arrays of epoch seconds (int64), vectorised with numpy."""
        import numpy as np

        starts, seconds = np.asarray(starts, dtype=np.int64), np.asarray(seconds, dtype=np.int64)
        if len(starts) == 0:
            return starts.copy()
        if (seconds < 0).any():
            raise ValueError("business time is added forwards; the durations must not be negative")
        latest = int(starts.max())
        table = self._covering(int(starts.min()), latest)
        arrays = [np.asarray(a, dtype=np.int64) for a in (table.starts, table.ends, table.before, table.through)]
        target = _elapsed_many(arrays, starts) + seconds
        if len(starts) and int(target.max()) > table.total:
            self.add_seconds(latest, int(seconds.max()))  # extends the table far enough, or raises
            return self.add_many(starts, seconds)
        first, _, before, through = arrays
        i = np.searchsorted(through, target, side="left")
        i = np.minimum(i, len(through) - 1)
        return np.where(seconds == 0, starts, first[i] + target - before[i])

    # Building ------------------------------------------------------------------------------------------------

    def open_intervals(self, day: dt.date) -> list[tuple[int, int]]:
        """The open intervals of one local date, as UTC epoch seconds (exact across DST changes)."""
        hours = self.calendar.hours.get(day.weekday(), ())
        if not hours or day in self._closed or day in self._holidays(day.year):
            return []
        wall = [(start * 60, end * 60) for start, end in hours]
        for closure in self.calendar.closures:
            wall = _subtract(wall, _closure_on(closure.start, closure.end, day))
        midnight = _calendar.timegm(day.timetuple())  # the wall clock's midnight, read as if it were UTC
        return [span for s, e in wall for span in self._to_utc(midnight, s, e)]

    def _to_utc(self, midnight: int, start: int, end: int) -> list[tuple[int, int]]:
        """The UTC instants whose wall time on this date lies in [start, end) seconds after midnight."""
        before, after = self._offset(midnight - _WINDOW), self._offset(midnight + _WINDOW)
        if before == after:
            return [(midnight + start - before, midnight + end - before)]
        change = self._transition(midnight - _WINDOW, midnight + _WINDOW, after)
        spans = [(midnight + start - before, min(midnight + end - before, change)),
                 (max(midnight + start - after, change), midnight + end - after)]
        spans = [(s, e) for s, e in spans if s < e]
        if len(spans) == 2 and spans[0][1] == spans[1][0]:
            return [(spans[0][0], spans[1][1])]
        return spans

    def _offset(self, t: int) -> int:
        offset = dt.datetime.fromtimestamp(t, self.zone).utcoffset()
        return int(offset.total_seconds()) if offset else 0

    def _transition(self, low: int, high: int, after: int) -> int:
        """The first instant in (low, high] whose offset is `after` (an offset change lies between)."""
        while high - low > 1:
            middle = (low + high) // 2
            if self._offset(middle) == after:
                high = middle
            else:
                low = middle
        return high

    def _holidays(self, year: int) -> holidays_lib.HolidayBase | frozenset[dt.date]:
        if not self.calendar.holidays:
            return frozenset()
        return _country_holidays(self.calendar.holidays, self.calendar.subdivision, year)

    def _covering(self, a: int, b: int) -> _Table:
        """A table whose years cover both instants (with a year's margin for local dates)."""
        table = self._table
        if table.covers(a, b):
            return table
        first, last = _year_of(a) - 1, _year_of(b) + 1
        if table.last >= table.first:
            first, last = min(first, table.first), max(last, table.last)
        return self._extend(first, last)

    def _extend(self, first: int, last: int) -> _Table:
        """A table of exactly these years; kept as the shared one when it covers at least what that covered.
        Callers use the table they get back, so threads sharing a calendar never mix two tables' counts."""
        table = self._build(first, last)
        with self._lock:
            current = self._table
            if current.last < current.first or (table.first <= current.first and current.last <= table.last):
                self._table = table
        return table

    def _build(self, first: int, last: int) -> _Table:
        starts, ends, before, through, total = [], [], [], [], 0
        day, stop = dt.date(first, 1, 1), dt.date(last, 12, 31)
        while day <= stop:
            for s, e in self.open_intervals(day):
                starts.append(s)
                ends.append(e)
                before.append(total)
                total += e - s
                through.append(total)
            day += dt.timedelta(days=1)
        low, high = _calendar.timegm((first, 1, 1, 0, 0, 0)) + DAY, _calendar.timegm((last + 1, 1, 1, 0, 0, 0)) - DAY
        return _Table(first, last, starts, ends, before, through, low, high)


def _elapsed_many(arrays: list[np.ndarray], at: np.ndarray) -> np.ndarray:
    import numpy as np

    starts, ends, before, _ = arrays
    i = np.searchsorted(starts, at, side="right") - 1
    j = np.maximum(i, 0)
    inside = before[j] + np.minimum(at, ends[j]) - starts[j]
    return np.where(i < 0, 0, inside)


def _closure_on(start: dt.datetime, end: dt.datetime, day: dt.date) -> tuple[int, int] | None:
    """The part of a closure (naive local datetimes) that falls on `day`, as seconds after its midnight."""
    midnight = dt.datetime.combine(day, dt.time())
    s = max(start, midnight) - midnight
    e = min(end, midnight + dt.timedelta(days=1)) - midnight
    if e <= s:
        return None
    return int(s.total_seconds()), int(e.total_seconds())


def _subtract(intervals: list[tuple[int, int]], cut: tuple[int, int] | None) -> list[tuple[int, int]]:
    if cut is None:
        return intervals
    out = []
    for s, e in intervals:
        if s < cut[0]:
            out.append((s, min(e, cut[0])))
        if e > cut[1]:
            out.append((max(s, cut[1]), e))
    return out


@lru_cache(maxsize=256)
def _country_holidays(country: str, subdivision: str | None, year: int) -> frozenset[dt.date]:
    return frozenset(holidays_lib.country_holidays(country, subdiv=subdivision, years=year))


def _to_epoch(t: dt.datetime) -> int:
    return int(t.timestamp()) if t.tzinfo is not None else _naive(t)


def _naive(t: dt.datetime) -> int:
    raise ValueError(f"{t!r} has no timezone; business time needs aware datetimes")


def _to_datetime(t: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(t, UTC)


def _year_of(t: int) -> int:
    return dt.datetime.fromtimestamp(t, UTC).year


_SHARED: dict[tuple, BusinessCalendar] = {}


def business_calendar(calendar: Calendar) -> BusinessCalendar:
    """The shared BusinessCalendar of a pact calendar (its tables are built once per process)."""
    shared = _SHARED.get(calendar.key)
    if shared is None:
        if len(_SHARED) > 256:
            _SHARED.clear()
        shared = _SHARED[calendar.key] = BusinessCalendar(calendar)
    return shared
