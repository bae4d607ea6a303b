"""How attempts pay off: the classic table, the chance once reached, and the advised maximum of attempts."""

from __future__ import annotations

import csv
import re
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadpact.core.attempts import attempt_table, recommend_max_attempts

BANK = Path(__file__).resolve().parents[3] / ".." / "shared" / "datasets" / "bank_marketing_uci"


def leads(*groups: tuple[int, int, int]) -> tuple[list[int], list[bool]]:
    """(attempts, stopped there, converted there) per group, as the two per-lead lists."""
    attempts: list[int] = []
    converted: list[bool] = []
    for k, stopped, won in groups:
        attempts += [k] * stopped
        converted += [True] * won + [False] * (stopped - won)
    return attempts, converted


# 1000 leads; once reached, attempt 1 pays 10%, 2 pays 8%, 3 pays 4%, 4 pays 2.4%.
FUNNEL = leads((1, 500, 100), (2, 250, 40), (3, 125, 10), (4, 125, 3))


def test_each_count_gets_its_row_and_longer_sequences_pool_in_the_last():
    rows = attempt_table([1, 1, 1, 2, 2, 3, 5], [True, False, False, True, False, False, True], last=3)
    assert [(r.k, r.label, r.stopped, r.converted) for r in rows] == [
        (1, "1", 3, 1), (2, "2", 2, 1), (3, "3", 1, 0), (4, "4+", 1, 1)]
    assert [r.rate for r in rows] == pytest.approx([1 / 3, 1 / 2, 0, 1])


def test_the_chance_once_reached_divides_by_every_lead_that_got_that_far():
    rows = attempt_table([1, 1, 1, 2, 2, 3, 5], [True, False, False, True, False, False, True], last=3)
    assert [r.reached for r in rows] == [7, 4, 2, 1]
    assert [r.success_when_reached for r in rows] == pytest.approx([1 / 7, 1 / 4, 0, 1])
    assert [r.cumulative_share for r in rows] == pytest.approx([1 / 3, 2 / 3, 2 / 3, 1])


def test_an_empty_count_has_no_rate_and_no_conversions_means_no_shares():
    rows = attempt_table([1, 3], [False, False], last=3)
    assert rows[1].stopped == 0 and rows[1].rate is None and rows[1].reached == 1
    assert rows[3].reached == 0 and rows[3].success_when_reached is None
    assert all(r.cumulative_share is None for r in rows)


@given(st.lists(st.tuples(st.integers(1, 30), st.booleans()), min_size=1), st.integers(1, 12))
def test_the_table_accounts_for_every_lead_and_every_conversion(pairs, last):
    rows = attempt_table([k for k, _ in pairs], [won for _, won in pairs], last=last)
    assert len(rows) == last + 1 and sum(r.stopped for r in rows) == len(pairs)
    assert sum(r.converted for r in rows) == sum(won for _, won in pairs)
    assert all(later.reached == row.reached - row.stopped for row, later in zip(rows, rows[1:]))
    assert rows[-1].reached == rows[-1].stopped == sum(k > last for k, _ in pairs)


