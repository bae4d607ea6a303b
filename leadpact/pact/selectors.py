"""Reads of the agreement: which version is in force, and the parsed pact behind a version."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from leadpact.accounts.models import RoleChoices
from leadpact.core.errors import LeadpactError, NotFound
from leadpact.core.pact import Pact
from leadpact.core.pact_loader import parse_pact
from leadpact.pact.models import PactVersion, Side


class NoPactInForce(LeadpactError):
    """No signed pact version is in force at that instant."""


@lru_cache(maxsize=16)
def _parsed(sha256: str, text: str) -> Pact:
    return parse_pact(text)


def pact_of(version: PactVersion) -> Pact:
    """The parsed pact of a stored version (parsed once per process: versions never change)."""
    return _parsed(version.sha256, version.text)


def version_in_force(now: dt.datetime) -> PactVersion:
    """The signed version in force at `now`: the newest one that has started. Signing keeps starts in the order of
    the version numbers (`pact_sign`), so it is also the one that started last."""
    version = PactVersion.objects.filter(in_force_from__lte=now).order_by("-version").first()
    if version is None:
        raise NoPactInForce("no pact version is in force: propose one and have a marketing and a sales owner sign it")
    return version


def pact_in_force(now: dt.datetime) -> tuple[PactVersion, Pact]:
    version = version_in_force(now)
    return version, pact_of(version)


def pact_for_history(at: dt.datetime) -> tuple[PactVersion, Pact]:
    """The version to judge a past instant by: the one in force then or, before the first one, the first one."""
    try:
        return pact_in_force(at)
    except NoPactInForce:
        first = PactVersion.objects.filter(in_force_from__isnull=False).order_by("version").first()
        if first is None:
            raise
        return first, pact_of(first)


def version_get(number: int) -> PactVersion:
    version = PactVersion.objects.filter(version=number).first()
    if version is None:
        raise NotFound(f"there is no pact version {number}; `leadpact pact list` shows them")
    return version


# The role that signs for each side of the agreement.
SIGNING_ROLE = {Side.MARKETING: RoleChoices.MARKETING, Side.SALES: RoleChoices.MANAGER}


def side_of(user: Any) -> Side | None:
    """The side a person signs for (None: their role does not sign)."""
    return next((side for side, role in SIGNING_ROLE.items() if role == user.role), None)


def may_sign(version: PactVersion, user: Any) -> bool:
    """Whether the person can add their side's signature to this version now."""
    side = side_of(user)
    return side is not None and not version.is_signed and not version.signatures.filter(side=side).exists()


def version_list() -> list[PactVersion]:
    return list(PactVersion.objects.prefetch_related("signatures__signed_by").order_by("version"))
