"""A predictive score from won/lost history, as advice: shown beside the pact's score, never in its place.

`evaluate` measures how well recorded outcomes can be predicted (cross-validated ROC AUC and PR AUC); `train` returns
an `Advisor` that gives each lead a probability of being won and the factors behind it; `suggest` proposes fit rules
and an MQL threshold, in the pact's own condition language, for a person to copy into a proposed pact version.

    >>> advisor = train(rows, won)                   # rows: [{"source": "Google", "employees": 250}, ...]
    >>> advisor.probability(rows[:1]), advisor.factors(rows[0])
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import yaml
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import l1_min_c
from threadpoolctl import threadpool_limits

from leadpact.core.expr import ExprError, compile_condition
from leadpact.core.fields import CONDITION_FIELDS

Value = str | int | float | bool | None
Row = Mapping[str, Value]
MODELS = ("logistic", "boosting")
SCORES = ("fit", "engagement", "score")  # the pact's own scores: a fit rule cannot read them
QUANTILES = (0.25, 0.5, 0.75, 0.9)  # where numbers are cut into `field >= t` rules
STRONGEST_POINTS = 30
MIN_POINTS = 3  # a rule worth less changes few decisions and mostly fits noise: left out
# One thread for BLAS and OpenMP: when other processes keep the CPUs busy, more threads wait on each other (on 2 CPUs:
# a logistic fit on 9,240 leads 0.06 s instead of 3.7 s, five boosting folds 4.4 s instead of 41 s).
_one_thread = threadpool_limits.wrap(limits=1)
# scikit-learn 1.8 spells an L1 penalty l1_ratio=1 and deprecates penalty="l1"; older releases need penalty="l1".
_L1 = {"l1_ratio": 1.0} if LogisticRegression().get_params()["penalty"] == "deprecated" else {"penalty": "l1"}


@dataclass(frozen=True)
class Evaluation:
    """Cross-validated quality of a model: ROC AUC and PR AUC (average precision), mean and spread over folds."""

    model: str
    roc_auc: float
    roc_auc_std: float
    pr_auc: float
    pr_auc_std: float
    base_rate: float  # share of leads won: the PR AUC of a random score
    n: int
    folds: int


@dataclass(frozen=True)
class Factor:
    """One reason behind a prediction: `effect` is its push on the log-odds of winning (positive raises them)."""

    field: str
    words: str
    effect: float

    def __str__(self) -> str:
        return f"{self.words} ({'raises' if self.effect > 0 else 'lowers'} the odds, {self.effect:+.2f})"


class _Encoding:
    """Rows to a matrix, learned on training rows: text and true/false one-hot (values seen in fewer than 1% or 20
    rows grouped as other), numbers standardised with the median standing in for a missing value plus a flag."""

    def __init__(self, rows: Sequence[Row]) -> None:
        rare = _rare_count(len(rows))
        self.numbers: dict[str, tuple[float, float, float, bool]] = {}  # median, mean, spread, has a missing flag
        self.categories: dict[str, list[Value]] = {}  # the values kept, None for missing
        for name in sorted({key for row in rows for key in row}):
            values = [row.get(name) for row in rows]
            numbers = _floats(values)
            if numbers is not None and not np.isnan(numbers).all():
                median = float(np.nanmedian(numbers))
                filled = np.where(np.isnan(numbers), median, numbers)
                self.numbers[name] = (median, float(filled.mean()), float(filled.std()) or 1.0,
                                      bool(np.isnan(numbers).any()))
            else:
                counts = Counter(None if _missing(v) else v for v in values)
                self.categories[name] = [v for v, count in counts.most_common() if count >= rare]
        # (field, kind, value) per column, in the order `matrix` writes them, for plain words
        self.labels = [label for name, (median, *_, flag) in self.numbers.items()
                       for label in [(name, "number", _nice(median))] + [(name, "missing", "")] * flag]
        self.labels += [label for name, kept in self.categories.items() for label in
                        [(name, "missing", "") if v is None else (name, "value", _literal(v)) for v in kept]
                        + [(name, "other", "")]]

    def matrix(self, rows: Sequence[Row]) -> np.ndarray:
        out, col, index = np.zeros((len(rows), len(self.labels))), 0, np.arange(len(rows))
        for name, (median, mean, spread, flag) in self.numbers.items():
            values = [row.get(name) for row in rows]
            raw = _floats(values)
            raw = np.array([v if _is_number(v) else np.nan for v in values], dtype=float) if raw is None else raw
            out[:, col] = (np.where(np.isnan(raw), median, raw) - mean) / spread
            if flag:
                out[:, col + 1] = np.isnan(raw)
            col += 1 + flag
        for name, kept in self.categories.items():
            where = {value: col + i for i, value in enumerate(kept)}
            other = col + len(kept)
            values = (row.get(name) for row in rows)
            out[index, [where.get(None if _missing(v) else v, other) for v in values]] = 1.0
            col = other + 1
        return out


class Advisor:
    """A fitted model: each lead's probability of being won and the factors behind it.

    Factors always come from a logistic regression (coefficient × the lead's value, numbers measured from their
    average, a category against not having it). For `boosting` that logistic model is fitted on the same rows beside
    the trees: the probability is the trees', the factors explain the linear view of the same history, not the trees.
    """

    @_one_thread
    def __init__(self, rows: Sequence[Row], won: np.ndarray, model: str, seed: int = 0, explain: bool = True) -> None:
        self.model, self.encoding = model, _Encoding(rows)
        x = self.encoding.matrix(rows)
        classifier = (LogisticRegression(max_iter=1000) if model == "logistic"
                      else HistGradientBoostingClassifier(random_state=seed))
        self.classifier = classifier.fit(x, won)
        if explain:
            linear = classifier if model == "logistic" else LogisticRegression(max_iter=1000).fit(x, won)
            self.coefficients, self.spreads = linear.coef_[0], x.std(axis=0)

    @_one_thread
    def probability(self, rows: Sequence[Row]) -> list[float]:
        """The probability of being won, one per row, from 0 to 1."""
        return self.classifier.predict_proba(self.encoding.matrix(rows))[:, 1].tolist()

    def factors(self, row: Row, top: int = 3) -> list[Factor]:
        """The `top` features that push this lead's odds the most, either way."""
        effects = self.coefficients * self.encoding.matrix([row])[0]
        order = [i for i in np.argsort(-np.abs(effects)) if effects[i] != 0][:top]
        return [self._factor(i, effects[i], row) for i in order]

    def top_factors(self, n: int = 5) -> list[Factor]:
        """The `n` strongest features over all leads: coefficient × the feature's spread in the training rows."""
        effects = self.coefficients * self.spreads
        return [self._factor(i, effects[i]) for i in np.argsort(-np.abs(effects))[:n]]

    def _factor(self, i: int, effect: float, row: Row | None = None) -> Factor:
        name, kind, value = self.encoding.labels[i]
        if kind == "number" and row is None:
            words = f"higher {name}"
        elif kind == "number":
            raw, known = row.get(name), _is_number(row.get(name)) and not _missing(row.get(name))
            words = f"{name} is {raw:.10g} (typical {value})" if known else f"{name} taken as {value}"
        else:
            other_words = {"missing": f"{name} is missing", "other": f"{name} is a rare value"}
            words = other_words.get(kind, f"{name} is {value}")
        return Factor(name, words, float(effect))


