"""The response agreement's clocks: one row per running or stopped clock, with the instant the worker acts next."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from leadpact.core.sla import CLOCK_LABELS, ClockKind

ClockKindChoices = models.TextChoices("ClockKindChoices", [(k.name, (k.value, CLOCK_LABELS[k])) for k in ClockKind])


class StopReason(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    ATTEMPTED = "attempted", "First attempt logged"
    STEP_DONE = "step_done", "Step done"
    STAGE_LEFT = "stage_left", "Left the stage"
    REASSIGNED = "reassigned", "Reassigned"
    EXPIRED = "expired", "Ran out"


class Clock(models.Model):
    """A window the agreement sets (accept, respond, next step), measured in the owner's team calendar.

    `fire_at` is when the worker must act next (the warning, then the deadline); it is empty once there is nothing
    left to do. A stopped clock keeps the business time it took, which is what the SLA reports count."""

    lead = models.ForeignKey("leads.Lead", on_delete=models.PROTECT, related_name="clocks")
    kind = models.CharField(max_length=16, choices=ClockKindChoices.choices)
    round = models.PositiveIntegerField(default=0, help_text="The lead's MQL round the clock belongs to.")
    step = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Cadence step number (1-based).")
    channel = models.CharField(max_length=16, blank=True, help_text="Cadence step channel.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="clocks")
    team = models.CharField(max_length=64, blank=True)
    calendar = models.CharField(max_length=64)
    pact_version = models.ForeignKey("pact.PactVersion", on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    warn_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True, help_text="When the worker found it past due.")
    stopped_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.CharField(max_length=16, choices=StopReason.choices, blank=True)
    business_seconds = models.IntegerField(null=True, blank=True, help_text="Business time from start to stop.")
    fire_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    lead_type = models.CharField(max_length=64, blank=True, default="", db_default="",
                                 help_text="The lead type its deadline was computed for.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lead", "kind"], condition=models.Q(stopped_at__isnull=True),
                                    name="one_running_clock_per_kind"),
        ]
        indexes = [
            models.Index(fields=["fire_at"], condition=models.Q(fire_at__isnull=False), name="clock_due"),
            models.Index(fields=["lead", "kind", "started_at"]),
            models.Index(fields=["owner", "stopped_at"]),
            # The SLA report reads only these columns: on SQLite a covering index is read instead of the table.
            models.Index(fields=["kind", "started_at", "team", "owner", "lead_type", "stop_reason", "stopped_at",
                                 "due_at", "breached_at", "business_seconds"], name="clock_report"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of lead {self.lead_id}"

    @property
    def is_running(self) -> bool:
        return self.stopped_at is None

    @property
    def late_seconds(self) -> int:
        """How long after its instant the worker fired the clock's last alert (the worker was down or behind)."""
        fired, instant = (self.breached_at, self.due_at) if self.breached_at else (self.warned_at, self.warn_at)
        return max(0, int((fired - instant).total_seconds())) if fired and instant else 0

    @property
    def met(self) -> bool | None:
        """Stopped in time (None while it runs and is not yet due)."""
        if self.stopped_at is not None:
            return self.stop_reason != StopReason.EXPIRED and self.stopped_at <= self.due_at
        return False if self.breached_at else None
