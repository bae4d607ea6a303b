"""Pact versions and their signatures. A version's text never changes; the database refuses it."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils.timezone import now


class Side(models.TextChoices):
    MARKETING = "marketing", "Marketing"
    SALES = "sales", "Sales"


class PactVersion(models.Model):
    """One proposed version of the agreement. It is in force from `in_force_from`, set when both sides signed."""

    name = models.CharField(max_length=64)
    version = models.PositiveIntegerField(unique=True)
    text = models.TextField()
    sha256 = models.CharField(max_length=64)
    effective = models.DateField()
    timezone = models.CharField(max_length=64, default="UTC")
    summary = models.TextField(blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    proposed_at = models.DateTimeField(default=now)
    in_force_from = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["version"]
        constraints = [
            # At any instant the version in force is the signed one with the latest start: never two alike.
            models.UniqueConstraint(fields=["in_force_from"], condition=models.Q(in_force_from__isnull=False),
                                    name="one_pact_version_starts_at_a_time"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @staticmethod
    def hash(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def is_signed(self) -> bool:
        return self.in_force_from is not None


class PactSignature(models.Model):
    """A side's sign-off on exactly one text (its hash)."""

    version = models.ForeignKey(PactVersion, on_delete=models.PROTECT, related_name="signatures")
    side = models.CharField(max_length=16, choices=Side.choices)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(default=now)
    sha256 = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "side"], name="one_signature_per_side")]