def evaluate(rows: Sequence[Row], outcomes: Sequence[bool], model: str = "logistic", folds: int = 5,
             seed: int = 0) -> Evaluation:
    """Cross-validate `model` on stratified folds; each fold learns its encoding from its own training rows."""
    won = _checked(rows, outcomes, model)
    if folds < 2:
        raise ValueError(f"folds is {folds}; cross-validation needs at least 2")
    if min(won.sum(), len(won) - won.sum()) < folds:
        raise ValueError(f"{folds} folds need at least {folds} won and {folds} lost leads; "
                         f"there are {int(won.sum())} won and {int(len(won) - won.sum())} lost")
    aucs, pr_aucs = [], []
    for fit_at, test_at in StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(won)), won):
        advisor = Advisor([rows[i] for i in fit_at], won[fit_at], model, seed, explain=False)
        chance = advisor.probability([rows[i] for i in test_at])
        aucs.append(roc_auc_score(won[test_at], chance))
        pr_aucs.append(average_precision_score(won[test_at], chance))
    return Evaluation(model, float(np.mean(aucs)), float(np.std(aucs)), float(np.mean(pr_aucs)),
                      float(np.std(pr_aucs)), float(won.mean()), len(won), folds)


def train(rows: Sequence[Row], outcomes: Sequence[bool], model: str = "logistic", seed: int = 0) -> Advisor:
    """Fit `model` ("logistic" or "boosting") on all rows, for advice on new leads."""
    return Advisor(rows, _checked(rows, outcomes, model), model, seed)


@dataclass(frozen=True)
class SuggestedRule:
    """A fit rule as the pact writes it: a condition, whole points, and why."""

    when: str
    points: int
    why: str


