"""A proposed pact replayed on the recorded history (conftest.history), against the version in force."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from leadpact.core.errors import FieldErrors
from leadpact.core.pact_loader import parse_pact
from leadpact.handoff.tests.helpers import ny
from leadpact.insights.backtest import backtest, baseline, parse_period

pytestmark = pytest.mark.django_db
NOW = ny(2027, 2, 1, 12)
WITHOUT_DEMO_RULE = ('mql_when: "fit >= 25 and engagement >= 20 or lead_type == \'demo_request\'"',
                     'mql_when: "fit >= 25 and engagement >= 20"')


@pytest.fixture
def proposal(nine_to_five_text: str) -> str:
    assert WITHOUT_DEMO_RULE[0] in nine_to_five_text
    return nine_to_five_text.replace(*WITHOUT_DEMO_RULE).replace("version: 3", "version: 4")


def rows(report, table: str, key: str) -> dict:
    return {row[key]: row for row in report.table(table).rows}


def test_dropping_the_demo_request_rule_is_shown_side_by_side_with_what_happened(history, proposal):
    result = backtest(("proposal", parse_pact(proposal)), baseline(None, NOW), parse_period("2026-12..2027-01", NOW))
    summary = rows(result, "summary", "measure")
    assert (summary["MQLs"]["recorded"], summary["MQLs"]["baseline"], summary["MQLs"]["proposed"]) == (4, 4, 1)
    acceptance = summary["expected acceptance (what sales answered to these leads)"]
    assert (acceptance["baseline"], acceptance["proposed"]) == (3 / 4, 1.0)
    won = summary["share of won deals qualified"]
    assert (won["baseline"], won["proposed"]) == (1.0, 0.0)
    assert summary["median days earlier than recorded, for won deals"]["baseline"] == 0.0
    months = rows(result, "months", "month")
    assert {m: (r["recorded"], r["baseline"], r["proposed"]) for m, r in months.items()} == {
        "2026-12": (3, 3, 0), "2027-01": (1, 1, 1)}  # the returning lead qualifies on its January signals
    dropped, added = result.table("changes").rows
    assert (dropped["leads"], dropped["accepted"], dropped["rejected"], dropped["won"]) == (3, 2, 1, 1)
    assert added["leads"] == 0
    teams = rows(result, "teams", "team")["commercial"]
    assert teams["change"] == pytest.approx(-0.75)


def test_the_command_prints_the_backtest_and_names_what_is_wrong(history, proposal, tmp_path, clock_at):
    clock_at(NOW)
    path = tmp_path / "v4.yaml"
    path.write_text(proposal)
    out = io.StringIO()
    call_command("backtest", "--pact", str(path), "--period", "2026-12-01..2027-01-31", "--format", "json",
                 stdout=out)
    data = json.loads(out.getvalue())
    assert data["title"] == "Backtest: v4.yaml (proposed) against version 3"
    assert data["tables"]["changes"]["rows"][0]["leads"] == 3
    shown = io.StringIO()
    call_command("backtest", "--pact", str(path), "--period", "2026", stdout=shown)
    assert "Side by side" in shown.getvalue() and "SLA load" in shown.getvalue()
    path.write_text(proposal.replace("accept_within: 2h", "accept_within: soon"))
    with pytest.raises(CommandError, match="accept_within"):
        call_command("backtest", "--pact", str(path), "--period", "2026")
    path.write_text(proposal)
    with pytest.raises(CommandError, match="period: .*write it like 2026-01-01..2026-06-30"):
        call_command("backtest", "--pact", str(tmp_path / "v4.yaml"), "--period", "last spring")
    with pytest.raises(CommandError, match="there is no pact version 9"):
        call_command("backtest", "--pact", str(tmp_path / "v4.yaml"), "--period", "2026", "--against", "9")


@pytest.mark.parametrize(("text", "since", "until"), [("2026-03", "2026-03-01", "2026-03-31"),
                                                      ("2024-02", "2024-02-01", "2024-02-29"),
                                                      ("2026", "2026-01-01", "2026-12-31"),
                                                      ("2026-01-05..2026-02-01", "2026-01-05", "2026-02-01")])
def test_a_period_is_a_range_a_month_or_a_year(text, since, until):
    filters = parse_period(text, dt.date(2027, 1, 1))
    assert (str(filters.since), str(filters.until)) == (since, until)


@pytest.mark.parametrize("text", ["2026-13", "spring", "2026-02-01..2026-01-01", ""])
def test_a_bad_period_is_refused_with_the_forms_it_takes(text):
    with pytest.raises(FieldErrors, match="write it like"):
        parse_period(text, dt.date(2027, 1, 1))


def test_the_pact_screen_backtests_a_proposed_version_before_it_is_signed(history, proposal, client, people,
                                                                          clock_at):
    from leadpact.pact.services import pact_propose

    clock_at(NOW)
    pact_propose(proposal, proposed_by=people["marketing"])
    client.force_login(people["manager"])
    assert b"Backtest v4 against v3" in client.get("/pact/versions/4").content
    page = client.get("/pact/versions/4/backtest?period=2026-12..2027-01")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Backtest: version 4 against version 3" in text and "dropped: MQLs under version 3 only" in text
    assert client.get("/pact/versions/4/backtest?period=someday").status_code == 422
    client.force_login(people["rep"])
    assert client.get("/pact/versions/4/backtest").status_code == 403
