from __future__ import annotations

import copy
import datetime as dt

import pytest
import yaml

from leadpact.core.durations import Duration
from leadpact.core.errors import PactInvalid
from leadpact.core.pact_loader import check_pact, pact_from_document, parse_pact
from leadpact.core.tests.conftest import edit, line_of
from leadpact.core.yamltree import LocatedYaml, path_text


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


# A pact check reports a value of the wrong shape; it never crashes on one.

SIGNALS = """    signals:
      pricing_page_view: 8
      webinar_attended: 15
      content_download: 10
      email_click: 3"""
MARKETING_COMMITMENTS = """  marketing:
    - {metric: mql_count,        per: month, at_least: 400}
    - {metric: acceptance_rate,  per: month, at_least: 70%}"""


def test_signals_given_as_a_list_are_a_problem_with_the_fix(text):
    bad = edit(text, SIGNALS, "    signals: [pricing_page_view, email_click]")
    assert problems(bad) == [f"line {line_of(bad, 'signals:')}, scoring.engagement.signals: give a mapping, "
                             "like {pricing_page_view: 8, webinar_attended: 15}"]


def test_an_impossible_effective_date_is_a_problem_with_its_line_and_key(text):
    bad = edit(text, "effective: 2026-12-01", "effective: 2026-13-01")
    assert problems(bad) == [f"line {line_of(bad, '^effective:')}, effective: "
                             "2026-13-01 is not a date; write it like 2026-12-01"]


def test_an_impossible_closed_day_is_a_problem_with_its_line_and_key(text):
    bad = edit(text, "closed: [2026-12-24, 2026-12-31]", "closed: [2026-12-24, 2026-02-30]")
    assert problems(bad) == [f"line {line_of(bad, '2026-02-30')}, calendars.us-east.closed[1]: "
                             "2026-02-30 is not a date; write it like 2026-12-01"]


def test_a_value_yaml_cannot_read_does_not_hide_an_unknown_key(text):
    bad = edit(text, "effective: 2026-12-01", "efective: 2026-13-01")
    found = problems(bad)
    assert any("efective: 2026-13-01 is not a date" in p for p in found)
    assert any("unknown key 'efective'; did you mean 'effective'?" in p for p in found)


def test_an_unknown_commitment_side_is_named_with_the_sides(text):
    bad = edit(text, "  sales:\n    - {metric: response_within_sla", "  mkting:\n    - {metric: response_within_sla")
    assert problems(bad) == [f"line {line_of(bad, 'mkting:')}, commitments.mkting: "
                             "unknown side 'mkting'; the sides are marketing and sales"]


def test_a_sides_commitments_must_be_a_list(text):
    bad = edit(text, MARKETING_COMMITMENTS, "  marketing: 5")
    (problem,) = check_pact(bad)
    assert (problem.path, problem.line) == ("commitments.marketing", line_of(bad, "marketing: 5"))
    assert problem.message.startswith("give a list of commitments, like - {metric: mql_count")


def test_the_digest_audience_must_be_a_list_not_one_name(text):
    bad = edit(text, "to: [managers, marketing]", "to: managers")
    (problem,) = check_pact(bad)
    assert problem.path == "reports.digest.to" and "give a list, like [managers, marketing]" in problem.message


def test_a_team_or_calendar_given_as_a_list_is_a_problem(text):
    bad = edit(text, "  - {team: commercial}", "  - {team: [commercial]}")
    bad = edit(bad, "emea:       {calendar: emea,", "emea:       {calendar: [emea],")
    bad = edit(bad, "require: [email, company]", "require: [email, [company]]")
    found = problems(bad)
    assert any("routing[2].team: ['commercial'] is not a team" in p for p in found)
    assert any("teams.emea.calendar: ['emea'] is not a calendar" in p for p in found)
    assert any("qualification.require[1]: ['company'] is not a name" in p for p in found)


