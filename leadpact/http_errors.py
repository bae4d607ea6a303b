"""The HTTP status of each domain error, said once for the API and for the web app's forms."""

from __future__ import annotations

from leadpact.core.errors import (
    FieldErrors,
    LeadpactError,
    NotAllowed,
    NotFound,
    PactInvalid,
)
from leadpact.pact.selectors import NoPactInForce
from leadpact.pact.services import SignatureRefused

# Most specific first; any other LeadpactError is a conflict with the state things are in (409).
STATUSES: tuple[tuple[type[LeadpactError], int], ...] = (
    (FieldErrors, 422), (PactInvalid, 422), (NotAllowed, 403), (SignatureRefused, 403), (NotFound, 404),
    (NoPactInForce, 503), (LeadpactError, 409),
)


def status_for(error: LeadpactError) -> int:
    return next(status for kind, status in STATUSES if isinstance(error, kind))


def message_of(error: LeadpactError) -> str:
    """One line a person can act on: each bad field with its fix, or the error's own message."""
    if isinstance(error, FieldErrors):
        return "; ".join(f"{name}: {why}" for name, why in error.errors.items())
    return str(error)