@pytest.mark.parametrize(("attempts", "converted", "message"), [
    ([1, 2], [True], "attempts has 2 leads but converted has 1"),
    ([], [], "no leads"),
    ([1, 0], [True, False], "lead 1 is 0; a lead has at least 1 attempt"),
    ([2.5], [True], "lead 0 is 2.5, not a whole number"),
    (["3"], [True], "lead 0 is '3', not a whole number"),
    ([True], [True], "lead 0 is True, not a whole number"),
    ([1], ["yes"], "converted of lead 0 is 'yes'"),
])
def test_bad_input_is_refused_naming_what_is_wrong(attempts, converted, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        attempt_table(attempts, converted)


def test_a_bad_setting_is_refused_naming_it():
    rows = attempt_table(*FUNNEL)
    with pytest.raises(ValueError, match="last is 0"):
        attempt_table(*FUNNEL, last=0)
    with pytest.raises(ValueError, match="floor_share is 0"):
        recommend_max_attempts(rows, floor_share=0)
    with pytest.raises(ValueError, match="min_reached is 0"):
        recommend_max_attempts(rows, min_reached=0)
    with pytest.raises(ValueError, match="starting at attempt 1"):
        recommend_max_attempts(rows[1:])


def test_stop_after_the_last_attempt_still_paying_a_third_of_the_first():
    advice = recommend_max_attempts(attempt_table(*FUNNEL))
    assert advice.max_attempts == 3
    assert advice.kept_share == pytest.approx(150 / 153)
    assert advice.reasons == [
        "attempt 1 succeeds 10.0% of the time (100 of 1000 leads)",
        "attempt 2 still succeeds 8.0% of the time when reached (80% of attempt 1's 10.0%)",
        "attempt 3 still succeeds 4.0% of the time when reached (40% of attempt 1's 10.0%)",
        "attempt 4 succeeds only 2.4% of the time when reached (24% of attempt 1's 10.0%): "
        "below the floor of 33% of attempt 1, so stop after 3",
        "a cap at 3 attempts would have kept 98.0% of the conversions",
    ]


def test_an_attempt_reached_by_too_few_leads_is_skipped_and_said_so():
    advice = recommend_max_attempts(attempt_table(*FUNNEL), min_reached=300)
    assert advice.max_attempts == 2 and advice.kept_share == pytest.approx(140 / 153)
    assert "attempt 3 skipped: only 250 leads reached it, fewer than the 300 needed" in advice.reasons[2]


def test_the_pooled_row_is_never_the_cap():
    advice = recommend_max_attempts(attempt_table(*FUNNEL, last=4), floor_share=0.2)
    assert advice.max_attempts == 4 and advice.kept_share == 1
    assert "every attempt up to 4 pays enough" in advice.reasons[-2]


def test_no_advice_without_enough_leads_or_any_success():
    few = recommend_max_attempts(attempt_table(*leads((1, 50, 5), (2, 30, 1))))
    assert few.max_attempts is None and "only 80 leads" in few.reasons[0]
    never = recommend_max_attempts(attempt_table(*leads((1, 500, 0), (2, 300, 0))))
    assert never.max_attempts is None and "no attempt ever succeeded" in never.reasons[0]


def test_a_plan_that_opens_with_a_step_that_rarely_reaches_anyone_is_judged_from_its_best_attempt():
    advice = recommend_max_attempts(attempt_table(*leads((1, 500, 0), (2, 300, 60), (3, 200, 15), (4, 150, 1))))
    assert advice.reasons[0] == "attempt 2 succeeds 9.2% of the time (60 of 650 leads), more often than any attempt " \
                                "before it; those come first in the plan"
    assert advice.max_attempts == 3  # attempt 3: 15 of 350, 4.3% (47% of 9.2%); attempt 4: 0.7%, below a third


def published_table() -> list[tuple[str, int, int, Decimal]]:
    """The "Follow-up attempts" table of the dataset's SOURCE.md: contacts, clients, subscribed, rate in %."""
    text = (BANK / "SOURCE.md").read_text(encoding="utf-8").split("## Follow-up attempts", 1)[1]
    found = re.findall(r"^\| (\d+\+?) \| ([\d,]+) \| ([\d,]+) \| ([\d.]+) % \|$", text, re.MULTILINE)
    return [(label, int(clients.replace(",", "")), int(won.replace(",", "")), Decimal(rate))
            for label, clients, won, rate in found]


def rounded_percent(part: int, whole: int) -> Decimal:
    return (Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@pytest.fixture(scope="module")
def bank() -> tuple[list[int], list[bool]]:
    with (BANK / "bank-additional-full.csv").open(newline="", encoding="utf-8") as handle:
        calls = list(csv.DictReader(handle, delimiter=";"))
    return [int(c["campaign"]) for c in calls], [c["y"] == "yes" for c in calls]


def test_the_bank_calls_give_the_published_table(bank):
    published = published_table()
    assert len(published) == 11 and published[-1][0] == "11+"
    rows = attempt_table(*bank)
    assert [(r.label, r.stopped, r.converted, rounded_percent(r.converted, r.stopped)) for r in rows] == published


def test_the_bank_calls_advise_stopping_where_the_next_call_pays_under_a_third(bank):
    attempts, converted = bank
    reached = Counter(k for n in attempts for k in range(1, n + 1))
    won = Counter(n for n, yes in zip(attempts, converted) if yes)
    chance = {k: won[k] / reached[k] for k in reached}
    advice = recommend_max_attempts(attempt_table(*bank))
    cap = advice.max_attempts
    assert cap is not None and 3 <= cap <= 10
    assert all(chance[k] >= chance[1] / 3 for k in range(1, cap + 1)) and chance[cap + 1] < chance[1] / 3
    assert advice.kept_share == pytest.approx(sum(won[k] for k in range(1, cap + 1)) / sum(won.values()))
    text = " ".join(advice.reasons)
    for share in (chance[1], chance[cap], chance[cap + 1], advice.kept_share):
        assert f"{share:.1%}" in text
    assert f"stop after {cap}" in text
