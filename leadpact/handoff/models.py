"""What the hand-off keeps beside the lead: contact attempts, out-of-office periods and each team's rotation."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from leadpact.core.cadence import OUTCOMES
from leadpact.core.pact_schema import ATTEMPT_CHANNELS

OutcomeChoices = models.TextChoices("OutcomeChoices", [(k.upper(), (k, o.label)) for k, o in OUTCOMES.items()])
AttemptChannelChoices = models.TextChoices(
    "AttemptChannelChoices", [(c.upper(), (c, c.replace("_", " ").capitalize())) for c in ATTEMPT_CHANNELS])


class Attempt(models.Model):
    """One try to reach the lead: channel, outcome and note, numbered within the lead's round."""

    lead = models.ForeignKey("leads.Lead", on_delete=models.PROTECT, related_name="attempts_made")
    round = models.PositiveIntegerField()
    number = models.PositiveSmallIntegerField()
    channel = models.CharField(max_length=16, choices=AttemptChannelChoices.choices)
    outcome = models.CharField(max_length=16, choices=OutcomeChoices.choices)
    note = models.TextField(blank=True)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    pact_version = models.ForeignKey("pact.PactVersion", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["lead", "round", "number"], name="one_attempt_per_number")]

    @property
    def is_contact(self) -> bool:
        return OUTCOMES[self.outcome].is_contact


class OutOfOffice(models.Model):
    """A period a person takes no new leads (leave, training); set by the person or their manager."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="out_of_office")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["user", "ends_at"])]
        constraints = [models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                              name="out_of_office_ends_after_it_starts")]


class Rotation(models.Model):
    """A team's routing memory: who got the last lead and how many each member got, so choices can be replayed."""

    team = models.CharField(max_length=64, unique=True)
    last_assigned = models.CharField(max_length=255, blank=True)
    counts = models.JSONField(default=dict, blank=True)
