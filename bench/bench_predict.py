"""Cross-validated ROC AUC and PR AUC of the predictive score (advice), logistic regression and gradient boosting,
on three public lead datasets, with the time each evaluation takes.

    .venv/bin/python bench/bench_predict.py [--folds 5] [--seed 0]

X Education `Leads.csv` (target `Converted`) runs with every column, then without the columns sales fill in after
contact. The data dictionary (`Leads Data Dictionary.xlsx`) and SOURCE.md give the reasons for leaving out:

- `Tags`: "the current status of the lead" ("Closed by Horizzon", "Lost to EINS", "Will revert after reading the
  email").
- `Lead Quality`: "based on the data and intuition of the employee who has been assigned to the lead".
- `Lead Profile`: "a lead level assigned to each customer based on their profile": assigned, not given by the lead.
- `Asymmetrique Activity/Profile Index/Score`: "an index and score assigned to each customer based on their activity
  and their profile", blank for the same 4,218 leads: assigned by the company along the way.
- `Last Activity`, `Last Notable Activity`: the latest event when the file was cut, including what sales did and
  how calls went ("SMS Sent", "Had a Phone Conversation", "Unreachable", "Modified"), so partly the outcome.

A third run keeps the two activity columns, to show how much the choice about them weighs. `Prospect ID` and
`Lead Number` are identifiers and left out of every run; the form default "Select" counts as missing.
Bank marketing (`bank-additional-full.csv`, target `y`) leaves out `duration`, known only once the call has ended, as
Moro et al. (2014) and PUBLISHED.md advise. Olist: each MQL's origin, landing page and the weekday and month of its
first contact; the target is a closed deal for that MQL.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from leadpact.insights.predict import MODELS, Evaluation, evaluate, suggest

DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
IDENTIFIERS = ["Prospect ID", "Lead Number"]
ASSIGNED = ["Tags", "Lead Quality", "Lead Profile", "Asymmetrique Activity Index", "Asymmetrique Profile Index",
            "Asymmetrique Activity Score", "Asymmetrique Profile Score"]
ACTIVITY = ["Last Activity", "Last Notable Activity"]
PUBLISHED_BANK_AUC = 0.80  # Moro, Cortez, Rita (2014), neural network, rolling-window test

Data = tuple[list[dict], list[bool]]


def value(text: str) -> float | str | None:
    """A CSV cell as a number when it reads as one, None when blank or the form default "Select"."""
    if text.strip() in ("", "Select"):
        return None
    try:
        return float(text)
    except ValueError:
        return text


def x_education(drop: list[str]) -> Data:
    rows, won = [], []
    with open(DATASETS / "x_education_leads" / "Leads.csv", newline="", encoding="utf-8") as file:
        for record in csv.DictReader(file):
            won.append(record.pop("Converted") == "1")
            rows.append({name: value(text) for name, text in record.items() if name not in drop})
    return rows, won


def bank() -> Data:
    rows, won = [], []
    with open(DATASETS / "bank_marketing_uci" / "bank-additional-full.csv", newline="", encoding="utf-8") as file:
        for record in csv.DictReader(file, delimiter=";"):
            won.append(record.pop("y") == "yes")
            rows.append({name: value(text) for name, text in record.items() if name != "duration"})
    return rows, won


def olist() -> Data:
    folder = DATASETS / "olist_marketing_funnel"
    with open(folder / "olist_closed_deals_dataset.csv", newline="", encoding="utf-8") as file:
        closed = {record["mql_id"] for record in csv.DictReader(file)}
    rows, won = [], []
    with open(folder / "olist_marketing_qualified_leads_dataset.csv", newline="", encoding="utf-8") as file:
        for record in csv.DictReader(file):
            contact = dt.date.fromisoformat(record["first_contact_date"])
            rows.append({"origin": value(record["origin"]), "landing_page_id": record["landing_page_id"],
                         "weekday": contact.strftime("%a"), "month": contact.strftime("%b")})
            won.append(record["mql_id"] in closed)
    return rows, won


CASES: list[tuple[str, Callable[[], Data]]] = [
    ("X Education, all columns", lambda: x_education(IDENTIFIERS)),
    ("X Education, without post-contact columns", lambda: x_education(IDENTIFIERS + ASSIGNED + ACTIVITY)),
    ("X Education, as above but keeping Last (Notable) Activity", lambda: x_education(IDENTIFIERS + ASSIGNED)),
    ("Bank marketing, without duration", bank),
    ("Olist MQLs (origin, landing page, weekday, month)", olist),
]


def print_suggestions() -> None:
    """Time `suggest` on each dataset, its fields read as custom fields, and how its MQL threshold did."""
    print("\n| data | rules | mql_when | qualified | precision | recall | seconds |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for name, load in CASES[1:]:
        rows, won = load()
        rows = [{"custom." + field.replace(" ", "_"): v for field, v in row.items()} for row in rows]
        started = time.perf_counter()
        result = suggest(rows, won)
        print(f"| {name} | {len(result.rules)} | fit >= {result.threshold} | {result.qualified_share:.0%} "
              f"| {result.precision:.0%} | {result.recall:.0%} | {time.perf_counter() - started:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(f"{args.folds}-fold stratified cross-validation, seed {args.seed}\n")
    print("| data | leads | won | model | ROC AUC | PR AUC | seconds |")
    print("|---|---:|---:|---|---:|---:|---:|")
    results: dict[tuple[str, str], Evaluation] = {}
    for name, load in CASES:
        rows, won = load()
        for model in MODELS:
            started = time.perf_counter()
            result = results[name, model] = evaluate(rows, won, model=model, folds=args.folds, seed=args.seed)
            print(f"| {name} | {result.n:,} | {result.base_rate:.1%} | {model} "
                  f"| {result.roc_auc:.3f} ± {result.roc_auc_std:.3f} | {result.pr_auc:.3f} ± {result.pr_auc_std:.3f} "
                  f"| {time.perf_counter() - started:.1f} |")
    best_bank = max(results["Bank marketing, without duration", model].roc_auc for model in MODELS)
    print(f"\nBank marketing without duration: best ROC AUC {best_bank:.3f} against {PUBLISHED_BANK_AUC:.2f} published "
          f"by Moro et al. (2014), a ratio of {best_bank / PUBLISHED_BANK_AUC:.2f}.")
    for model in MODELS:
        with_all = results["X Education, all columns", model].roc_auc
        without = results["X Education, without post-contact columns", model].roc_auc
        print(f"X Education, {model}: ROC AUC {with_all:.3f} with the post-contact columns, {without:.3f} without.")
    print_suggestions()


if __name__ == "__main__":
    main()
