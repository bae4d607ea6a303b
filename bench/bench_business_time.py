"""Business-time arithmetic of leadpact against businesstimedelta and pandas CustomBusinessHour, same run, same inputs.

    .venv/bin/python bench/bench_business_time.py [--pairs 100000] [--peer-pairs 5000] [--seed 1]

Calendar: Monday to Friday 09:00-17:00 America/New_York, less the US federal holidays of the `holidays` package
(the same dates for every implementation). Inputs: seeded random (start, duration) pairs; starts are aware UTC
datetimes on whole minutes, uniform over New York's 2026-01-01 00:00 .. 2028-01-01 00:00; durations are 4, 24 or
48 business hours.

Measured (best of 3 passes each):
  - leadpact `add` and `between` per call (aware datetimes in, aware datetime or int out), on all pairs;
    `between(start, add(start, d))`, which should give d back;
  - leadpact `add_many` on int64 epoch arrays, on all pairs;
  - businesstimedelta `start + BusinessTimeDelta` and `Rules.difference`, per call, on the first --peer-pairs pairs;
  - pandas `CustomBusinessHour(n=hours)` per call on the same subset, as a user must run it: the start converted to
    naive New York wall time, the offset added, the result localized back to New York; and the offset addition
    alone, on wall times converted beforehand.
Rates are pairs per second; "leadpact ÷ this" is leadpact's per-call rate for the operation over the row's rate.

Agreement: on the subset, each peer's answers are compared with leadpact's. Every pair gets one kind (the first
that applies: deadline exactly at 17:00, crosses a weekday holiday, crosses a DST change, starts outside hours,
plain), and a few pairs of each kind (disagreements first) are settled by a minute-by-minute count of open time,
where open means: New York wall time in 09:00-17:00 on a Monday-Friday that is not a US holiday, and add(start, d)
is the first instant at which d seconds of open time have passed since start.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import zoneinfo
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import businesstimedelta
import holidays
import numpy as np
import pandas as pd
import pytz
from pandas.tseries.offsets import CustomBusinessHour

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from leadpact.core.business_time import BusinessCalendar
from leadpact.core.pact import Calendar

ZONE = "America/New_York"
NEW_YORK = zoneinfo.ZoneInfo(ZONE)
UTC = dt.timezone.utc
OPEN, CLOSE = 9 * 60, 17 * 60  # minutes after local midnight
HOLIDAYS = frozenset(holidays.country_holidays("US", years=range(2025, 2030)))
DURATION_HOURS = (4, 24, 48)
FIRST, END = dt.datetime(2026, 1, 1, tzinfo=NEW_YORK), dt.datetime(2028, 1, 1, tzinfo=NEW_YORK)
REPEAT = 3
EXAMPLES = 5  # disagreeing and agreeing pairs of each kind settled by the minute count
KINDS = ("deadline at 17:00", "crosses a holiday", "crosses a DST change", "starts outside hours", "plain")


@dataclass
class Inputs:
    starts: list[dt.datetime]  # aware, UTC
    seconds: list[int]
    start_epochs: np.ndarray  # the same starts as int64 epoch seconds
    second_array: np.ndarray

    def head(self, n: int) -> Inputs:
        return Inputs(self.starts[:n], self.seconds[:n], self.start_epochs[:n], self.second_array[:n])


@dataclass
class Row:
    operation: str
    implementation: str
    pairs: int
    rate: float
    ratio: str


def make_inputs(pairs: int, seed: int) -> Inputs:
    rng = np.random.default_rng(seed)
    first, end = int(FIRST.timestamp()), int(END.timestamp())
    epochs = first + rng.integers(0, (end - first) // 60, pairs, dtype=np.int64) * 60
    durations = rng.choice(np.array(DURATION_HOURS, dtype=np.int64) * 3600, pairs)
    starts = [dt.datetime.fromtimestamp(int(t), UTC) for t in epochs]
    return Inputs(starts, [int(d) for d in durations], epochs, durations)


def leadpact_calendar() -> BusinessCalendar:
    hours = {weekday: ((OPEN, CLOSE),) for weekday in range(5)}
    return BusinessCalendar(Calendar("new-york", ZONE, hours, holidays="US"))


def btd_rules() -> businesstimedelta.Rules:
    zone = pytz.timezone(ZONE)
    workdays = businesstimedelta.WorkDayRule(start_time=dt.time(9), end_time=dt.time(17),
                                             working_days=[0, 1, 2, 3, 4], tz=zone)
    return businesstimedelta.Rules([workdays, businesstimedelta.HolidayRule(HOLIDAYS, tz=zone)])


def pandas_offsets() -> dict[int, CustomBusinessHour]:
    dates = sorted(HOLIDAYS)
    return {h * 3600: CustomBusinessHour(n=h, start="09:00", end="17:00", holidays=dates) for h in DURATION_HOURS}


def best_of(run: Callable[[], list]) -> tuple[float, list]:
    """The shortest of REPEAT runs, in seconds, and the results of the last one."""
    best, results = float("inf"), []
    for _ in range(REPEAT):
        began = time.perf_counter()
        results = run()
        best = min(best, time.perf_counter() - began)
    return best, results


# The timed calls -------------------------------------------------------------------------------------------------

def leadpact_adds(calendar: BusinessCalendar, inputs: Inputs) -> list[dt.datetime]:
    return [calendar.add(start, seconds) for start, seconds in zip(inputs.starts, inputs.seconds)]


def leadpact_betweens(calendar: BusinessCalendar, starts: list[dt.datetime], ends: list[dt.datetime]) -> list[int]:
    return [calendar.between(a, b) for a, b in zip(starts, ends)]


def btd_adds(rules: businesstimedelta.Rules, inputs: Inputs) -> list[dt.datetime]:
    deltas = {d: businesstimedelta.BusinessTimeDelta(rules, seconds=d) for d in set(inputs.seconds)}
    return [start + deltas[seconds] for start, seconds in zip(inputs.starts, inputs.seconds)]


def btd_betweens(rules: businesstimedelta.Rules, starts: list[dt.datetime], ends: list[dt.datetime]) -> list[int]:
    return [int(rules.difference(a, b).timedelta.total_seconds()) for a, b in zip(starts, ends)]


def wall_times(inputs: Inputs) -> list[pd.Timestamp]:
    return [pd.Timestamp(start).tz_convert(ZONE).tz_localize(None) for start in inputs.starts]


def pandas_offset_adds(offsets: dict[int, CustomBusinessHour], walls: list[pd.Timestamp],
                       inputs: Inputs) -> list[pd.Timestamp]:
    return [wall + offsets[seconds] for wall, seconds in zip(walls, inputs.seconds)]


def pandas_adds(offsets: dict[int, CustomBusinessHour], inputs: Inputs) -> list[pd.Timestamp]:
    results = []
    for start, seconds in zip(inputs.starts, inputs.seconds):
        wall = pd.Timestamp(start).tz_convert(ZONE).tz_localize(None)
        results.append((wall + offsets[seconds]).tz_localize(ZONE))
    return results


def epochs(instants: list) -> np.ndarray:
    return np.array([int(t.timestamp()) for t in instants], dtype=np.int64)


# Measuring -------------------------------------------------------------------------------------------------------

@dataclass
class Answers:
    """Epoch-second answers of each implementation: add on every pair it ran, between on the same pairs."""

    add: dict[str, np.ndarray]
    between: dict[str, np.ndarray]


def first_call_seconds(inputs: Inputs) -> float:
    """How long the first add takes on a fresh calendar (it builds the calendar's table of open intervals)."""
    began = time.perf_counter()
    leadpact_calendar().add(inputs.starts[0], inputs.seconds[0])
    return time.perf_counter() - began


def measure_leadpact(inputs: Inputs) -> tuple[list[Row], Answers, np.ndarray]:
    calendar = leadpact_calendar()
    calendar.add_many(inputs.start_epochs, inputs.second_array)  # builds the table once, outside the timings
    add_time, added = best_of(lambda: leadpact_adds(calendar, inputs))
    between_time, between = best_of(lambda: leadpact_betweens(calendar, inputs.starts, added))
    many_time, many = best_of(lambda: calendar.add_many(inputs.start_epochs, inputs.second_array))
    n = len(inputs.starts)
    rows = [Row("add", "leadpact add (per call)", n, n / add_time, "1.0"),
            Row("add", "leadpact add_many (int64 batch)", n, n / many_time, "—"),
            Row("between", "leadpact between (per call)", n, n / between_time, "1.0")]
    return rows, Answers({"leadpact": epochs(added)}, {"leadpact": np.array(between)}), many


def measure_peers(subset: Inputs, ends: list[dt.datetime], leadpact_rows: list[Row]) -> tuple[list[Row], Answers]:
    rules, offsets, n = btd_rules(), pandas_offsets(), len(subset.starts)
    btd_add_time, btd_added = best_of(lambda: btd_adds(rules, subset))
    btd_between_time, btd_between = best_of(lambda: btd_betweens(rules, subset.starts, ends))
    pandas_time, pandas_added = best_of(lambda: pandas_adds(offsets, subset))
    walls = wall_times(subset)
    offset_time, _ = best_of(lambda: pandas_offset_adds(offsets, walls, subset))
    add_rate, between_rate = leadpact_rows[0].rate, leadpact_rows[2].rate
    rows = [Row("add", "businesstimedelta start + BusinessTimeDelta", n, n / btd_add_time,
                f"{add_rate * btd_add_time / n:.1f}"),
            Row("add", "pandas CustomBusinessHour (aware → NY wall time → aware)", n, n / pandas_time,
                f"{add_rate * pandas_time / n:.1f}"),
            Row("add", "pandas CustomBusinessHour (offset only, on naive wall times)", n,
                n / offset_time, f"{add_rate * offset_time / n:.1f}"),
            Row("between", "businesstimedelta Rules.difference", n, n / btd_between_time,
                f"{between_rate * btd_between_time / n:.1f}")]
    answers = Answers({"businesstimedelta": epochs(btd_added), "pandas": epochs(pandas_added)},
                      {"businesstimedelta": np.array(btd_between)})
    return rows, answers


# The definition, counted minute by minute --------------------------------------------------------------------------

def local(t: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(t, NEW_YORK)


def is_open(t: int) -> bool:
    wall = local(t)
    return wall.weekday() < 5 and wall.date() not in HOLIDAYS and OPEN <= wall.hour * 60 + wall.minute < CLOSE


def brute_add(start: int, seconds: int) -> int:
    """The end of the minute in which the d-th second of open time passes, walking whole minutes from start."""
    assert start % 60 == 0 and seconds % 60 == 0
    t, left = start, seconds // 60
    while left:
        left -= is_open(t)
        t += 60
    return t


def next_morning(t: int) -> int:
    """09:00 New York on the first open day after the local date of t."""
    day = local(t).date() + dt.timedelta(days=1)
    while day.weekday() >= 5 or day in HOLIDAYS:
        day += dt.timedelta(days=1)
    return int(dt.datetime.combine(day, dt.time(9), tzinfo=NEW_YORK).timestamp())


def kind_of(start: int, deadline: int) -> str:
    """The first of KINDS that describes the pair, given its deadline."""
    first, last = local(start), local(deadline)
    if last.hour * 60 + last.minute == CLOSE and last.second == 0:
        return KINDS[0]
    if any(first.date() <= day <= last.date() and day.weekday() < 5 for day in HOLIDAYS):
        return KINDS[1]
    if first.utcoffset() != last.utcoffset():
        return KINDS[2]
    return KINDS[3] if not is_open(start) else KINDS[4]


# Agreement -------------------------------------------------------------------------------------------------------

PEERS = ("businesstimedelta", "pandas")


def show(t: int) -> str:
    return f"{local(t):%a %Y-%m-%d %H:%M %Z}"


def print_kinds(kinds: list[str], answers: Answers) -> dict[str, np.ndarray]:
    """Pairs and disagreements with leadpact per kind; returns each peer's disagreement mask."""
    lp = answers.add["leadpact"]
    differs = {peer: answers.add[peer] != lp for peer in PEERS}
    between = answers.between["businesstimedelta"] != answers.between["leadpact"][:len(kinds)]
    print("| kind | pairs | businesstimedelta add ≠ leadpact | pandas add ≠ leadpact "
          "| businesstimedelta between ≠ leadpact |\n|---|---:|---:|---:|---:|")
    for kind in KINDS + ("all",):
        mask = np.array([kind in (k, "all") for k in kinds])
        print(f"| {kind} | {mask.sum()} | {(differs['businesstimedelta'] & mask).sum()} "
              f"| {(differs['pandas'] & mask).sum()} | {(between & mask).sum()} |")
    return differs


def print_patterns(subset: Inputs, answers: Answers, differs: dict[str, np.ndarray]) -> None:
    """How each peer's differing answers relate to leadpact's: the next 09:00 after a 17:00 deadline, or other."""
    lp = answers.add["leadpact"]
    for peer in PEERS:
        indices = np.nonzero(differs[peer])[0]
        morning = {i for i in indices
                   if local(int(lp[i])).time() == dt.time(17) and answers.add[peer][i] == next_morning(int(lp[i]))}
        others = [i for i in indices if i not in morning]
        print(f"- {peer}: {len(indices)} disagreements; {len(morning)} give 09:00 of the next open day where "
              f"leadpact gives 17:00; {len(others)} other")
        for i in others[:EXAMPLES]:
            print(f"  - other: {show(int(subset.start_epochs[i]))} + {subset.seconds[i] // 3600} h: "
                  f"leadpact {show(int(lp[i]))}, {peer} {show(int(answers.add[peer][i]))}")


def examples(kinds: list[str], differs: np.ndarray, kind: str) -> list[int]:
    """Up to EXAMPLES disagreeing and EXAMPLES agreeing pairs of one kind."""
    of_kind = [i for i, k in enumerate(kinds) if k == kind]
    return [i for i in of_kind if differs[i]][:EXAMPLES] + [i for i in of_kind if not differs[i]][:EXAMPLES]


def settle(kinds: list[str], subset: Inputs, answers: Answers, differs: dict[str, np.ndarray]) -> list[str]:
    """Counts the open minutes for a few pairs of each kind; prints who matches; returns the disagreeing cases."""
    names, details = ("leadpact",) + PEERS, []
    any_differs = differs["businesstimedelta"] | differs["pandas"]
    print(f"| kind | pairs counted | {' | '.join(f'{name} = count' for name in names)} |\n|---|---:|---:|---:|---:|")
    for kind in KINDS:
        chosen = examples(kinds, any_differs, kind)
        right = Counter()
        for i in chosen:
            start, seconds = int(subset.start_epochs[i]), subset.seconds[i]
            truth = brute_add(start, seconds)
            right.update(name for name in names if answers.add[name][i] == truth)
            if any_differs[i] or answers.add["leadpact"][i] != truth:
                given = ", ".join(f"{name} {show(int(answers.add[name][i]))}" for name in names)
                details.append(f"- {kind}: {show(start)} + {seconds // 3600} h → count {show(truth)}; {given}")
        print(f"| {kind} | {len(chosen)} | {' | '.join(f'{right[name]}/{len(chosen)}' for name in names)} |")
    return details


def agreement(subset: Inputs, answers: Answers) -> None:
    """Disagreements per kind and peer, their pattern, and the minute count on a few pairs of each kind."""
    kinds = [kind_of(int(s), int(d)) for s, d in zip(subset.start_epochs, answers.add["leadpact"])]
    print(f"\nAgreement on the first {len(kinds):,} pairs (kind: the first that applies, by leadpact's deadline):\n")
    differs = print_kinds(kinds, answers)
    print()
    print_patterns(subset, answers, differs)
    print("\nSettled by counting open minutes one by one (open: New York 09:00-17:00, Mon-Fri, not a US holiday; "
          "the deadline is the first instant at which the duration has passed):\n")
    details = settle(kinds, subset, answers, differs)
    print("\nThe counted pairs where the implementations differ:\n")
    print("\n".join(details) or "- none")


# Report ------------------------------------------------------------------------------------------------------------

def print_header(args: argparse.Namespace) -> None:
    packages = ", ".join(f"{name} {version(name)}" for name in ("numpy", "pandas", "businesstimedelta", "holidays"))
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; {packages}")
    print(f"{args.pairs:,} pairs (seed {args.seed}); peers on the first {args.peer_pairs:,}; best of {REPEAT} passes\n")


def print_table(rows: list[Row]) -> None:
    print("| operation | implementation | pairs | per second | leadpact ÷ this |\n|---|---|---:|---:|---:|")
    for row in rows:
        print(f"| {row.operation} | {row.implementation} | {row.pairs:,} | {row.rate:,.0f} | {row.ratio} |")


def print_checks(inputs: Inputs, answers: Answers, many: np.ndarray, peer_answers: Answers, build: float) -> None:
    n, lp, m = len(inputs.starts), answers.add["leadpact"], len(peer_answers.between["businesstimedelta"])
    print(f"\n- first add on a fresh calendar (builds its table of open intervals): {build * 1000:.1f} ms")
    print(f"- leadpact add_many = add on {(many == lp).sum():,} of {n:,} pairs; "
          f"between(start, add(start, d)) = d on {(answers.between['leadpact'] == inputs.second_array).sum():,} "
          f"of {n:,}")
    btd_between = peer_answers.between["businesstimedelta"] == inputs.second_array[:m]
    print(f"- businesstimedelta difference(start, leadpact add) = d on {btd_between.sum():,} of {m:,}")


def print_goals(rows: list[Row]) -> None:
    rate = {row.implementation: row.rate for row in rows}
    per_call, many = rate["leadpact add (per call)"], rate["leadpact add_many (int64 batch)"]
    over_btd = per_call / rate["businesstimedelta start + BusinessTimeDelta"]
    print(f"- add_many: {many:,.0f} adds/s, {many / per_call:.1f}x per-call add "
          f"(goal > 1,000,000/s: {'met' if many > 1_000_000 else 'not met'})")
    print(f"- leadpact add ÷ businesstimedelta add: {over_btd:.1f} "
          f"(goal ≥ 100: {'met' if over_btd >= 100 else 'not met'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pairs", type=int, default=100_000)
    parser.add_argument("--peer-pairs", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    args.peer_pairs = min(args.peer_pairs, args.pairs)
    inputs = make_inputs(args.pairs, args.seed)
    subset = inputs.head(args.peer_pairs)
    build = first_call_seconds(inputs)
    leadpact_rows, answers, many = measure_leadpact(inputs)
    ends = [dt.datetime.fromtimestamp(int(t), UTC) for t in answers.add["leadpact"][:args.peer_pairs]]
    peer_rows, peer_answers = measure_peers(subset, ends, leadpact_rows)
    rows = leadpact_rows + peer_rows
    print_header(args)
    print_table(sorted(rows, key=lambda row: row.operation))
    print_checks(inputs, answers, many, peer_answers, build)
    print_goals(rows)
    peer_answers.add["leadpact"] = answers.add["leadpact"][:args.peer_pairs]
    peer_answers.between["leadpact"] = answers.between["leadpact"][:args.peer_pairs]
    agreement(subset, peer_answers)


if __name__ == "__main__":
    main()
