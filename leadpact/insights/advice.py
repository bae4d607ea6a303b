"""The predictive score, as advice: a model trained on the recorded won and lost leads, shown beside the pact's score
with its top factors, and a suggestion of fit points and an MQL threshold that a person may take into a proposed
version. It never qualifies or routes a lead: the agreed definition does."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import pickle
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sklearn
import yaml
from django.conf import settings
from django.db.models import Exists, OuterRef, Subquery

from leadpact.core.errors import FieldErrors, NotFound
from leadpact.core.rounds import SETTLED
from leadpact.insights import predict
from leadpact.insights.models import ScoreModel
from leadpact.leads.models import Lead, Round, Signal

# Fields that name a person or a company rather than describe one: never learnt from.
IDENTIFYING = {"email", "external_id", "first_name", "last_name", "phone", "website", "company", "domain"}
DESCRIBING = ("title", "employees", "industry", "country", "state", "lead_type", "source", "campaign", "medium")


def features(lead: dict[str, Any], signals: Counter) -> dict[str, Any]:
    """What the model reads of a lead: who it is (no names) and how often it sent each signal."""
    row = {name: lead.get(name) for name in DESCRIBING}
    email = lead.get("email") or ""
    row["email_domain"] = email.rpartition("@")[2] if "@" in email else None
    row.update({f"custom.{k}": v for k, v in (lead.get("custom") or {}).items() if isinstance(v, (str, int, float))})
    row.update({f"signals.{name}": n for name, n in signals.items()})
    return row


def training_set() -> tuple[list[dict[str, Any]], list[bool], list[int]]:
    """Every lead with a settled round: its features up to its last settled outcome (what it did afterwards would give
    the answer away), and whether it was ever won."""
    settled = Round.objects.filter(lead=OuterRef("pk"), outcome__in=SETTLED)
    won = Round.objects.filter(lead=OuterRef("pk"), outcome="won")
    last = settled.order_by("-ended_at").values("ended_at")[:1]
    leads = Lead.objects.filter(Exists(settled)).annotate(won=Exists(won), settled_at=Subquery(last)).order_by("pk")
    rows, outcomes, ids = [], [], []
    for chunk in _chunks(leads.values("pk", "won", "settled_at", "custom", "email", *DESCRIBING)):
        signals = _signals([lead["pk"] for lead in chunk], {lead["pk"]: lead["settled_at"] for lead in chunk})
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
        suggestion = predict.suggest(rows, outcomes, fields=sorted(
            {name for row in rows for name in row if not name.startswith("signals.")}))  # the pact scores signals apart
    except ValueError as err:
        raise FieldErrors({"history": str(err)}) from None
    return ScoreModel.objects.create(
        trained_at=now, kind=model, leads=len(rows), won=sum(outcomes), auc=measured.roc_auc,
        auc_std=measured.roc_auc_std,
        pr_auc=measured.pr_auc, blob=_sealed(advisor), suggestion=suggestion.as_yaml(),
        factors=[str(f) for f in advisor.top_factors(8)])


@dataclass(frozen=True)
class Advice:
    probability: float
    factors: list[str]
    model: ScoreModel


def advice_for(lead: Lead) -> Advice | None:
    """The latest model's chance that this lead is won, with what weighs most for it; None before any training, or
    when the model was written by another scikit-learn release (train again)."""
    model = ScoreModel.objects.order_by("-trained_at", "-pk").first()
    advisor = _advisor(model.pk) if model else None
    if advisor is None:
        return None
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


def _sealed(advisor: predict.Advisor) -> bytes:
    """The fitted model with the scikit-learn release that wrote it, signed with the secret key: only a model this
    installation wrote is ever loaded."""
    body = pickle.dumps((sklearn.__version__, advisor))
    return hmac.new(settings.SECRET_KEY.encode(), body, hashlib.sha256).digest() + body


@lru_cache(maxsize=4)
def _advisor(pk: int) -> predict.Advisor | None:
    blob = bytes(ScoreModel.objects.get(pk=pk).blob)
    seal, body = blob[:32], blob[32:]
    if not hmac.compare_digest(seal, hmac.new(settings.SECRET_KEY.encode(), body, hashlib.sha256).digest()):
        raise ValueError(f"score model {pk} was not written by this installation (its seal does not match)")
    release, advisor = pickle.loads(body)  # noqa: S301 - sealed above with this installation's secret key
    return advisor if release == sklearn.__version__ else None


def _signals(lead_ids: list[int], until: dict[int, dt.datetime | None] | None = None) -> dict[int, Counter]:
    """How often each lead sent each signal (up to its instant in `until`, when given)."""
    out: dict[int, Counter] = {}
    for lead_id, name, at in Signal.objects.filter(lead_id__in=lead_ids).values_list("lead_id", "name", "at"):
        cutoff = (until or {}).get(lead_id)
        if cutoff is None or at <= cutoff:
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
