"""The pact file's keys and the closed lists its values come from, said once."""

from __future__ import annotations

from leadpact.core.fields import CONTACT_FIELDS

# For each mapping: key -> required?
TOP = {
    "pact": True, "version": True, "effective": True, "timezone": False, "summary": False, "lists": False,
    "calendars": True, "lead_types": True, "scoring": True, "qualification": True, "routing": True, "teams": True,
    "handoff": True, "response": False, "cadence": True, "recycle": True, "outcomes": False, "commitments": False,
    "reports": False,
}
CALENDAR = {"timezone": True, "hours": True, "holidays": False, "closed": False, "closures": False}
LEAD_TYPE = {"label": False, "response_within": True, "default": False}
SCORING = {"fit": False, "engagement": False}
RULE = {"when": True, "points": True, "why": False}
ENGAGEMENT = {"half_life": False, "signals": False}
QUALIFICATION = {"mql_when": True, "require": False, "document": False}
ROUTE = {"when": False, "team": True}
TEAM = {"calendar": True, "strategy": False, "max_open": False, "manager": True, "members": True, "weights": False}
HANDOFF = {"notify": False, "accept_within": True, "on_no_answer": False, "reject_reasons": True, "on_reassign": False,
           "account_owner": False}
RESPONSE = {"warn_at": False, "escalate_to": False}
CADENCE = {"steps": True, "min_attempts": False, "max_attempts": False, "when_exhausted": False}
STEP = {"channel": True, "after": False, "note": False}
RECYCLE = {"reasons": True, "nurture_track": False, "requalify_when": False}
OUTCOMES = {"lost_reasons": False, "disqualify_reasons": False}
COMMITMENT = {"metric": True, "per": False, "at_least": True}
DIGEST = {"every": False, "at": False, "to": False}

STRATEGIES = ("round_robin", "least_loaded", "weighted")
NOTIFY_CHANNELS = ("email", "chat", "webhook")
ATTEMPT_CHANNELS = ("phone", "email", "linkedin", "social", "sms", "in_person", "video", "chat")
PERIODS = ("week", "month", "quarter")
DIGEST_EVERY = ("day", "weekday", "monday", "tuesday", "wednesday", "thursday", "friday")
DIGEST_AUDIENCES = ("managers", "marketing", "reps", "admins")
CONTACT_FIELD_NAMES = tuple(CONTACT_FIELDS)

# metric -> is it a share (True) or a count (False)
METRICS = {
    "marketing": {"mql_count": False, "acceptance_rate": True, "sql_count": False, "won_count": False},
    "sales": {"response_within_sla": True, "attempts_before_recycle": False, "acceptance_within_window": True,
              "conversion_rate": True},
}

DEFAULT_LOST_REASONS = ("no_budget", "chose_competitor", "no_decision", "timing", "price", "other")
DEFAULT_DISQUALIFY_REASONS = ("spam", "not_a_real_person", "not_our_icp", "duplicate", "existing_customer",
                              "competitor", "student_or_job_seeker")
