"""The predictive score's page: how well the latest model does, what weighs most, and the fit points it suggests,
which a person can take into a proposed pact version."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from leadpact import clock
from leadpact.accounts.permissions import PACT_PROPOSE
from leadpact.insights.advice import advice_train
from leadpact.insights.models import ScoreModel
from leadpact.web.views.common import act, roles


@roles(*PACT_PROPOSE)
def advice_page(request: HttpRequest) -> HttpResponse:
    model = ScoreModel.objects.order_by("-trained_at", "-pk").first()
    return render(request, "web/advice.html", {"model": model,
                                               "base_rate": model.won / model.leads if model else None})


@require_POST
@roles(*PACT_PROPOSE)
def advice_retrain(request: HttpRequest) -> HttpResponse:
    return act(request, lambda: advice_train(clock.now(), request.POST.get("model") or "logistic"),
               "Trained on the recorded outcomes.", "web:advice")