@dataclass(frozen=True)
class Suggestion:
    """Fit rules and an MQL threshold `fit >= threshold`, with how that threshold did on the history."""

    rules: tuple[SuggestedRule, ...]
    threshold: int
    precision: float  # share of the leads qualified at the threshold that were won
    recall: float  # share of the won leads that the threshold qualifies
    qualified_share: float
    n: int
    base_rate: float

    def as_yaml(self) -> str:
        """A fragment to paste into a proposed pact version (its `scoring:` and `qualification:` sections)."""
        document = {"scoring": {"fit": [{"when": r.when, "points": r.points, "why": r.why} for r in self.rules]},
                    "qualification": {"mql_when": f"fit >= {self.threshold}"}}
        return (f"# Suggested from {self.n:,} leads with a known outcome ({self.base_rate:.1%} won). At fit >= "
                f"{self.threshold}: {self.qualified_share:.0%} of leads qualify, precision {self.precision:.0%}, "
                f"recall {self.recall:.0%}.\n"
                "# Points weigh each rule given the others; `why` measures the rule alone.\n"
                + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=1000))


def suggest(rows: Sequence[Row], outcomes: Sequence[bool], fields: Sequence[str] | None = None,
            max_rules: int = 8) -> Suggestion:
    """Propose at most `max_rules` fit rules from a sparse (L1) logistic regression on candidate conditions, points
    scaled so the strongest rule is worth 30, and the MQL threshold on fit with the best F1 on these rows.

    `fields` defaults to every field in the rows but the pact's own scores (fit, engagement, score).
    """
    won = _checked(rows, outcomes, "logistic")
    if max_rules < 1:
        raise ValueError(f"max_rules is {max_rules}; suggest at least one rule")
    names = fields or sorted({key for row in rows for key in row} - set(SCORES))
    candidates = [source for name in names for source in _candidates(rows, _usable(name))]
    hits, rare = _hits(rows, candidates), _rare_count(len(rows))
    common = [j for j, count in enumerate(hits.sum(axis=0)) if rare <= count <= len(rows) - rare]
    if not common:
        raise ValueError("no condition to suggest: none holds for at least 1% and 20 of the leads and fails "
                         "for as many")
    # conditions that pick the same leads (visits >= 1, page views >= 1) are one rule, the first written
    common = [common[k] for k in sorted(np.unique(hits[:, common], axis=1, return_index=True)[1])]
    points = np.round(_sparse_weights(hits[:, common], won, max_rules) * STRONGEST_POINTS).astype(int)
    kept = sorted(((p, j) for j, p in zip(common, points) if abs(p) >= MIN_POINTS), key=lambda r: -abs(r[0]))
    fit = hits[:, [j for _, j in kept]].astype(int) @ [p for p, _ in kept]
    rules = tuple(SuggestedRule(candidates[j], int(p), _lift(hits[:, j], won)) for p, j in kept)
    return Suggestion(rules, *_best_threshold(fit, won), len(won), float(won.mean()))


def _candidates(rows: Sequence[Row], name: str) -> list[str]:
    """Conditions on one field: `== null`, numbers cut at quantiles, and each value seen often enough."""
    values = [row.get(name) for row in rows]
    present = [v for v in values if not _missing(v)]
    out = [f"{name} == null"] if len(present) < len(values) else []
    numbers = _floats(present)
    if present and numbers is not None:
        return out + [f"{name} >= {cut}" for cut in dict.fromkeys(map(_nice, np.quantile(numbers, QUANTILES)))]
    rare = _rare_count(len(rows))
    return out + [f"{name} == {_literal(v)}" for v, count in Counter(present).items() if count >= rare]


def _best_threshold(fit: np.ndarray, won: np.ndarray) -> tuple[int, float, float, float]:
    """The threshold T on fit whose `fit >= T` has the best F1 on won leads, with precision, recall, share qualified."""
    f1 = {t: 2 * np.sum((fit >= t) & won) / (np.sum(fit >= t) + won.sum()) for t in np.unique(fit)}
    threshold = max(f1, key=lambda t: (f1[t], t))  # on a tie, the stricter threshold
    qualified = fit >= threshold
    return int(threshold), float(won[qualified].mean()), float(qualified[won].mean()), float(qualified.mean())


def _hits(rows: Sequence[Row], sources: list[str]) -> np.ndarray:
    """Which rows each condition holds for, one column per condition, evaluated as the pact evaluates it."""
    conditions = [compile_condition(source, CONDITION_FIELDS) for source in sources]
    return np.array([[condition(row) for condition in conditions] for row in rows], dtype=bool).reshape(
        len(rows), len(conditions))


