"""The choices forms offer, from the pact in force: reasons, channels, outcomes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from leadpact.core.cadence import OUTCOMES
from leadpact.core.pact_schema import ATTEMPT_CHANNELS
from leadpact.pact.selectors import NoPactInForce, pact_in_force


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def action_choices(now: dt.datetime) -> dict[str, Any]:
    """Reason pickers and attempt choices for the action forms (empty lists when no pact is in force)."""
    try:
        _, pact = pact_in_force(now)
    except NoPactInForce:
        return {"reject_reasons": [], "recycle_reasons": [], "lost_reasons": [], "disqualify_reasons": [],
                "channels": [], "outcomes": []}
    return {
        "reject_reasons": [(r, _label(r)) for r in pact.handoff.reject_reasons],
        "recycle_reasons": [(r, _label(r)) for r in pact.recycle.reasons],
        "lost_reasons": [(r, _label(r)) for r in pact.outcomes.lost_reasons],
        "disqualify_reasons": [(r, _label(r)) for r in pact.outcomes.disqualify_reasons],
        "channels": [(c, _label(c)) for c in ATTEMPT_CHANNELS],
        "outcomes": [(k, o.label) for k, o in OUTCOMES.items()],
    }
