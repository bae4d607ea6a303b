"""Leads as a current-state table, their append-only history, engagement signals and intake receipts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from leadpact.core.lifecycle import STAGES, Stage

StageChoices = models.TextChoices("StageChoices", [(s.name, (s.value, STAGES[s].label)) for s in Stage])


class Lead(models.Model):
    """A person who asked for something, and where they stand now. Every change is also a LeadEvent."""

    email = models.CharField(max_length=255, null=True, blank=True, unique=True)
    external_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    first_name = models.CharField(max_length=255, blank=True)
    last_name = models.CharField(max_length=255, blank=True)
    title = models.CharField(max_length=255, blank=True)
    phone = models.CharField(max_length=255, blank=True)
    company = models.CharField(max_length=255, blank=True)
    website = models.CharField(max_length=255, blank=True)
    domain = models.CharField(max_length=255, blank=True, db_index=True)
    employees = models.PositiveIntegerField(null=True, blank=True)
    industry = models.CharField(max_length=255, blank=True)
    country = models.CharField(max_length=2, blank=True)
    state = models.CharField(max_length=255, blank=True)
    lead_type = models.CharField(max_length=64)
    source = models.CharField(max_length=255, blank=True)
    campaign = models.CharField(max_length=255, blank=True)
    medium = models.CharField(max_length=255, blank=True)
    custom = models.JSONField(default=dict, blank=True)

    stage = models.CharField(max_length=16, choices=StageChoices.choices, default=Stage.INQUIRY.value)
    stage_changed_at = models.DateTimeField(default=timezone.now)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="leads")
    team = models.CharField(max_length=64, blank=True)
    rounds = models.PositiveIntegerField(default=0, help_text="How many times the lead became an MQL.")
    is_returning = models.BooleanField(default=False)
    assigned_at = models.DateTimeField(null=True, blank=True, help_text="The hand-off of the current round.")
    route_at = models.DateTimeField(null=True, blank=True, help_text="When the worker (re)tries to route it.")
    queued_at = models.DateTimeField(null=True, blank=True, help_text="Since when it waits: nobody could take it.")
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Contact attempts in the current round.")
    contacted_at = models.DateTimeField(null=True, blank=True, help_text="First contact in the current round.")
    nurture_track = models.CharField(max_length=64, blank=True)

    fit = models.IntegerField(default=0)
    engagement_points = models.FloatField(default=0.0, help_text="Engagement at engagement_at; it decays after.")
    engagement_at = models.DateTimeField(null=True, blank=True)
    score_reasons = models.JSONField(default=list, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    pact_version = models.ForeignKey("pact.PactVersion", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", help_text="The version the latest decision was made under.")

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["stage", "stage_changed_at"]), models.Index(fields=["owner", "stage"]),
                   models.Index(fields=["created_at"]),
                   models.Index(fields=["route_at"], condition=models.Q(route_at__isnull=False), name="lead_to_route")]

    def __str__(self) -> str:
        return self.email or self.external_id or f"lead {self.pk}"

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)


class EventKind(models.TextChoices):
    CREATED = "created", "Created"
    MERGED = "merged", "Merged a new submission"
    TRANSITION = "transition", "Stage change"
    SCORED = "scored", "Score changed"
    NOTE = "note", "Note"
    OWNER = "owner", "Owner changed"
    QUEUED = "queued", "Waiting for an owner"
    ATTEMPT = "attempt", "Contact attempt"
    CLOCK = "clock", "Clock"


class LeadEvent(models.Model):
    """One change to a lead: who, when, why, under which pact version, before and after. Rows are never updated."""

    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    actor = models.CharField(max_length=255, help_text='"system", "user:ann@acme.example", "api:zapier", "form"')
    actor_role = models.CharField(max_length=16)
    transition = models.CharField(max_length=32, blank=True)
    from_stage = models.CharField(max_length=16, blank=True)
    to_stage = models.CharField(max_length=16, blank=True)
    reason = models.CharField(max_length=64, blank=True)
    note = models.TextField(blank=True)
    pact_version = models.ForeignKey("pact.PactVersion", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["lead", "at"]), models.Index(fields=["at"]),
                   models.Index(fields=["to_stage", "at"])]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("lead history is append-only: events are never changed")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Signal(models.Model):
    """An engagement signal (a page view, a webinar): what the lead did, when, and the points it earned then."""

    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, related_name="signals")
    name = models.CharField(max_length=64)
    at = models.DateTimeField()
    points = models.IntegerField(default=0)
    properties = models.JSONField(default=dict, blank=True)
    idempotency_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["lead", "at"]), models.Index(fields=["name", "at"])]


class Submission(models.Model):
    """A receipt for each intake submission: the same key again from the same sender is the same submission."""

    actor = models.CharField(max_length=255, default="", db_default="",
                             help_text='Who sent it ("api:mia@acme.example"); each sender has its own keys.')
    key = models.CharField(max_length=300)
    payload_hash = models.CharField(max_length=64, blank=True, default="", db_default="",
                                    help_text="sha256 of what was sent, normalised: the key again with other "
                                              "content is refused.")
    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["actor", "key"], name="submission_key_per_sender")]


class Round(models.Model):
    """One MQL round of a lead, folded from its history (leadpact.core.rounds): when it reached each stage, how it
    ended and why, its attempts; with what the lead was (type, source, campaign) and who held it. It is written with
    the events it comes from and can be rebuilt from the history at any time (`leadpact report rebuild`)."""

    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, related_name="round_facts")
    number = models.PositiveIntegerField()
    mql_at = models.DateTimeField()
    mql_day = models.DateField(help_text="The day it became an MQL, in the reporting time zone: the cohort.")
    returning = models.BooleanField(default=False)
    pact_version = models.ForeignKey("pact.PactVersion", null=True, on_delete=models.PROTECT, related_name="+")
    lead_type = models.CharField(max_length=64)
    source = models.CharField(max_length=255, blank=True)
    campaign = models.CharField(max_length=255, blank=True)
    team = models.CharField(max_length=64, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(null=True)
    accepted_at = models.DateTimeField(null=True)
    rejected_at = models.DateTimeField(null=True)
    converted_at = models.DateTimeField(null=True)
    won_at = models.DateTimeField(null=True)
    lost_at = models.DateTimeField(null=True)
    recycled_at = models.DateTimeField(null=True)
    disqualified_at = models.DateTimeField(null=True)
    outcome = models.CharField(max_length=16, blank=True)
    outcome_reason = models.CharField(max_length=64, blank=True)
    ended_at = models.DateTimeField(null=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    first_attempt_at = models.DateTimeField(null=True)
    contacted_at = models.DateTimeField(null=True)
    contact_attempt = models.PositiveSmallIntegerField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lead", "number"], name="one_round_per_number")]
        indexes = [models.Index(fields=["mql_day"]), models.Index(fields=["recycled_at"]),
                   # The funnel reads only these columns: on SQLite a covering index is read instead of the table.
                   models.Index(fields=["mql_day", "mql_at", "team", "owner", "lead_type", "source", "campaign",
                                        "pact_version", "outcome", "outcome_reason", "ended_at", "accepted_at",
                                        "converted_at", "won_at"], name="round_report")]
