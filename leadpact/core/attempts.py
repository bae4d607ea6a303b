"""How contact attempts pay off: the outcome by attempt count, and how many attempts a cadence should allow.

A lead's sequence stops at its last attempt, whether it converted there or the rep gave up. The classic table
("rate among leads that stopped at k") flatters late attempts; the cadence question is whether attempt k pays
off once it is reached: converted at exactly k / leads with at least k attempts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class AttemptRow:
    k: int  # attempt count; the last row pools every sequence of k attempts or more
    label: str  # "3", or "11+" for the pooled row
    stopped: int  # leads whose sequence stopped here
    converted: int  # of those, how many converted
    rate: float | None  # converted / stopped; None when no lead stopped here
    reached: int  # leads that had at least k attempts
    success_when_reached: float | None  # converted / reached: the chance attempt k pays off once reached
    cumulative_share: float | None  # share of all conversions made by attempt k; None when nothing converted


@dataclass(frozen=True)
class Recommendation:
    max_attempts: int | None  # None when the data cannot support an answer (the reasons say why)
    reasons: list[str]
    kept_share: float | None  # share of all conversions a cap at max_attempts would have kept


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _checked(attempts: Iterable[int], converted: Iterable[bool]) -> list[tuple[int, bool]]:
    counts, flags = list(attempts), list(converted)
    if len(counts) != len(flags):
        raise ValueError(f"attempts has {len(counts)} leads but converted has {len(flags)}; give one of each per lead")
    if not counts:
        raise ValueError("no leads: the attempt table needs at least one")
    for position, (count, flag) in enumerate(zip(counts, flags)):
        if isinstance(count, bool) or not isinstance(count, int):
            raise ValueError(f"attempt count of lead {position} is {count!r}, not a whole number")
        if count < 1:
            raise ValueError(f"attempt count of lead {position} is {count}; a lead has at least 1 attempt")
        if flag not in (True, False):
            raise ValueError(f"converted of lead {position} is {flag!r}, not True or False")
    return [(count, bool(flag)) for count, flag in zip(counts, flags)]


def attempt_table(attempts: Iterable[int], converted: Iterable[bool], last: int = 10) -> list[AttemptRow]:
    """One row per attempt count 1..`last`, then one row "`last`+1+" pooling the longer sequences.

    >>> [(r.label, r.stopped, r.converted) for r in attempt_table([1, 1, 2, 5], [True, False, True, False], last=2)]
    [('1', 2, 1), ('2', 1, 1), ('3+', 1, 0)]
    """
    if isinstance(last, bool) or not isinstance(last, int) or last < 1:
        raise ValueError(f"last is {last!r}; it must be a whole number of attempts, at least 1")
    leads = _checked(attempts, converted)
    pooled = last + 1
    stopped = Counter(min(count, pooled) for count, _ in leads)
    won = Counter(min(count, pooled) for count, flag in leads if flag)
    total_won = sum(won.values())
    rows, reached, won_so_far = [], len(leads), 0
    for k in range(1, pooled + 1):
        won_so_far += won[k]
        rows.append(AttemptRow(k, f"{k}+" if k == pooled else str(k), stopped[k], won[k], _ratio(won[k], stopped[k]),
                               reached, _ratio(won[k], reached), _ratio(won_so_far, total_won)))
        reached -= stopped[k]
    return rows


def _percent(share: float) -> str:
    return f"{share:.1%}"


def recommend_max_attempts(rows: Sequence[AttemptRow], floor_share: float = 1 / 3,
                           min_reached: int = 100) -> Recommendation:
    """The last attempt, counting from the first, that still pays at least `floor_share` of what the best attempt
    pays (usually the first; a cadence may open with a step that rarely reaches anyone), among attempts that at least
    `min_reached` leads reached; the pooled last row of the table is never a cap."""
    if not 0 < floor_share <= 1:
        raise ValueError(f"floor_share is {floor_share!r}; it must be a share of attempt 1's chance, in (0, 1]")
    if min_reached < 1:
        raise ValueError(f"min_reached is {min_reached!r}; it must be at least 1 lead")
    single = [row for row in rows if not row.label.endswith("+")]
    if not single or single[0].k != 1:
        raise ValueError("rows must come from attempt_table, starting at attempt 1")
    first = single[0]
    if first.reached < min_reached:
        return Recommendation(None, [f"only {first.reached} leads, fewer than the {min_reached} needed to trust "
                                     "any attempt's rate"], None)
    trusted = [row for row in single if row.reached >= min_reached]
    best = max(trusted, key=lambda row: row.success_when_reached or 0.0)
    if not best.success_when_reached:
        return Recommendation(None, ["no attempt ever succeeded, so there is no chance to compare attempts with"],
                              None)
    base = best.success_when_reached
    reasons = [f"attempt {best.k} succeeds {_percent(base)} of the time ({best.converted} of {best.reached} leads)"
               + ("" if best.k == 1 else ", more often than any attempt before it; those come first in the plan")]
    chosen = best
    for row in single[best.k:]:
        if row.reached < min_reached:
            reasons.append(f"attempt {row.k} skipped: only {row.reached} leads reached it, fewer than the "
                           f"{min_reached} needed to trust its rate, so stop after {chosen.k}")
            break
        chance = row.success_when_reached or 0.0
        relative = (f"{_percent(chance)} of the time when reached ({chance / base:.0%} of attempt {best.k}'s "
                    f"{_percent(base)})")
        if chance < floor_share * base:
            reasons.append(f"attempt {row.k} succeeds only {relative}: below the floor of "
                           f"{floor_share:.0%} of attempt {best.k}, so stop after {chosen.k}")
            break
        reasons.append(f"attempt {row.k} still succeeds {relative}")
        chosen = row
    else:
        reasons.append(f"every attempt up to {chosen.k} pays enough; widen the table to judge later attempts")
    kept = chosen.cumulative_share
    reasons.append(f"a cap at {chosen.k} attempts would have kept {_percent(kept or 0.0)} of the conversions")
    return Recommendation(chosen.k, reasons, kept)
