"""HTTP endpoints for the agreement: check, propose, sign, list, diff."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from leadpact import clock
from leadpact.accounts.permissions import PACT_PROPOSE, require_role
from leadpact.core.pact_diff import describe_changes
from leadpact.core.pact_loader import check_pact
from leadpact.pact import selectors
from leadpact.pact.models import PactVersion
from leadpact.pact.services import pact_propose, pact_sign

router = Router(tags=["pact"])


class PactTextIn(Schema):
    text: str = Field(..., description="The pact file's YAML text.")


class ProblemOut(Schema):
    line: int | None
    path: str
    message: str


class CheckOut(Schema):
    valid: bool
    problems: list[ProblemOut]


class SignatureOut(Schema):
    side: str
    signed_by: str
    signed_at: dt.datetime


class VersionOut(Schema):
    version: int
    name: str
    effective: dt.date
    summary: str
    sha256: str
    proposed_at: dt.datetime
    in_force_from: dt.datetime | None
    signatures: list[SignatureOut]


class VersionTextOut(VersionOut):
    text: str


class ChangeOut(Schema):
    section: str
    kind: str
    text: str


def _version_out(version: PactVersion, with_text: bool = False) -> dict:
    out = {f: getattr(version, f) for f in ("version", "name", "effective", "summary", "sha256", "proposed_at",
                                             "in_force_from")}
    out["signatures"] = [{"side": s.side, "signed_by": s.signed_by.email, "signed_at": s.signed_at}
                         for s in version.signatures.all()]
    return {**out, "text": version.text} if with_text else out


@router.post("/check", response=CheckOut, summary="Validate a pact text")
def pact_check(request: HttpRequest, payload: PactTextIn):
    """Every problem with its line, key and fix; nothing is stored."""
    problems = check_pact(payload.text)
    return {"valid": not problems, "problems": problems}


@router.get("", response=VersionTextOut, summary="The version in force now")
def pact_current(request: HttpRequest):
    return _version_out(selectors.version_in_force(clock.now()), with_text=True)


@router.get("/versions", response=list[VersionOut], summary="All versions, proposed and signed")
def pact_versions(request: HttpRequest):
    return [_version_out(v) for v in selectors.version_list()]


@router.post("/versions", response={201: VersionOut, 200: VersionOut}, summary="Propose a new version")
def pact_version_create(request: HttpRequest, payload: PactTextIn):
    """Store a validated text as a new version; 422 with every problem otherwise. The same text again is a no-op."""
    require_role(request.user, PACT_PROPOSE, "propose a pact version")
    version, created = pact_propose(payload.text, proposed_by=request.user)
    return Status(201 if created else 200, _version_out(version))


@router.get("/versions/{number}", response=VersionTextOut, summary="One version with its text")
def pact_version(request: HttpRequest, number: int):
    return _version_out(selectors.version_get(number), with_text=True)


@router.post("/versions/{number}/sign", response=VersionOut, summary="Sign a version for your side")
def pact_version_sign(request: HttpRequest, number: int):
    """Marketing signs as a user with role marketing, sales as a user with role manager. Once both signed, the
    version is in force from its effective date (or from now, if that date has passed)."""
    pact_sign(selectors.version_get(number), request.user, clock.now())
    return _version_out(selectors.version_get(number))


@router.get("/diff", response=list[ChangeOut], summary="What changed between two versions, in words")
def pact_diff(request: HttpRequest, old: int, new: int):
    old_pact = selectors.pact_of(selectors.version_get(old))
    new_pact = selectors.pact_of(selectors.version_get(new))
    return describe_changes(old_pact, new_pact)
