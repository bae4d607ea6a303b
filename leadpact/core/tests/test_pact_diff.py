from __future__ import annotations

import pytest

from leadpact.core.pact_diff import describe_changes, render_changes
from leadpact.core.pact_loader import parse_pact
from leadpact.core.tests.conftest import edit


@pytest.fixture
def old(text):
    return parse_pact(text)


def diff(old, text: str, *edits: tuple[str, str]) -> list[str]:
    for before, after in edits:
        text = edit(text, before, after)
    return [c.text for c in describe_changes(old, parse_pact(text))]


def test_the_same_text_has_no_change(old, text):
    assert describe_changes(old, parse_pact(text)) == []
    assert render_changes([]) == "No change in the agreement."


def test_comments_and_formatting_make_no_change(old, text):
    assert diff(old, text, ("# the response SLA, per lead type above", "# reworded comment"),
                ("{channel: phone,    after: 0h}", "{after: 0h, channel: phone}")) == []


def test_a_response_time_change_reads_in_business_hours(old, text):
    assert diff(old, text, ("response_within: 4h}", "response_within: 2h}")) == [
        "Demo request: the response time: 4 business hours → 2 business hours."]


def test_fit_rules_are_compared_by_their_condition(old, text):
    changes = diff(old, text, ("points: 15, why: company size", "points: 20, why: company size"),
                   ('    - {when: "country in [\'US\', \'CA\', \'DE\', \'GB\']",       points: 10, why: served region}\n', ""))
    assert changes == ["Fit rule +10 points when country in ['US', 'CA', 'DE', 'GB'] (served region) removed.",
                       "Points when employees >= 200: 15 → 20."]


def test_new_and_changed_signals(old, text):
    changes = diff(old, text, ("email_click: 3", "email_click: 4\n      demo_watched: 12"))
    assert "Signal demo_watched (+12 points) added." in changes
    assert "Points for the signal email_click: 3 → 4." in changes


def test_the_mql_definition(old, text):
    changes = diff(old, text, ('"fit >= 25 and engagement >= 20', '"fit >= 30 and engagement >= 20'),
                   ("require: [email, company]", "require: [email, company, phone]"))
    assert changes == [
        "The MQL definition: fit >= 25 and engagement >= 20 or lead_type == 'demo_request' → "
        "fit >= 30 and engagement >= 20 or lead_type == 'demo_request'.",
        "Required before hand-over: phone added."]


def test_reordered_routing_rules_are_a_change(old, text):
    changes = diff(old, text, ("  - {when: \"country in ['DE', 'FR', 'GB', 'NL']\", team: emea}\n"
                               "  - {when: \"employees >= 1000\",                  team: enterprise}",
                               "  - {when: \"employees >= 1000\",                  team: enterprise}\n"
                               "  - {when: \"country in ['DE', 'FR', 'GB', 'NL']\", team: emea}"))
    assert changes == ["The order of routing rules changed (the first match wins): employees >= 1000; "
                       "country in ['DE', 'FR', 'GB', 'NL']; every other lead."]


def test_team_members_and_caps(old, text):
    changes = diff(old, text, ("members: [ann@acme.example, bo@acme.example]",
                               "members: [ann@acme.example, zoe@acme.example]"),
                   ("strategy: round_robin, max_open: 40, manager: maria", "strategy: round_robin, max_open: 50, manager: maria"))
    assert changes == ["Team enterprise member: zoe@acme.example added.", "Team enterprise member: bo@acme.example removed.",
                       "Team enterprise most open leads per person: 40 → 50."]


def test_calendar_hours_and_closed_days(old, text):
    changes = diff(old, text, ('fri: "08:30-15:00"', 'fri: "08:30-17:00"'), ("closed: [2026-12-24, 2026-12-31]",
                                                                           "closed: [2026-12-24]"))
    assert changes == ["us-east Fri: 08:30–15:00 → 08:30–17:00.", "us-east closed on: 2026-12-31 removed."]


def test_hand_off_and_response(old, text):
    changes = diff(old, text, ("accept_within: 2h", "accept_within: 3h"), ("warn_at: 75%", "warn_at: 80%"),
                   ("notify: [email, chat]", "notify: [email, chat, webhook]"))
    assert changes == ["Notification channel: webhook added.",
                       "Time to accept or reject: 2 business hours → 3 business hours.",
                       "The owner is warned at: 75% → 80%."]


def test_cadence_steps_as_an_ordered_plan(old, text):
    changes = diff(old, text, ("{channel: linkedin, after: 2d}", "{channel: email,    after: 2d}"),
                   ("max_attempts: 8", "max_attempts: 7"))
    assert changes == ["Step 4: linkedin after 2 business days → email after 2 business days.",
                       "Most attempts allowed: 8 → 7."]


def test_commitments_render_shares_as_percentages(old, text):
    changes = diff(old, text, ("at_least: 70%", "at_least: 75%"), ("at_least: 400", "at_least: 450"))
    assert changes == ["Marketing commits to mql count per month: at least 400 → at least 450.",
                       "Marketing commits to acceptance rate per month: at least 70% → at least 75%."]


def test_render_groups_by_section(old, text):
    changed = edit(edit(text, "accept_within: 2h", "accept_within: 3h"), "max_attempts: 8", "max_attempts: 7")
    rendered = render_changes(describe_changes(old, parse_pact(changed)))
    assert rendered == ("Hand-off:\n  - Time to accept or reject: 2 business hours → 3 business hours.\n"
                        "Cadence:\n  - Most attempts allowed: 8 → 7.")
