"""Use cases of the agreement: propose a version, sign it."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db import IntegrityError, transaction

from leadpact.accounts.models import User
from leadpact.core.errors import LeadpactError
from leadpact.core.pact_loader import parse_pact
from leadpact.pact.models import PactSignature, PactVersion, Side
from leadpact.pact.selectors import side_of


class SignatureRefused(LeadpactError):
    """This person may not sign this version (wrong role, already signed, text changed)."""




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
                                f"so give this one `version: {next_version_number()}`")
        version = PactVersion.objects.create(
            name=pact.name, version=pact.version, text=text, sha256=sha, effective=pact.effective,
            timezone=pact.timezone, summary=pact.summary, proposed_by=proposed_by)
    return version, True


def next_version_number() -> int:
    last = PactVersion.objects.order_by("-version").values_list("version", flat=True).first()
    return (last or 0) + 1


def pact_sign(version: PactVersion, user: User, now: dt.datetime) -> PactSignature:
    """Sign for the user's side. Once both sides signed, the version is in force from its effective date
    (or from now, if that date has passed: a signature never rewrites the past).

    Signed versions start in the order of their numbers, so the newest started version is the one in force: a
    signature that would break that order is refused, and so is any signature of a version older than a signed one."""
    side = side_of(user)
    if side is None:
        raise SignatureRefused(f"{user.email} is a {user.role}; a pact is signed by a marketing owner "
                               "(role marketing) and a sales owner (role manager)")
    with transaction.atomic():
        list(PactVersion.objects.select_for_update().order_by("pk").values_list("pk"))  # one signing at a time
        version = PactVersion.objects.get(pk=version.pk)
        if version.signatures.filter(side=side).exists():
            raise SignatureRefused(f"version {version.version} is already signed for {side.label.lower()}")
        _refuse_if_superseded(version)
        signature = PactSignature.objects.create(version=version, side=side, signed_by=user, signed_at=now,
                                                 sha256=version.sha256)
        if version.signatures.count() == len(Side):
            _put_in_force(version, max(_start_of(version.effective, version.timezone), now))
    return signature


def _refuse_if_superseded(version: PactVersion) -> None:
    """A newer signed version replaces this one for good: signing this one now could only bring it back."""
    newer = PactVersion.objects.filter(version__gt=version.version, in_force_from__isnull=False).first()
    if newer is not None:
        raise SignatureRefused(
            f"version {newer.version}, a newer version, is already signed, starting {_when(newer)}; an older "
            f"version never replaces a newer one. To bring back what version {version.version} says, propose "
            f"it again as version {next_version_number()}")


def _put_in_force(version: PactVersion, start: dt.datetime) -> None:
    older = PactVersion.objects.filter(version__lt=version.version, in_force_from__gte=start).first()
    if older is not None:
        when = "at the same instant" if older.in_force_from == start else f"later, at {_when(older)}"
        raise SignatureRefused(
            f"version {version.version} would be in force from {_when(version, start)}, but version "
            f"{older.version}, an older version, is signed to start {when}; a newer version must start after "
            f"the older ones. Propose a version {next_version_number()} with an `effective:` date after "
            f"{_local(older, older.in_force_from):%Y-%m-%d} instead")
    version.in_force_from = start
    try:
        with transaction.atomic():
            version.save(update_fields=["in_force_from"])
    except IntegrityError:
        if not PactVersion.objects.filter(in_force_from=start).exists():
            raise
        raise SignatureRefused(
            f"version {version.version} would start at {_when(version, start)}, the same instant as another "
            f"signed version; propose a version {next_version_number()} with another `effective:` date instead") from None


def _when(version: PactVersion, instant: dt.datetime | None = None) -> str:
    """An instant as the version's people read it: "2027-03-01 00:00 America/New_York"."""
    return f"{_local(version, instant or version.in_force_from):%Y-%m-%d %H:%M} {version.timezone}"


def _local(version: PactVersion, instant: dt.datetime) -> dt.datetime:
    return instant.astimezone(zoneinfo.ZoneInfo(version.timezone))


def _start_of(day: dt.date, zone: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=zoneinfo.ZoneInfo(zone)).astimezone(dt.timezone.utc)