def test_every_wrong_shape_is_reported_at_once(text):
    bad = edit(text, SIGNALS, "    signals: [a, b]")
    bad = edit(bad, "effective: 2026-12-01", "effective: 2026-13-01")
    bad = edit(bad, "  sales:\n    - {metric: response_within_sla", "  mkting:\n    - {metric: response_within_sla")
    bad = edit(bad, "to: [managers, marketing]", "to: managers")
    paths = [p.path for p in check_pact(bad)]
    assert paths == ["effective", "scoring.engagement.signals", "commitments.mkting", "reports.digest.to"]


def _paths(node, path=()):
    yield path, node
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield from _paths(child, path + (key,))


def _replaced(document, path, value):
    document = copy.deepcopy(document)
    parent = document
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    return document


def test_a_wrong_shape_anywhere_in_the_example_is_a_problem_never_a_crash(text):
    """Every value of the example replaced by a shape it must not have: a text or a list for a mapping, a number or
    a mapping for a list, a list or a mapping for a scalar. (Checked as a document: YAML parsing is tested above.)"""
    document = yaml.safe_load(text)
    for path, value in list(_paths(document))[1:]:
        shapes = {dict: ("text", ["x"]), list: (5, {"x": 1})}.get(type(value), (["x"], {"x": 1}))
        for shape in shapes:
            try:
                pact_from_document(LocatedYaml(_replaced(document, path, shape)))
            except PactInvalid:
                pass
            except Exception as err:  # the crash this test is about
                pytest.fail(f"{path_text(path)}: {shape!r} crashed the check: {err!r}")


def test_an_alias_that_contains_itself_is_a_problem_not_a_crash():
    (problem,) = check_pact("pact: acme\nlists: &loop {x: *loop}\n")
    assert problem.line == 2 and "refers to a value that contains it" in problem.message


def test_an_alias_bomb_is_refused_before_it_is_expanded():
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]  # 10^9 values
    (problem,) = check_pact("\n".join(levels))
    assert "more than 20000 values" in problem.message


def test_values_nested_too_deeply_are_a_problem_not_a_crash():
    (problem,) = check_pact("pact: " + "[" * 2000 + "]" * 2000)
    assert problem.message == "not valid YAML: values are nested too deeply; a pact needs only a few levels"


# Named lists

def test_a_list_named_like_a_lead_field_is_refused_with_the_fix(text):
    bad = edit(text, "lead_types:", "lists: {country: [US, CA]}\n\nlead_types:")
    assert problems(bad) == [f"line {line_of(bad, '^lists:')}, lists.country: a list cannot be named 'country': "
                             "that is a lead field, and conditions would read the list instead of the field; "
                             "rename the list, like country_list"]


def test_a_list_named_like_a_derived_field_or_a_keyword_is_refused(text):
    bad = edit(text, "lead_types:", "lists: {fit: [1], null: [a], in: [b]}\n\nlead_types:")
    assert {p.path for p in check_pact(bad)} == {"lists.fit", "lists.null", "lists.in"}


def test_numbers_in_a_list_stay_numbers(text):
    good = edit(text, "lead_types:", "lists: {sizes: [250, 500]}\n\nlead_types:")
    good = edit(good, '"employees >= 1000", ', '"employees in sizes", ')
    enterprise = parse_pact(good).routing[1]
    assert enterprise.team == "enterprise"
    assert enterprise.condition({"employees": 250}) and not enterprise.condition({"employees": 251})


def test_no_in_a_list_is_norway_and_domains_are_lower_case(text):
    good = edit(text, "lead_types:", "lists: {nordics: [NO, SE, true], partners: [Globex.COM]}\n\nlead_types:")
    pact = parse_pact(good)
    assert pact.lists["nordics"] == {"NO", "SE", True}
    assert pact.lists["partners"] == {"globex.com"}


def test_a_nested_list_item_is_a_problem(text):
    bad = edit(text, "lead_types:", "lists: {sizes: [250, [500]]}\n\nlead_types:")
    assert [p.path for p in check_pact(bad)] == ["lists.sizes[1]"]


def test_max_attempts_below_the_planned_steps_is_refused(text):
    bad = edit(edit(text, "max_attempts: 8", "max_attempts: 5"), "min_attempts: 6", "min_attempts: 5")
    assert any("cadence.max_attempts: 5 is below the 6 planned steps" in p for p in problems(bad))
