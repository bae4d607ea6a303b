"""The lead lifecycle: one canonical state machine, who may move a lead, and which reasons count."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from leadpact.core.errors import IllegalTransition


class Stage(StrEnum):
    INQUIRY = "inquiry"
    NURTURING = "nurturing"
    MQL = "mql"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    WORKING = "working"
    CONVERTED = "converted"
    WON = "won"
    LOST = "lost"
    REJECTED = "rejected"
    RECYCLED = "recycled"
    DISQUALIFIED = "disqualified"


class Role(StrEnum):
    SYSTEM = "system"
    MARKETING = "marketing"
    REP = "rep"
    MANAGER = "manager"
    ADMIN = "admin"


@dataclass(frozen=True)
class StageInfo:
    label: str
    colour: str
    waterfall: str  # the demand-waterfall name reports use
    is_open: bool  # the lead still waits on someone in sales


STAGES: dict[Stage, StageInfo] = {
    Stage.INQUIRY: StageInfo("Inquiry", "grey", "Inquiry", False),
    Stage.NURTURING: StageInfo("Nurturing", "teal", "Inquiry", False),
    Stage.MQL: StageInfo("MQL", "blue", "MQL", True),
    Stage.ASSIGNED: StageInfo("Assigned", "indigo", "MQL", True),
    Stage.ACCEPTED: StageInfo("Accepted (SAL)", "violet", "SAL", True),
    Stage.WORKING: StageInfo("Working", "purple", "SAL", True),
    Stage.CONVERTED: StageInfo("Converted (SQL)", "green", "SQL", True),
    Stage.WON: StageInfo("Won", "darkgreen", "Won", False),
    Stage.LOST: StageInfo("Lost", "brown", "SQL", False),
    Stage.REJECTED: StageInfo("Rejected", "red", "MQL", False),
    Stage.RECYCLED: StageInfo("Recycled", "orange", "Inquiry", False),
    Stage.DISQUALIFIED: StageInfo("Disqualified", "black", "Inquiry", False),
}

# The stages in which a lead is on a rep's plate: what the capacity cap and "least loaded" count.
WORKLOAD = frozenset({Stage.ASSIGNED, Stage.ACCEPTED, Stage.WORKING})

S, R = Stage, Role
_SALES = frozenset({R.REP, R.MANAGER, R.ADMIN})
_MARKETING = frozenset({R.SYSTEM, R.MARKETING, R.ADMIN})


@dataclass(frozen=True)
class Transition:
    """A move the lifecycle allows: from which stages, to which, by whom, and whether a reason is required."""

    name: str
    sources: frozenset[Stage]
    target: Stage
    roles: frozenset[Role]
    needs_reason: bool = False
    label: str = ""


def _t(name: str, sources: set[Stage], target: Stage, roles: frozenset[Role] | set[Role], reason: bool = False,
       label: str = "") -> Transition:
    return Transition(name, frozenset(sources), target, frozenset(roles), reason, label or name.capitalize())


TRANSITIONS: dict[str, Transition] = {t.name: t for t in (
    _t("nurture", {S.INQUIRY, S.RECYCLED, S.REJECTED}, S.NURTURING, _MARKETING, label="Nurture"),
    _t("qualify", {S.INQUIRY, S.NURTURING, S.RECYCLED, S.REJECTED}, S.MQL, _MARKETING, label="Qualify as MQL"),
    _t("assign", {S.MQL}, S.ASSIGNED, {R.SYSTEM, R.MANAGER, R.ADMIN}, label="Assign"),
    _t("unassign", {S.ASSIGNED}, S.MQL, {R.SYSTEM, R.MANAGER, R.ADMIN}, label="Back to the queue"),
    _t("accept", {S.ASSIGNED}, S.ACCEPTED, _SALES, label="Accept"),
    _t("reject", {S.ASSIGNED}, S.REJECTED, _SALES, True, label="Reject"),
    _t("work", {S.ACCEPTED}, S.WORKING, _SALES | {R.SYSTEM}, label="Start working"),
    _t("convert", {S.ACCEPTED, S.WORKING}, S.CONVERTED, _SALES, label="Convert to opportunity"),
    _t("win", {S.CONVERTED}, S.WON, _SALES | {R.SYSTEM}, label="Won"),
    _t("lose", {S.CONVERTED}, S.LOST, _SALES | {R.SYSTEM}, True, label="Lost"),
    _t("recycle", {S.ASSIGNED, S.ACCEPTED, S.WORKING}, S.RECYCLED, _SALES | {R.SYSTEM}, True,
       label="Hand back to marketing"),
    _t("disqualify", {S.INQUIRY, S.NURTURING, S.MQL, S.ASSIGNED, S.ACCEPTED, S.WORKING, S.REJECTED, S.RECYCLED},
       S.DISQUALIFIED, _SALES | {R.MARKETING, R.SYSTEM}, True, label="Disqualify"),
    _t("reopen", {S.LOST, S.DISQUALIFIED}, S.NURTURING, {R.MARKETING, R.ADMIN}, label="Reopen for nurturing"),
)}


def allowed_from(stage: Stage, role: Role | None = None) -> list[Transition]:
    """The transitions open from `stage` (for `role`, when given), in a stable order."""
    return [t for t in TRANSITIONS.values() if stage in t.sources and (role is None or role in t.roles)]


def check_transition(stage: Stage, name: str, role: Role, reason: str | None,
                     reasons: tuple[str, ...] = ()) -> Transition:
    """Return the transition if `role` may make it from `stage` with `reason`; raise IllegalTransition saying what is allowed."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise IllegalTransition(f"there is no transition {name!r}; known: {', '.join(TRANSITIONS)}")
    if stage not in transition.sources:
        options = ", ".join(t.name for t in allowed_from(stage)) or "nothing (this is a final stage)"
        raise IllegalTransition(f"a lead in stage {stage.value!r} cannot {name}; from here it can: {options}")
    if role not in transition.roles:
        who = ", ".join(sorted(r.value for r in transition.roles))
        raise IllegalTransition(f"a {role.value} may not {name} a lead; who may: {who}")
    if transition.needs_reason and not reason:
        raise IllegalTransition(f"{name} needs a reason; one of: {', '.join(reasons) or 'any text'}")
    if reason and reasons and reason not in reasons:
        raise IllegalTransition(f"{reason!r} is not a reason to {name} in this pact; one of: {', '.join(reasons)}")
    return transition


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a label for the history ("user:ann@acme.example", "api:zapier", "system") and a role."""

    label: str
    role: Role
    user_id: int | None = None
    email: str = ""


SYSTEM = Actor("system", Role.SYSTEM)
