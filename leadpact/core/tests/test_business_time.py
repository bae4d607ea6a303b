"""Business time checked against a brute-force oracle that walks minute by minute, and on the named edge cases."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import holidays as holidays_lib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadpact.core.business_time import BusinessCalendar, NoBusinessTime
from leadpact.core.durations import Duration
from leadpact.core.pact import Calendar, Closure

UTC = dt.timezone.utc
MINUTE, HOUR = 60, 3600
ZONES = {  # zone -> (holidays country, subdivision)
    "America/New_York": ("US", None),
    "Europe/Berlin": ("DE", None),
    "Australia/Sydney": ("AU", "NSW"),
    "Asia/Kolkata": ("IN", None),
    "Asia/Kathmandu": ("NP", None),
}


def weekdays(*intervals: tuple[int, int], days: range = range(5)) -> dict[int, tuple[tuple[int, int], ...]]:
    return {day: tuple(intervals) for day in days}


def hm(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def at(zone: str, *parts: int) -> dt.datetime:
    """A local wall time in `zone`, as an aware UTC instant."""
    return dt.datetime(*parts, tzinfo=zoneinfo.ZoneInfo(zone)).astimezone(UTC)


NINE_TO_FIVE_NY = Calendar("ny", "America/New_York", weekdays((hm("09:00"), hm("17:00"))), "US")
ACME_US_EAST = Calendar("us-east", "America/New_York",
                        {**weekdays((hm("08:30"), hm("12:00")), (hm("13:00"), hm("17:30")), days=range(4)),
                         4: ((hm("08:30"), hm("15:00")),)},
                        "US", closed=(dt.date(2026, 12, 24), dt.date(2026, 12, 31)))


# The oracle: one minute at a time, straight from the definition -------------------------------------------------

class Oracle:
    """Open = the local wall time of the instant lies in its weekday's hours on a date that is not closed."""

    def __init__(self, calendar: Calendar) -> None:
        self.calendar, self.zone = calendar, zoneinfo.ZoneInfo(calendar.timezone)
        self.holidays = (holidays_lib.country_holidays(calendar.holidays, subdiv=calendar.subdivision)
                         if calendar.holidays else {})

    def is_open(self, t: dt.datetime) -> bool:
        local = t.astimezone(self.zone)
        day, wall = local.date(), local.replace(tzinfo=None)
        if day in self.holidays or day in self.calendar.closed:
            return False
        if any(c.start <= wall < c.end for c in self.calendar.closures):
            return False
        minute = local.hour * 60 + local.minute
        return any(start <= minute < end for start, end in self.calendar.hours.get(day.weekday(), ()))

    def between(self, a: dt.datetime, b: dt.datetime) -> int:
        minutes, t = 0, a
        while t < b:
            minutes += self.is_open(t)
            t += dt.timedelta(minutes=1)
        return minutes * MINUTE

    def add(self, start: dt.datetime, seconds: int) -> dt.datetime:
        left, t = seconds // MINUTE, start
        while left:
            if self.is_open(t):
                left -= 1
            t += dt.timedelta(minutes=1)
        return t


# Generated calendars, including night hours so that DST changes at 02:00 and 03:00 fall inside opening hours -----

@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    zone = draw(st.sampled_from(sorted(ZONES)))
    hours = {}
    for day in range(7):
        cuts = sorted(draw(st.sets(st.integers(0, 96).map(lambda q: q * 15), max_size=4)))
        spans = tuple((cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2))
        if spans:
            hours[day] = spans
    if not hours:
        hours[0] = ((hm("00:00"), hm("03:30")),)
    country, subdivision = ZONES[zone] if draw(st.booleans()) else (None, None)
    return Calendar("generated", zone, hours, country, subdivision)


def _offset_changes() -> list[dt.datetime]:
    """Midnight UTC of every day in 2024-2030 on which a tested zone changes its UTC offset."""
    days = [dt.datetime(2024, 1, 1, tzinfo=UTC) + dt.timedelta(days=n) for n in range(7 * 366)]
    return [day for zone in map(zoneinfo.ZoneInfo, ZONES) for day in days
            if day.astimezone(zone).utcoffset() != (day + dt.timedelta(days=1)).astimezone(zone).utcoffset()]


_ANY_TIME = st.datetimes(dt.datetime(2024, 1, 1), dt.datetime(2030, 12, 20)).map(lambda t: t.replace(tzinfo=UTC))
_NEAR_AN_OFFSET_CHANGE = st.builds(lambda day, minutes: day + dt.timedelta(minutes=minutes),
                                   st.sampled_from(_offset_changes()), st.integers(-36 * 60, 36 * 60))
instants = st.one_of(_ANY_TIME, _NEAR_AN_OFFSET_CHANGE).map(lambda t: t.replace(second=0, microsecond=0))
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(calendars(), instants, st.integers(1, 48 * 60))
def test_add_agrees_with_the_minute_by_minute_oracle(calendar: Calendar, start: dt.datetime, minutes: int) -> None:
    assert BusinessCalendar(calendar).add(start, minutes * MINUTE) == Oracle(calendar).add(start, minutes * MINUTE)


