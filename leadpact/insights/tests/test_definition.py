"""The definition review on the recorded history (conftest.history)."""

from __future__ import annotations

import pytest

from leadpact.handoff.services import attempt_log, lead_close
from leadpact.handoff.tests.helpers import actor, ny
from leadpact.insights.filters import Filters
from leadpact.insights.reports import run

pytestmark = pytest.mark.django_db
NOW = ny(2027, 2, 1, 12)


def review():
    return run("definition", Filters.parse({"since": "2026-12-01", "until": "2027-01-31"}, NOW.date()), NOW)


def test_precision_says_what_became_of_the_mqls_of_each_version(history):
    [row] = review().table("precision").rows
    assert (row["version"], row["mql"], row["accepted"], row["converted"], row["won"]) == (3, 5, 4 / 5, 2 / 5, 1 / 5)


def test_recall_replays_the_won_deals_under_the_definition(history):
    [row] = review().table("recall").rows
    assert (row["won"], row["qualified"], row["recall"], row["never"]) == (1, 1, 1.0, 0)
    assert (row["lead_days"], row["arrival_days"]) == (pytest.approx(9.0), 0.0)  # arrived 1 Dec, won 10 Dec


def test_lift_per_rule_compares_each_rule_with_all_settled_mqls(history):
    table = review().table("lift")
    assert table.title.startswith("Lift per rule among 4 settled MQLs (won overall: 25.0%)")
    rules = {row["rule"]: row for row in table.rows}
    size = rules["fit: employees >= 200"]
    assert (size["held"], size["won"], size["lift"], size["accepted_lift"]) == (4, 0.25, 1.0, 1.0)
    free_mail = rules["fit: email_domain in free_mail"]
    assert free_mail["held"] == 0 and free_mail["lift"] is None
    assert rules["signal: webinar_attended"]["held"] == 0  # its signals came after its first hand-off


def test_a_lead_handed_back_and_won_in_a_later_round_is_listed(history):
    assert review().table("missed").rows == []
    lead, rep = history.returning, actor(history.returning.owner.email)
    attempt_log(lead.pk, "phone", "connected", actor=rep, now=ny(2027, 1, 6, 11))
    lead_close(lead.pk, "convert", actor=rep, now=ny(2027, 1, 7, 11))
    lead_close(lead.pk, "win", actor=rep, now=ny(2027, 1, 25, 11))
    [row] = review().table("missed").rows
    assert (row["lead"], row["left"], row["reason"], row["on"], row["won"]) == (
        lead.pk, "recycled", "not_ready_yet", "2026-12-02", "2027-01-25")


def test_recall_follows_the_filters(history):
    filters = Filters.parse({"since": "2026-12-01", "until": "2027-01-31", "lead_type": "content_download"}, NOW.date())
    [row] = run("definition", filters, NOW).table("recall").rows
    assert (row["won"], row["recall"]) == (0, None)
