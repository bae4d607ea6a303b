"""The predictive score as advice: it finds a planted signal and none in noise, explains itself in the pact's terms,
suggests rules the pact compiles and accepts, and refuses input it cannot learn from."""

from __future__ import annotations

import csv
import random
import re
from importlib import resources
from pathlib import Path

import pytest
import yaml

from leadpact.core.expr import compile_condition
from leadpact.core.fields import CONDITION_FIELDS
from leadpact.core.pact_loader import check_pact
from leadpact.insights.predict import MODELS, evaluate, suggest, train

BANK = Path(__file__).resolve().parents[3].parent / "shared" / "datasets" / "bank_marketing_uci"
SOURCES = ["Google", "Webinar", "Referral", "Direct", "Partner"]
OCCUPATIONS = ["Working Professional", "Student", "Won't say", None]
AWKWARD = "'draft' in C:\\temp\\"  # quotes and a final backslash: the condition must escape both


def leads(n: int = 2000, seed: int = 0, planted: bool = True) -> tuple[list[dict], list[bool]]:
    """Generated leads; when planted, Webinar leads win 60% of the time against 12%, and "Won't say" rarely wins."""
    rng = random.Random(seed)
    rows, won = [], []
    for _ in range(n):
        row = {"source": rng.choice(SOURCES), "employees": rng.choice([None, rng.randint(1, 5000)]),
               "custom.occupation": rng.choice(OCCUPATIONS), "custom.visits": round(rng.random() * 0.05, 4),
               "custom.subscribed": rng.random() < 0.5,
               "custom.note": rng.choices([AWKWARD, "plain", None], [1, 2, 2])[0]}
        chance = 0.6 if row["source"] == "Webinar" else 0.12
        if row["custom.occupation"] == "Won't say":
            chance *= 0.15
        rows.append(row)
        won.append(rng.random() < (chance if planted else 0.2))
    return rows, won


def compiled(source: str):
    return compile_condition(source, CONDITION_FIELDS)


@pytest.mark.parametrize("model", MODELS)
def test_a_planted_signal_is_found_well_above_chance(model):
    result = evaluate(*leads(), model=model)
    assert result.roc_auc > 0.7
    assert result.pr_auc > result.base_rate + 0.15
    assert result.n == 2000 and result.folds == 5 and 0 < result.roc_auc_std < 0.05


@pytest.mark.parametrize("model", MODELS)
def test_pure_noise_scores_about_one_half(model):
    result = evaluate(*leads(planted=False), model=model)
    assert abs(result.roc_auc - 0.5) < 0.05
    assert abs(result.pr_auc - result.base_rate) < 0.05


@pytest.mark.parametrize("model", MODELS)
def test_the_top_factor_of_a_webinar_lead_is_its_source(model):
    rows, won = leads()
    advisor = train(rows, won, model=model)
    webinar = {**rows[0], "source": "Webinar", "custom.occupation": "Student"}
    first = advisor.factors(webinar, top=3)[0]
    assert (first.field, first.words) == ("source", "source is 'Webinar'") and first.effect > 0
    assert "raises the odds" in str(first)
    assert advisor.top_factors(1)[0].words == "source is 'Webinar'"
    google = {**webinar, "source": "Google"}
    assert advisor.probability([webinar])[0] > advisor.probability([google])[0] + 0.2


def test_factors_of_a_number_show_the_value_and_the_typical_one():
    rows, won = leads()
    words = [factor.words for factor in train(rows, won).factors({"employees": 4321}, top=50)]
    assert any(re.fullmatch(r"employees is 4321 \(typical \d+\)", w) for w in words)


def test_the_suggestion_finds_the_planted_rules_at_full_and_negative_strength():
    suggestion = suggest(*leads())
    assert suggestion.rules[0].when == "source == 'Webinar'" and suggestion.rules[0].points == 30
    assert re.match(r"won \d+\.\d× as often as leads without it", suggestion.rules[0].why)
    by_condition = {rule.when: rule.points for rule in suggestion.rules}
    assert by_condition[r"custom.occupation == 'Won\'t say'"] < -5
    assert 1 <= len(suggestion.rules) <= 8


def test_the_same_history_gives_the_same_suggestion():
    assert suggest(*leads()) == suggest(*leads())


