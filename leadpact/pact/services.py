"""Use cases of the agreement: propose a version, sign it."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db import transaction

from leadpact.accounts.models import RoleChoices, User
from leadpact.core.errors import LeadpactError
from leadpact.core.pact_loader import parse_pact
from leadpact.pact.models import PactSignature, PactVersion, Side


class SignatureRefused(LeadpactError):
    """This person may not sign this version (wrong role, already signed, text changed)."""


# The role that signs for each side of the agreement.
SIGNING_ROLE = {Side.MARKETING: RoleChoices.MARKETING, Side.SALES: RoleChoices.MANAGER}


def pact_propose(text: str, proposed_by: User | None = None) -> tuple[PactVersion, bool]:
    """Store a new version (validated first); the same text again is the same version. Returns (version, created)."""
    pact = parse_pact(text)
    sha = PactVersion.hash(text)
    with transaction.atomic():
        existing = PactVersion.objects.select_for_update().filter(version=pact.version).first()
        if existing is not None:
            if existing.sha256 == sha:
                return existing, False
            raise LeadpactError(f"version {pact.version} exists with another text; a version never changes, "
                                f"so give this one `version: {_next_number()}`")
        version = PactVersion.objects.create(
            name=pact.name, version=pact.version, text=text, sha256=sha, effective=pact.effective,
            timezone=pact.timezone, summary=pact.summary, proposed_by=proposed_by)
    return version, True


def _next_number() -> int:
    last = PactVersion.objects.order_by("-version").values_list("version", flat=True).first()
    return (last or 0) + 1


def pact_sign(version: PactVersion, user: User, now: dt.datetime) -> PactSignature:
    """Sign for the user's side. Once both sides signed, the version is in force from its effective date
    (or from now, if that date has passed: a signature never rewrites the past)."""
    side = {v: k for k, v in SIGNING_ROLE.items()}.get(RoleChoices(user.role))
    if side is None:
        raise SignatureRefused(f"{user.email} is a {user.role}; a pact is signed by a marketing owner "
                               "(role marketing) and a sales owner (role manager)")
    with transaction.atomic():
        version = PactVersion.objects.select_for_update().get(pk=version.pk)
        if version.signatures.filter(side=side).exists():
            raise SignatureRefused(f"version {version.version} is already signed for {side.label.lower()}")
        signature = PactSignature.objects.create(version=version, side=side, signed_by=user, signed_at=now,
                                                 sha256=version.sha256)
        if version.signatures.count() == len(Side):
            version.in_force_from = max(_start_of(version.effective, version.timezone), now)
            version.save(update_fields=["in_force_from"])
    return signature


def _start_of(day: dt.date, zone: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=zoneinfo.ZoneInfo(zone)).astimezone(dt.timezone.utc)
