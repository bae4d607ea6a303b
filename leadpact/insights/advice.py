"""The predictive score, as advice: a model trained on the recorded won and lost leads, shown beside the pact's score
with its top factors, and a suggestion of fit points and an MQL threshold that a person may take into a proposed
version. It never qualifies or routes a lead: the agreed definition does."""

from __future__ import annotations

import datetime as dt
import pickle
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml
from django.db.models import Exists, OuterRef

from leadpact.core.errors import FieldErrors, NotFound
from leadpact.insights import predict
from leadpact.insights.models import ScoreModel
from leadpact.leads.models import Lead, Round, Signal

# Fields that name a person or a company rather than describe one: never learnt from.
IDENTIFYING = {"email", "external_id", "first_name", "last_name", "phone", "website", "company", "domain"}
DESCRIBING = ("title", "employees", "industry", "country", "state", "lead_type", "source", "campaign", "medium")
SETTLED = ("won", "lost", "rejected", "recycled", "disqualified")


def features(lead: dict[str, Any], signals: Counter) -> dict[str, Any]:
    """What the model reads of a lead: who it is (no names) and how often it sent each signal."""
    row = {name: lead.get(name) for name in DESCRIBING}
    email = lead.get("email") or ""
    row["email_domain"] = email.rpartition("@")[2] if "@" in email else None
    row.update({f"custom.{k}": v for k, v in (lead.get("custom") or {}).items() if isinstance(v, (str, int, float))})
    row.update({f"signals.{name}": n for name, n in signals.items()})
    return row


def training_set() -> tuple[list[dict[str, Any]], list[bool], list[int]]:
    """Every lead with a settled round: its features, and whether it was ever won."""
    settled = Round.objects.filter(lead=OuterRef("pk"), outcome__in=SETTLED)
    won = Round.objects.filter(lead=OuterRef("pk"), outcome="won")
    leads = Lead.objects.filter(Exists(settled)).annotate(won=Exists(won)).order_by("pk")
    rows, outcomes, ids = [], [], []
    for chunk in _chunks(leads.values("pk", "won", "custom", "email", *DESCRIBING)):
        signals = _signals([lead["pk"] for lead in chunk])
        for lead in chunk:
            rows.append(features(lead, signals.get(lead["pk"], Counter())))
            outcomes.append(bool(lead["won"]))
            ids.append(lead["pk"])
    return rows, outcomes, ids


def advice_train(now: dt.datetime, model: str = "logistic", folds: int = 5) -> ScoreModel:
    """Train on the recorded outcomes, measure it by cross-validation, and keep it with its suggestion."""
    rows, outcomes, _ = training_set()
    if len(rows) < 50 or sum(outcomes) < 10 or len(rows) - sum(outcomes) < 10:
        raise FieldErrors({"history": f"{len(rows)} settled leads, {sum(outcomes)} won: advice needs at least 50, "
                                      "with 10 won and 10 not; import past outcomes (leadpact import outcomes)"})
    try:
        measured = predict.evaluate(rows, outcomes, model=model, folds=folds)
        advisor = predict.train(rows, outcomes, model=model)
        suggestion = predict.suggest(rows, outcomes)
    except ValueError as err:
        raise FieldErrors({"history": str(err)}) from None
    return ScoreModel.objects.create(
        trained_at=now, kind=model, leads=len(rows), won=sum(outcomes), auc=measured.roc_auc,
        auc_std=measured.roc_auc_std,
        pr_auc=measured.pr_auc, blob=pickle.dumps(advisor), suggestion=suggestion.as_yaml(),
        factors=[str(f) for f in advisor.top_factors(8)])


@dataclass(frozen=True)
class Advice:
    probability: float
    factors: list[str]
    model: ScoreModel


def advice_for(lead: Lead) -> Advice | None:
    """The latest model's chance that this lead is won, with what weighs most for it; None before any training."""
    model = ScoreModel.objects.order_by("-trained_at", "-pk").first()
    if model is None:
        return None
    advisor = _advisor(model.pk)
    fields = {name: getattr(lead, name) for name in (*DESCRIBING, "email", "custom")}
    row = features(fields, _signals([lead.pk]).get(lead.pk, Counter()))
    return Advice(advisor.probability([row])[0], [str(f) for f in advisor.factors(row, top=3)], model)


def proposed_text(current: str, suggestion: str, number: int) -> str:
    """The current pact text with the suggested fit rules and MQL threshold, as version `number`: a starting point
    that a person edits and proposes (YAML comments of the current text are not kept)."""
    document, fragment = yaml.safe_load(current), yaml.safe_load(suggestion)
    document["version"] = number
    document.setdefault("scoring", {})["fit"] = fragment["scoring"]["fit"]
    document.setdefault("qualification", {})["mql_when"] = fragment["qualification"]["mql_when"]
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=110)


def latest_model() -> ScoreModel:
    model = ScoreModel.objects.order_by("-trained_at", "-pk").first()
    if model is None:
        raise NotFound("no model has been trained yet: leadpact advice train")
    return model


@lru_cache(maxsize=4)
def _advisor(pk: int) -> predict.Advisor:
    return pickle.loads(ScoreModel.objects.get(pk=pk).blob)  # written by this process's own code, never uploaded


def _signals(lead_ids: list[int]) -> dict[int, Counter]:
    out: dict[int, Counter] = {}
    for lead_id, name in Signal.objects.filter(lead_id__in=lead_ids).values_list("lead_id", "name"):
        out.setdefault(lead_id, Counter())[name] += 1
    return out


def _chunks(rows, size: int = 2000):
    chunk = []
    for row in rows.iterator(chunk_size=size):
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