@PROPERTY
@given(calendars(), instants, st.integers(0, 10 * 24 * 60))
def test_between_agrees_with_the_minute_by_minute_oracle(calendar: Calendar, a: dt.datetime, minutes: int) -> None:
    b = a + dt.timedelta(minutes=minutes)
    assert BusinessCalendar(calendar).between(a, b) == Oracle(calendar).between(a, b)


@PROPERTY
@given(calendars(), instants)
def test_is_open_and_next_open_agree_with_the_oracle(calendar: Calendar, t: dt.datetime) -> None:
    business, oracle = BusinessCalendar(calendar), Oracle(calendar)
    assert business.is_open(t) == oracle.is_open(t)
    opening = business.next_open(t)
    assert oracle.is_open(opening)
    assert oracle.between(t, opening) == 0


@PROPERTY
@given(calendars(), instants, st.integers(1, 200 * HOUR))
def test_between_undoes_add(calendar: Calendar, start: dt.datetime, seconds: int) -> None:
    business = BusinessCalendar(calendar)
    assert business.between(start, business.add(start, seconds)) == seconds


# Named edges ------------------------------------------------------------------------------------------------------

def test_a_demo_request_handed_over_friday_at_16_is_due_monday_at_noon() -> None:
    due = BusinessCalendar(NINE_TO_FIVE_NY).add(at("America/New_York", 2026, 12, 4, 16), 4 * HOUR)
    assert due == at("America/New_York", 2026, 12, 7, 12)


def test_a_deadline_on_the_closing_minute_is_that_minute() -> None:
    due = BusinessCalendar(NINE_TO_FIVE_NY).add(at("America/New_York", 2026, 12, 7, 13), 4 * HOUR)
    assert due == at("America/New_York", 2026, 12, 7, 17)


def test_a_start_outside_hours_counts_from_the_next_opening() -> None:
    business = BusinessCalendar(NINE_TO_FIVE_NY)
    assert business.add(at("America/New_York", 2026, 12, 5, 10), HOUR) == at("America/New_York", 2026, 12, 7, 10)
    assert business.add(at("America/New_York", 2026, 12, 7, 6), HOUR) == at("America/New_York", 2026, 12, 7, 10)


def test_a_lunch_break_is_not_business_time() -> None:
    due = BusinessCalendar(ACME_US_EAST).add(at("America/New_York", 2026, 12, 7, 11), 2 * HOUR)
    assert due == at("America/New_York", 2026, 12, 7, 14)


def test_friday_hours_differ_from_the_rest_of_the_week() -> None:
    due = BusinessCalendar(ACME_US_EAST).add(at("America/New_York", 2026, 12, 4, 14), 2 * HOUR)
    assert due == at("America/New_York", 2026, 12, 7, 9, 30)


def test_a_holiday_on_a_saturday_closes_the_friday_it_is_observed_on() -> None:
    # 4 July 2026 is a Saturday; the US observes Independence Day on Friday 3 July.
    due = BusinessCalendar(NINE_TO_FIVE_NY).add(at("America/New_York", 2026, 7, 2, 16), 2 * HOUR)
    assert due == at("America/New_York", 2026, 7, 6, 10)


def test_the_year_end_skips_closed_dates_and_new_year() -> None:
    due = BusinessCalendar(ACME_US_EAST).add(at("America/New_York", 2026, 12, 30, 17), HOUR)
    assert due == at("America/New_York", 2027, 1, 4, 9)  # 31 Dec closed, 1 Jan holiday, then a weekend


@pytest.mark.parametrize("zone, spring, autumn", [
    ("America/New_York", dt.date(2026, 3, 8), dt.date(2026, 11, 1)),
    ("Europe/Berlin", dt.date(2026, 3, 29), dt.date(2026, 10, 25)),
    ("Australia/Sydney", dt.date(2026, 10, 4), dt.date(2026, 4, 5)),
])
def test_a_day_open_around_the_clock_has_23_hours_in_spring_and_25_in_autumn(
        zone: str, spring: dt.date, autumn: dt.date) -> None:
    business = BusinessCalendar(Calendar("24h", zone, {d: ((0, 24 * 60),) for d in range(7)}))

    def length(day: dt.date) -> int:
        return business.between(at(zone, day.year, day.month, day.day), at(zone, *(day + dt.timedelta(1)).timetuple()[:3]))

    assert (length(spring), length(autumn)) == (23 * HOUR, 25 * HOUR)


def test_hours_across_the_new_york_change_to_summer_time_count_real_elapsed_time() -> None:
    night = Calendar("night", "America/New_York", {6: ((hm("01:00"), hm("04:00")),)})
    business = BusinessCalendar(night)
    # 01:00-04:00 on 8 March 2026 lasts two real hours: 02:00-03:00 does not exist.
    assert business.between(at("America/New_York", 2026, 3, 8), at("America/New_York", 2026, 3, 9)) == 2 * HOUR
    assert business.add(at("America/New_York", 2026, 3, 8, 1), HOUR + 30 * MINUTE) == at(
        "America/New_York", 2026, 3, 8, 3, 30)


