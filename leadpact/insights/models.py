"""What the reports keep besides the history: the days whose digest was queued."""

from __future__ import annotations

from django.db import models


class DigestRun(models.Model):
    """One row per reporting day whose digest went to the outbox. The day is unique: however many workers find the
    digest due, only the one whose row is written queues it, with its messages in the same transaction."""

    day = models.DateField(unique=True, help_text="The day in the reporting time zone.")
    queued_at = models.DateTimeField()
    messages = models.PositiveIntegerField(default=0, help_text="Emails queued (people with nothing to read get none).")

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"digest of {self.day}"

