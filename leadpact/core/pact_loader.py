"""Turn a pact file's text into a validated `Pact`, or every problem with its line, key and fix."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import yaml

from leadpact.core import pact_schema as schema
from leadpact.core import pact_sections as sections
from leadpact.core.calendar_spec import parse_calendar
from leadpact.core.errors import PactInvalid, Problem
from leadpact.core.expr_parse import KEYWORDS
from leadpact.core.fields import CONDITION_FIELDS
from leadpact.core.pact import LeadType, Pact, Qualification, Route, Rule, Scoring, Team
from leadpact.core.pact_reader import SLUG, Reader
from leadpact.core.yamltree import LocatedYaml, Path, load_located, path_text


def check_pact(text: str) -> list[Problem]:
    """Every problem in a pact text, in line order; an empty list means the pact is valid."""
    try:
        parse_pact(text)
    except PactInvalid as err:
        return err.problems
    return []


def parse_pact(text: str) -> Pact:
    """Parse and validate a pact text; raise PactInvalid listing every problem found."""
    try:
        doc = load_located(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise PactInvalid([Problem("(file)", f"not valid YAML: {getattr(err, 'problem', err)}", line)]) from None
    return pact_from_document(doc)


def pact_from_document(doc: LocatedYaml) -> Pact:
    """Validate a document already read from YAML; raise PactInvalid listing every problem found."""
    r = Reader(doc)
    for path, line in doc.duplicates:
        r.problems.append(Problem(path_text(path), "this key is given twice; keep one", line))
    for path, message in doc.unreadable.items():
        r.problems.append(Problem(path_text(path), message, doc.line(path)))
    pact = _build(r, r.mapping((), doc.data, schema.TOP)) if isinstance(doc.data, dict) else None
    if doc.data is not None and not isinstance(doc.data, dict):
        r.report((), "a pact file is a mapping of sections (pact, version, effective, ...)")
    elif doc.data is None:
        r.report((), "the file is empty; start from the example pact")
    if r.problems or pact is None:
        raise PactInvalid(sorted(r.problems, key=lambda p: (p.line or 0, p.path)))
    return pact


def _build(r: Reader, top: dict[str, Any]) -> Pact | None:
    name = top.get("pact")
    if not isinstance(name, str) or not SLUG.match(name):
        r.report(("pact",), f"{name!r} is not a pact name; use lower case letters, digits and _")
    version = r.integer(("version",), top.get("version"), minimum=1)
    effective = top.get("effective")
    if not isinstance(effective, dt.date) or isinstance(effective, dt.datetime):
        r.report(("effective",), f"{effective!r} is not a date; write it like 2026-12-01")
    timezone = str(top.get("timezone", "UTC"))
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        r.report(("timezone",), f"{timezone!r} is not an IANA timezone; write it like America/New_York")
    r.names.update(_lists(r, top.get("lists", {})))
    calendars = _calendars(r, top.get("calendars"))
    lead_types = _lead_types(r, top.get("lead_types"))
    teams = _teams(r, top.get("teams"), calendars)
    parts = dict(
        scoring=_scoring(r, top.get("scoring")),
        qualification=_qualification(r, top.get("qualification")),
        routing=_routing(r, top.get("routing"), teams),
        handoff=sections.handoff(r, top.get("handoff")),
        response=sections.response(r, top.get("response", {})),
        cadence=sections.cadence(r, top.get("cadence")),
        recycle=sections.recycle(r, top.get("recycle")),
        outcomes=sections.outcomes(r, top.get("outcomes", {})),
        commitments=sections.commitments(r, top.get("commitments", {})),
        digest=sections.digest(r, top.get("reports", {})),
    )
    if r.problems:
        return None
    return Pact(
        name=str(name), version=int(version or 0), effective=effective, timezone=timezone,
        summary=str(top.get("summary", "")), calendars=calendars, lead_types=lead_types, teams=teams,
        lists={k: v for k, v in r.names.items()}, document=top, **parts,  # type: ignore[arg-type]
    )


def _lists(r: Reader, value: Any) -> dict[str, frozenset[Any]]:
    if not isinstance(value, dict):
        r.report(("lists",), "give named lists, like {competitors: [rival.com, other.com]}")
        return {}
    out = {}
    for key, items in value.items():
        path = ("lists", key)
        if not SLUG.match(key) or not isinstance(items, list):
            r.report(path, "a list needs a lower-case name and a list of values, like competitors: [rival.com]")
        elif clash := _list_name_clash(key):
            r.report(path, f"a list cannot be named {key!r}: {clash}; rename the list, like {key}_list")
        else:
            values = [_list_value(r, path + (i,), item) for i, item in enumerate(items)]
            out[key] = frozenset(v for v in values if v is not _NOT_A_VALUE)
    return out


def _list_name_clash(name: str) -> str | None:
    """Why a condition could not use a list of this name, or None. (Custom fields are `custom.<name>`: no clash.)"""
    if name in CONDITION_FIELDS:
        return "that is a lead field, and conditions would read the list instead of the field"
    if name in KEYWORDS:
        return "that is a word of the condition language, so no condition could use it"
    return None


_NOT_A_VALUE = object()


def _list_value(r: Reader, path: Path, item: Any) -> Any:
    """A list item as conditions compare it: numbers stay numbers, emails and domains are lower case, and yes, no,
    on, off stay text (NO is Norway)."""
    if isinstance(item, (list, dict)):
        r.report(path, "give plain values (text or numbers), not a nested list or mapping")
        return _NOT_A_VALUE
    written = r.doc.raw.get(path)
    if isinstance(item, bool) and written and written.lower() not in ("true", "false"):
        return written
    if isinstance(item, str) and ("@" in item or "." in item):
        return item.lower()
    return item


def _calendars(r: Reader, value: Any) -> dict:
    calendars = {}
    for key, spec in _named_sections(r, ("calendars",), value, "a calendar, like us-east"):
        spec = r.mapping(("calendars", key), spec, schema.CALENDAR)
        calendar = parse_calendar(key, spec, r.doc.raw, ("calendars", key), r.report) if spec else None
        if calendar:
            calendars[key] = calendar
    return calendars


def _named_sections(r: Reader, path: Path, value: Any, what: str) -> list[tuple[str, Any]]:
    if not isinstance(value, dict) or not value:
        r.report(path, f"give at least one {what}")
        return []
    return [(str(k), v) for k, v in value.items()]


def _lead_types(r: Reader, value: Any) -> dict[str, LeadType]:
    out = {}
    for key, spec in _named_sections(r, ("lead_types",), value, "lead type, like demo_request"):
        path = ("lead_types", key)
        if not SLUG.match(key):
            r.report(path, f"{key!r} is not a name; use lower case letters, digits and _")
        spec = r.mapping(path, spec, schema.LEAD_TYPE)
        within = r.duration(path + ("response_within",), spec.get("response_within")) if spec else None
        is_default = spec.get("default", False) if spec else False
        if not isinstance(is_default, bool):
            r.report(path + ("default",), "write default: true (or leave it out)")
        if within:
            out[key] = LeadType(key, str(spec.get("label", key.replace("_", " ").capitalize())), within,
                                is_default is True)
    if sum(t.is_default for t in out.values()) > 1:
        r.report(("lead_types",), "more than one lead type is the default; mark one with default: true")
    return out


def _scoring(r: Reader, value: Any) -> Scoring | None:
    spec = r.mapping(("scoring",), value, schema.SCORING)
    rules = []
    fit = spec.get("fit", [])
    if not isinstance(fit, list):
        r.report(("scoring", "fit"), "give a list of rules, like - {when: \"employees >= 200\", points: 15, why: ...}")
        fit = []
    for i, item in enumerate(fit):
        path = ("scoring", "fit", i)
        item = r.mapping(path, item, schema.RULE)
        condition = r.condition(path + ("when",), item.get("when")) if item else None
        points = item.get("points")
        if isinstance(points, bool) or not isinstance(points, int):
            r.report(path + ("points",), f"{points!r} is not a whole number of points")
        elif condition:
            rules.append(Rule(condition, points, str(item.get("why", ""))))
    engagement = r.mapping(("scoring", "engagement"), spec.get("engagement", {"half_life": "30d", "signals": {}}),
                           schema.ENGAGEMENT)
    half_life = r.duration(("scoring", "engagement", "half_life"), engagement.get("half_life", "30d"))
    signals = {}
    raw_signals = r.entries(("scoring", "engagement", "signals"), engagement.get("signals") or {},
                            "{pricing_page_view: 8, webinar_attended: 15}")
    for key, points in raw_signals.items():
        if isinstance(points, bool) or not isinstance(points, int):
            r.report(("scoring", "engagement", "signals", key), f"{points!r} is not a whole number of points")
        else:
            signals[str(key)] = points
    return Scoring(tuple(rules), half_life, signals) if half_life else None


def _qualification(r: Reader, value: Any) -> Qualification | None:
    spec = r.mapping(("qualification",), value, schema.QUALIFICATION)
    mql_when = r.condition(("qualification", "mql_when"), spec.get("mql_when")) if spec else None
    require = r.slugs(("qualification", "require"), spec.get("require", []), allow_empty=True)
    for i, name in enumerate(require):
        if name not in schema.CONTACT_FIELD_NAMES:
            r.report(("qualification", "require", i), f"{name!r} is not a lead field; known: {', '.join(schema.CONTACT_FIELD_NAMES)}")
    document = r.slugs(("qualification", "document"), spec.get("document", []), allow_empty=True)
    return Qualification(mql_when, require, document) if mql_when else None


def _routing(r: Reader, value: Any, teams: dict[str, Team]) -> tuple[Route, ...]:
    if not isinstance(value, list) or not value:
        r.report(("routing",), "give a list of routes, the last one without a condition, like - {team: commercial}")
        return ()
    routes = []
    for i, item in enumerate(value):
        path = ("routing", i)
        item = r.mapping(path, item, schema.ROUTE)
        team = item.get("team")
        if team is not None and (not isinstance(team, str) or team not in _declared(r, "teams")):
            r.report(path + ("team",), f"{team!r} is not a team; teams: {', '.join(teams) or 'none defined'}")
        condition = r.condition(path + ("when",), item["when"]) if "when" in item else None
        routes.append(Route(str(team), condition))
    if routes and routes[-1].condition is not None:
        r.report(("routing", len(value) - 1), "the last route must have no condition, so that every lead has a team")
    return tuple(routes)


def _teams(r: Reader, value: Any, calendars: dict) -> dict[str, Team]:
    teams = {}
    for key, spec in _named_sections(r, ("teams",), value, "team, like commercial"):
        path = ("teams", key)
        spec = r.mapping(path, spec, schema.TEAM)
        if not spec:
            continue
        calendar = spec.get("calendar")
        if not isinstance(calendar, str) or calendar not in _declared(r, "calendars"):
            r.report(path + ("calendar",), f"{calendar!r} is not a calendar; calendars: {', '.join(calendars) or 'none valid'}")
        strategy = r.choice(path + ("strategy",), spec.get("strategy", "round_robin"), schema.STRATEGIES)
        max_open = r.integer(path + ("max_open",), spec["max_open"], minimum=1) if "max_open" in spec else None
        members = spec.get("members") or []
        if not isinstance(members, list) or not members:
            r.report(path + ("members",), "give the team's members as a list of email addresses")
            members = []
        emails = tuple(r.email(path + ("members", i), m) for i, m in enumerate(members))
        weights = _weights(r, path, spec.get("weights", {}), emails, strategy)
        teams[key] = Team(key, str(calendar), str(strategy), max_open, r.email(path + ("manager",), spec.get("manager")),
                          emails, weights)
    return teams


def _declared(r: Reader, section: str) -> set[str]:
    """Names declared in a section, valid or not (a broken calendar is reported once, where it is broken)."""
    value = r.doc.data.get(section) if isinstance(r.doc.data, dict) else None
    return set(value) if isinstance(value, dict) else set()


def _weights(r: Reader, path: Path, value: Any, emails: tuple[str, ...], strategy: str | None) -> dict[str, int]:
    value = r.entries(path + ("weights",), value, "{ann@acme.example: 2}, a whole number per member")
    weights = {str(k).lower(): v for k, v in value.items()}
    for email, weight in weights.items():
        if email not in emails:
            r.report(path + ("weights", email), f"{email} is not a member of this team")
        r.integer(path + ("weights", email), weight, minimum=1)
    if strategy == "weighted" and not weights:
        r.report(path + ("weights",), "the weighted strategy needs weights, like {ann@acme.example: 2}")
    return weights