def test_hours_across_the_berlin_change_to_winter_time_count_the_repeated_hour_twice() -> None:
    night = Calendar("night", "Europe/Berlin", {6: ((hm("01:00"), hm("04:00")),)})
    business = BusinessCalendar(night)
    assert business.between(at("Europe/Berlin", 2026, 10, 25), at("Europe/Berlin", 2026, 10, 26)) == 4 * HOUR


@pytest.mark.parametrize("zone, offset", [("Asia/Kolkata", dt.timedelta(hours=5, minutes=30)),
                                          ("Asia/Kathmandu", dt.timedelta(hours=5, minutes=45))])
def test_zones_with_half_and_quarter_hour_offsets(zone: str, offset: dt.timedelta) -> None:
    business = BusinessCalendar(Calendar("office", zone, weekdays((hm("10:00"), hm("18:00")))))
    start = dt.datetime(2026, 12, 1, 10, tzinfo=UTC) - offset  # Tuesday 10:00 local
    assert business.add(start, 8 * HOUR) == dt.datetime(2026, 12, 1, 18, tzinfo=UTC) - offset
    assert business.add(start, 8 * HOUR + MINUTE) == dt.datetime(2026, 12, 2, 10, 1, tzinfo=UTC) - offset


def test_a_closure_cuts_part_of_a_day() -> None:
    half_day = Closure(dt.datetime(2026, 12, 23, 12), dt.datetime(2026, 12, 23, 17), "half day")
    calendar = Calendar("ny", "America/New_York", weekdays((hm("09:00"), hm("17:00"))), "US", closures=(half_day,))
    due = BusinessCalendar(calendar).add(at("America/New_York", 2026, 12, 23, 11), 2 * HOUR)
    assert due == at("America/New_York", 2026, 12, 24, 10)


def test_business_days_keep_the_local_time_and_skip_closed_days() -> None:
    due = BusinessCalendar(ACME_US_EAST).add(at("America/New_York", 2026, 12, 23, 10), Duration(days=2))
    assert due == at("America/New_York", 2026, 12, 29, 10)  # 24 Dec closed, 25 Dec holiday, a weekend, Mon 28


@PROPERTY
@given(calendars(), instants, st.integers(0, 20 * 24 * 60))
def test_the_open_spans_between_two_instants_add_up_to_the_business_time(calendar: Calendar, a: dt.datetime,
                                                                         minutes: int) -> None:
    business, b = BusinessCalendar(calendar), a + dt.timedelta(minutes=minutes)
    spans = business.open_spans(a, b)
    assert sum(e - s for s, e in spans) == business.between(a, b)
    assert all(s < e for s, e in spans) and spans == sorted(spans)


def test_add_many_agrees_with_add() -> None:
    import numpy as np

    business = BusinessCalendar(ACME_US_EAST)
    starts = [at("America/New_York", 2026, 12, d, h) for d in range(1, 29) for h in (0, 8, 12, 16, 23)]
    seconds = [(i % 7) * 5 * HOUR + i * MINUTE for i in range(len(starts))]
    got = business.add_many(np.array([int(s.timestamp()) for s in starts]), np.array(seconds))
    assert [int(business.add(s, n).timestamp()) for s, n in zip(starts, seconds)] == got.tolist()


def test_a_calendar_without_hours_is_refused_and_searches_are_bounded() -> None:
    with pytest.raises(NoBusinessTime):
        BusinessCalendar(Calendar("never", "UTC", {}))
    one_hour = Calendar("rare", "UTC", {0: ((0, 60),)}, closed=tuple(
        dt.date(2026, 1, 5) + dt.timedelta(weeks=w) for w in range(600)))
    with pytest.raises(NoBusinessTime, match="10 years"):
        BusinessCalendar(one_hour).add(dt.datetime(2026, 1, 1, tzinfo=UTC), HOUR)


def test_a_start_with_a_fraction_of_a_second_never_gives_an_early_deadline() -> None:
    start = at("America/New_York", 2026, 12, 7, 10) + dt.timedelta(microseconds=700_000)
    assert BusinessCalendar(NINE_TO_FIVE_NY).add(start, HOUR) == at("America/New_York", 2026, 12, 7, 11, 0, 1)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="no timezone"):
        BusinessCalendar(NINE_TO_FIVE_NY).add(dt.datetime(2026, 12, 1, 9), HOUR)


def test_threads_sharing_a_calendar_get_the_same_answers_as_a_fresh_one() -> None:
    import random
    from concurrent.futures import ThreadPoolExecutor

    rng = random.Random(5)
    starts = [dt.datetime(2020, 1, 1, tzinfo=UTC) + dt.timedelta(hours=rng.randrange(15 * 8760)) for _ in range(300)]
    expected = [BusinessCalendar(NINE_TO_FIVE_NY).add(s, 48 * HOUR) for s in starts]
    shared = BusinessCalendar(NINE_TO_FIVE_NY)
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda s: shared.add(s, 48 * HOUR), starts))
    assert got == expected