def test_every_suggested_condition_compiles_and_matches_the_rows_it_names():
    rows, won = leads()
    won = [w or row["custom.note"] == AWKWARD and i % 2 == 0 for i, (row, w) in enumerate(zip(rows, won))]
    suggestion = suggest(rows, won)
    for rule in suggestion.rules:
        assert compiled(rule.when).fields <= set(CONDITION_FIELDS) | {f for row in rows for f in row}
    awkward = next(rule for rule in suggestion.rules if "draft" in rule.when)
    assert awkward.when == r"custom.note == '\'draft\' in C:\\temp\\'" and awkward.points > 0
    assert [compiled(awkward.when)(row) for row in rows] == [row["custom.note"] == AWKWARD for row in rows]
    assert compiled(f"fit >= {suggestion.threshold}")({"fit": suggestion.threshold})


def test_the_threshold_figures_agree_with_an_independent_count():
    rows, won = leads()
    suggestion = suggest(rows, won)
    rules = [(compiled(rule.when), rule.points) for rule in suggestion.rules]
    fits = [sum(points for condition, points in rules if condition(row)) for row in rows]
    qualified = [fit >= suggestion.threshold for fit in fits]
    won_and_qualified = sum(q and w for q, w in zip(qualified, won))
    assert suggestion.precision == pytest.approx(won_and_qualified / sum(qualified))
    assert suggestion.recall == pytest.approx(won_and_qualified / sum(won))
    assert suggestion.qualified_share == pytest.approx(sum(qualified) / len(rows))
    assert 0 < suggestion.qualified_share < 1


def test_the_yaml_round_trips_and_pastes_into_a_pact_that_checks_clean():
    suggestion = suggest(*leads())
    fragment = yaml.safe_load(suggestion.as_yaml())
    assert fragment == {
        "scoring": {"fit": [{"when": r.when, "points": r.points, "why": r.why} for r in suggestion.rules]},
        "qualification": {"mql_when": f"fit >= {suggestion.threshold}"}}
    pact = yaml.safe_load(resources.files("leadpact.examples").joinpath("pact.yaml").read_text(encoding="utf-8"))
    pact["scoring"]["fit"] = fragment["scoring"]["fit"]
    pact["qualification"]["mql_when"] = fragment["qualification"]["mql_when"]
    assert check_pact(yaml.safe_dump(pact, allow_unicode=True)) == []


@pytest.mark.parametrize("rows, outcomes, message", [
    ([], [], "rows is empty"),
    ([{"source": "Google"}] * 3, [True, False], "rows has 3 leads but outcomes has 2"),
    ([{"source": "Google"}] * 3, [True] * 3, "every lead was won"),
    ([{"source": "Google"}] * 3, [False] * 3, "every lead was lost"),
    ([{"source": "Google"}] * 2, ["yes", "no"], "outcome 0 is 'yes'"),
])
@pytest.mark.parametrize("use", [evaluate, train, suggest])
def test_input_that_cannot_be_learned_from_is_refused_with_the_reason(use, rows, outcomes, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        use(rows, outcomes)


def test_a_row_that_is_not_a_mapping_is_refused():
    with pytest.raises(TypeError, match="row 1 is a str, not a mapping of field name to value"):
        train([{"source": "Google"}, "Webinar"], [True, False])


def test_an_unknown_model_and_too_few_leads_per_fold_are_refused():
    with pytest.raises(ValueError, match="unknown model 'forest'; choose one of logistic, boosting"):
        train(*leads(100), model="forest")
    with pytest.raises(ValueError, match="5 folds need .* there are 2 won and 3 lost"):
        evaluate([{"source": "Google"}] * 5, [True, True, False, False, False])


@pytest.mark.parametrize("field, message", [
    ("Lead Source", "field 'Lead Source' cannot be read by a pact condition"),
    ("fit", "'fit' is one of the pact's scores"),
])
def test_a_suggestion_only_reads_fields_a_pact_condition_can_read(field, message):
    rows, won = leads(200)
    rows = [{**row, field: row["source"]} for row in rows]
    with pytest.raises(ValueError, match=re.escape(message)):
        suggest(rows, won, fields=["source", field])


def test_bank_marketing_without_call_duration_scores_near_the_published_auc():
    """Moro et al. (2014) report AUC 0.80 on close to this data; duration is known only after the call, so it goes."""
    rows, won = [], []
    with open(BANK / "bank-additional-full.csv", newline="", encoding="utf-8") as file:
        for record in csv.DictReader(file, delimiter=";"):
            won.append(record.pop("y") == "yes")
            del record["duration"]
            rows.append({name: _number_or_text(value) for name, value in record.items()})
    assert len(rows) == 41188
    result = evaluate(rows, won, model="logistic", folds=3)
    assert 0.74 < result.roc_auc < 0.82
    assert result.pr_auc > 2 * result.base_rate


def _number_or_text(value: str) -> float | str:
    try:
        return float(value)
    except ValueError:
        return value
