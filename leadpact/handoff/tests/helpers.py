"""Helpers for the hand-off tests (the `pact` and `arrive` fixtures are in the root conftest)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from leadpact.core.lifecycle import Actor, Role

UTC = dt.timezone.utc
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
FORM = Actor("form:web-to-lead", Role.MARKETING)


def ny(*parts: int) -> dt.datetime:
    """A New York wall time as a UTC instant."""
    return dt.datetime(*parts, tzinfo=NEW_YORK).astimezone(UTC)


def actor(email: str) -> Actor:
    from leadpact.accounts.models import User
    from leadpact.accounts.permissions import actor_for

    return actor_for(User.objects.get(email=email))