def _sparse_weights(hits: np.ndarray, won: np.ndarray, max_rules: int) -> np.ndarray:
    """L1 logistic weights at the weakest penalty that keeps at most `max_rules` conditions (a bisection on log C),
    scaled so the strongest is ±1."""
    def weights_at(log_c: float) -> np.ndarray:
        model = LogisticRegression(C=10 ** log_c, solver="liblinear", random_state=0, **_L1)  # liblinear shuffles
        return model.fit(hits, won).coef_[0]

    few = math.log10(l1_min_c(hits, won, loss="log"))  # log C: below this no condition gets a weight
    many = few + 4  # a larger C, a weaker penalty, lets more conditions in
    if np.count_nonzero(weights_at(many)) <= max_rules:
        few = many
    for _ in range(7 if few < many else 0):
        middle = (few + many) / 2
        few, many = (middle, many) if np.count_nonzero(weights_at(middle)) <= max_rules else (few, middle)
    weights = weights_at(few)
    if not weights.any():
        raise ValueError(f"no set of at most {max_rules} conditions tells won from lost leads on these rows; "
                         "nothing to suggest")
    return weights / np.abs(weights).max()


def _lift(holds: np.ndarray, won: np.ndarray) -> str:
    """How much more often leads that meet a rule were won than leads that do not, in words."""
    with_rate, without_rate = won[holds].mean(), won[~holds].mean() if (~holds).any() else 0.0
    measured = f"{with_rate:.0%} vs {without_rate:.0%}; {int(holds.sum()):,} of {len(won):,} leads meet it"
    if without_rate == 0:
        return f"won {with_rate:.0%} of the time, leads without it never ({measured})"
    return f"won {with_rate / without_rate:.1f}× as often as leads without it ({measured})"


def _usable(name: str) -> str:
    """A field a fit rule may read, or a ValueError saying why not."""
    if name in SCORES:
        raise ValueError(f"{name!r} is one of the pact's scores; a fit rule cannot read it")
    try:
        compile_condition(f"{name} == null", CONDITION_FIELDS)
    except ExprError as err:
        raise ValueError(f"field {name!r} cannot be read by a pact condition: {err.message}; name fields as the "
                         "pact does, like employees or custom.occupation") from None
    return name


def _checked(rows: Sequence[Row], outcomes: Sequence[bool], model: str) -> np.ndarray:
    """The outcomes as a bool array, after checking the input can be learned from."""
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")
    if len(rows) == 0:
        raise ValueError("rows is empty: give at least one lead with a known outcome")
    if len(rows) != len(outcomes):
        raise ValueError(f"rows has {len(rows)} leads but outcomes has {len(outcomes)}; give one outcome per lead")
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise TypeError(f"row {i} is a {type(row).__name__}, not a mapping of field name to value")
    for i, outcome in enumerate(outcomes):
        if not isinstance(outcome, (bool, np.bool_, int, np.integer)) or outcome not in (0, 1):
            raise ValueError(f"outcome {i} is {outcome!r}; give true (won) or false (lost) for each lead")
    won = np.array([bool(o) for o in outcomes])
    if won.all() or not won.any():
        raise ValueError(f"every lead was {'won' if won.all() else 'lost'}; a model needs both won and lost leads")
    return won


def _rare_count(n: int) -> float:
    """A value seen in fewer rows than this (1% of them, and at least 20) is grouped as other."""
    return max(20, 0.01 * n)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.number)) and not isinstance(value, (bool, np.bool_))


def _floats(values: list[Any]) -> np.ndarray | None:
    """The values as floats, NaN for a missing one; None when any is text, true/false or another kind of value."""
    if any(isinstance(v, (str, bool, np.bool_)) for v in values):
        return None
    try:
        return np.array(values, dtype=float)
    except (TypeError, ValueError):
        return None


def _literal(value: Any) -> str:
    """The value as the pact's condition language writes it: 'text' (with \\ and ' escaped), a number, true/false."""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if _is_number(value):
        return str(value) if isinstance(value, (int, np.integer)) else np.format_float_positional(value, trim="-")
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _nice(value: Any) -> str:
    """A number rounded to two significant digits, written without an exponent: 1234.5 -> 1200, 0.0345 -> 0.035."""
    rounded = float(f"{float(value):.2g}")
    return str(int(rounded)) if rounded.is_integer() else np.format_float_positional(rounded, trim="-")
