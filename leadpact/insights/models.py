"""What the reports keep besides the history: the days whose digest was queued."""

from __future__ import annotations

from django.db import models


class DigestRun(models.Model):
    """One row per reporting day whose digest went to the outbox. The day is unique: however many workers find the
    digest due, only the one whose row is written queues it, with its messages in the same transaction."""

    day = models.DateField(unique=True, help_text="The day in the pact's time zone.")
    queued_at = models.DateTimeField()
    messages = models.PositiveIntegerField(default=0, help_text="Emails queued (people with nothing to read get none).")

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"digest of {self.day}"


class ScoreModel(models.Model):
    """A predictive score trained on the recorded outcomes: advice shown beside the pact's score, never a decision.
    Kept with how well it did in cross-validation and the fit rules it suggests."""

    trained_at = models.DateTimeField()
    kind = models.CharField(max_length=16, help_text="logistic or boosting")
    leads = models.PositiveIntegerField(help_text="Leads with a settled outcome it learnt from.")
    won = models.PositiveIntegerField()
    auc = models.FloatField(help_text="ROC AUC, mean over the cross-validation folds.")
    auc_std = models.FloatField()
    pr_auc = models.FloatField(help_text="Average precision; a random score gets the share won.")
    blob = models.BinaryField(help_text="The fitted model, as written by leadpact.insights.advice.")
    factors = models.JSONField(default=list, help_text="What weighs most, in words.")
    suggestion = models.TextField(help_text="Suggested fit rules and MQL threshold, as a pact fragment.")

    def __str__(self) -> str:
        return f"{self.kind} model of {self.trained_at:%Y-%m-%d} (AUC {self.auc:.2f})"
