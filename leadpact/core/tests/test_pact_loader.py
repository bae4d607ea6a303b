from __future__ import annotations

import datetime as dt

import pytest

from leadpact.core.durations import Duration
from leadpact.core.errors import PactInvalid
from leadpact.core.pact_loader import check_pact, parse_pact
from leadpact.core.tests.conftest import edit, line_of


def problems(text: str) -> list[str]:
    return [str(p) for p in check_pact(text)]


def test_the_shipped_example_is_valid(text):
    pact = parse_pact(text)
    assert (pact.name, pact.version, pact.effective) == ("acme", 3, dt.date(2026, 12, 1))
    assert pact.lead_types["demo_request"].response_within == Duration(0, 4 * 3600)
    assert pact.lead_types["content_download"].response_within.words() == "24 business hours"
    assert [r.points for r in pact.scoring.fit] == [15, 20, 10, -25]
    assert pact.scoring.half_life == Duration(21, 0)
    assert pact.cadence.min_attempts == 6 and pact.cadence.max_attempts == 8
    assert pact.response.warn_at == 0.75
    assert pact.teams["commercial"].members == ("cy@acme.example", "dee@acme.example", "eli@acme.example")
    assert pact.calendars["us-east"].hours[0] == ((510, 720), (780, 1050))
    assert pact.calendars["us-east"].hours[4] == ((510, 900),)
    assert 5 not in pact.calendars["us-east"].hours
    assert pact.calendars["us-east"].closed == (dt.date(2026, 12, 24), dt.date(2026, 12, 31))
    assert [(c.metric, c.at_least) for c in pact.commitments][:2] == [("mql_count", 400), ("acceptance_rate", 0.7)]


def test_max_attempts_below_min_attempts_names_line_key_and_fix(text):
    bad = edit(text, "max_attempts: 8", "max_attempts: 4")
    line = line_of(bad, r"max_attempts: 4")
    assert problems(bad) == [f"line {line}, cadence.max_attempts: 4 is below min_attempts 6; "
                             "raise max_attempts to at least 6"]


def test_every_problem_is_reported_at_once(text):
    bad = edit(text, "accept_within: 2h", "accept_within: soon")
    bad = edit(bad, "timezone: Europe/Berlin", "timezone: Europe/Berlinn")
    bad = edit(bad, "strategy: least_loaded", "strategy: fastest")
    found = problems(bad)
    assert len(found) == 3
    assert any("handoff.accept_within" in p and "write it like 4h" in p for p in found)
    assert any("calendars.emea.timezone" in p and "not an IANA timezone" in p for p in found)
    assert any("teams.commercial.strategy" in p and "round_robin, least_loaded, weighted" in p for p in found)


def test_an_unknown_field_in_a_condition_is_named_with_a_suggestion(text):
    bad = edit(text, "title ~ '(?i)", "titel ~ '(?i)")
    (problem,) = check_pact(bad)
    assert problem.path == "scoring.fit[1].when"
    assert problem.line == line_of(bad, "titel ~")
    assert "titel" in problem.message and "title" in problem.message


def test_bad_condition_syntax_is_reported_with_its_column(text):
    bad = edit(text, 'mql_when: "fit >= 25 and', 'mql_when: "fit >= and')
    (problem,) = check_pact(bad)
    assert problem.path == "qualification.mql_when"
    assert "column" in problem.message


def test_unknown_keys_get_a_did_you_mean(text):
    bad = edit(text, "response:                                  # the response SLA",
               "respons:                                  # the response SLA")
    found = problems(bad)
    assert any("unknown key 'respons'; did you mean 'response'?" in p for p in found)


def test_a_calendar_that_is_never_open_is_refused(text):
    bad = edit(text, 'hours: {mon-fri: "09:00-18:00"}', 'hours: {mon-fri: closed}')
    assert any("calendars.emea.hours: this calendar is never open" in p for p in problems(bad))


def test_overlapping_hours_and_backwards_days_are_refused(text):
    bad = edit(text, '"08:30-12:00, 13:00-17:30"', '"08:30-12:00, 11:00-17:30"')
    bad = edit(bad, "mon-fri: \"09:00-18:00\"", "fri-mon: \"09:00-18:00\"")
    found = problems(bad)
    assert any("overlaps" in p for p in found)
    assert any("runs backwards" in p for p in found)


def test_an_unknown_holiday_country_is_refused(text):
    bad = edit(text, "holidays: DE", "holidays: XX")
    assert any("calendars.emea.holidays" in p and "holidays package" in p for p in problems(bad))


def test_norway_is_a_country_not_a_yaml_boolean(text):
    pact = parse_pact(edit(text, "holidays: DE", "holidays: NO"))
    assert pact.calendars["emea"].holidays == "NO"


def test_routing_to_an_unknown_team_and_a_conditional_last_route_are_refused(text):
    bad = edit(text, "  - {team: commercial}", "  - {when: \"employees < 10\", team: smb}")
    found = problems(bad)
    assert any("routing[2].team: 'smb' is not a team" in p for p in found)
    assert any("routing[2]: the last route must have no condition" in p for p in found)


def test_a_duplicate_key_is_reported(text):
    bad = edit(text, "  accept_within: 2h", "  accept_within: 2h\n  accept_within: 3h")
    assert any("handoff.accept_within: this key is given twice" in p for p in problems(bad))


def test_invalid_yaml_reports_its_line():
    (problem,) = check_pact("pact: acme\nversion: [1\n")
    assert problem.line is not None and "not valid YAML" in problem.message


def test_an_empty_file_is_refused():
    assert "empty" in problems("")[0]


def test_commitment_share_must_be_a_percentage(text):
    bad = edit(text, "at_least: 70%", "at_least: lots")
    assert any("commitments.marketing[1].at_least" in p for p in problems(bad))


def test_parse_pact_raises_with_every_problem(text):
    with pytest.raises(PactInvalid) as err:
        parse_pact(edit(text, "version: 3", "version: zero"))
    assert "version" in str(err.value)


def test_the_reason_lists_come_from_the_pact(text):
    pact = parse_pact(text)
    assert "not_our_icp" in pact.reasons_for("reject")
    assert {"not_ready_yet", "no_response", "not_accepted_in_time"} <= set(pact.reasons_for("recycle"))
    assert pact.reasons_for("accept") == ()
