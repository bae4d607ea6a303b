from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def fold_history_once(**kwargs: object) -> None:
    """After `migrate`: a database whose leads have rounds in their history but no rounds table yet (one from before
    the reports) gets it folded from the history, with the code of this release."""
    from leadpact.leads.models import Lead, Round
    from leadpact.leads.rounds import rebuild

    if not Round.objects.exists() and Lead.objects.filter(rounds__gt=0).exists():
        rebuild()


class InsightsConfig(AppConfig):
    name = "leadpact.insights"
    label = "insights"

    def ready(self) -> None:
        post_migrate.connect(fold_history_once, sender=self)
