"""The reports on a small recorded history whose figures are worked out by hand (see conftest.history)."""

from __future__ import annotations

import datetime as dt

import pytest

from leadpact.core.errors import FieldErrors, NotFound
from leadpact.handoff.tests.helpers import ny
from leadpact.insights.filters import Filters
from leadpact.insights.reports import run
from leadpact.leads.models import Round

pytestmark = pytest.mark.django_db
NOW = ny(2027, 2, 1, 12)


def period(**values) -> Filters:
    return Filters.parse({"since": "2026-12-01", "until": "2027-01-31", **values}, NOW.date())


def rows(report, table: str, key: str) -> dict:
    return {row[key]: row for row in report.table(table).rows}


def test_the_funnel_counts_each_round_in_the_month_it_became_an_mql(history):
    funnel = rows(run("funnel", period(), NOW), "cohorts", "month")
    assert {k: funnel["2026-12"][k] for k in ("inquiries", "mql", "sal", "sql", "won")} == dict(
        inquiries=4, mql=3, sal=2, sql=1, won=1)
    assert {k: funnel["2027-01"][k] for k in ("inquiries", "mql", "sal", "sql", "won")} == dict(
        inquiries=1, mql=2, sal=2, sql=1, won=0)
    assert (funnel["all"]["mql"], funnel["all"]["mql_to_sal"], funnel["all"]["mql_to_won"]) == (5, 4 / 5, 1 / 5)


def test_the_funnel_says_where_leads_leave_and_how_long_each_stage_takes(history):
    report = run("funnel", period(), NOW)
    exits = {(r["left"], r["reason"]): r["leads"] for r in report.table("exits").rows}
    assert exits == {("rejected by sales", "not_our_icp"): 1, ("handed back to marketing", "not_ready_yet"): 1,
                     ("lost", "price"): 1}
    times = rows(report, "stage_times", "to")
    assert times["SAL"]["n"] == 4
    assert times["SAL"]["median"] == pytest.approx(0.375 / 24)  # 5 min, 15 min, 30 min, 1 h
    assert times["won"]["n"] == 1 and times["won"]["median"] == pytest.approx(9.0)


def test_reading_the_history_as_of_a_past_day_leaves_out_what_came_after(history):
    funnel = rows(run("funnel", period(as_of="2026-12-05"), NOW), "cohorts", "month")
    assert set(funnel) == {"2026-12", "all"}
    assert (funnel["2026-12"]["sql"], funnel["2026-12"]["won"]) == (1, 0)  # won on 10 December


def test_the_funnel_narrows_to_a_month_and_breaks_down_by_other_columns(history):
    december = rows(run("funnel", period(until="2026-12-31"), NOW), "cohorts", "month")
    assert december["all"]["mql"] == 3
    by_type = rows(run("funnel", period(), NOW, by="lead_type"), "cohorts", "lead_type")
    assert by_type["demo_request"]["mql"] == 5
    assert rows(run("funnel", period(lead_type="content_download"), NOW), "cohorts", "month")["all"]["mql"] == 0


def test_the_sla_report_counts_first_attempts_within_the_agreed_business_hours(history):
    report = run("sla", period(), NOW)
    team = rows(report, "response", "team")["commercial"]
    # won and lost answered in 1 h; returning answered late (5.5 h) in December and not at all in January
    assert (team["counted"], team["within"], team["within_sla"], team["breached"]) == (4, 2, 0.5, 1)
    assert team["median_hours"] == pytest.approx(1.0)
    buckets = rows(report, "time_to_first_attempt", "bucket")
    assert (buckets["1–2 h"]["leads"], buckets["4–8 h"]["leads"]) == (2, 1)
    acceptance = rows(report, "acceptance", "team")["commercial"]
    assert (acceptance["accepted"], acceptance["rejected"], acceptance["in_window_share"]) == (4, 1, 1.0)


def test_the_follow_up_report_shows_what_each_attempt_is_worth(history):
    report = run("follow-up", period(), NOW)
    attempts = rows(report, "attempts", "label")
    assert (attempts["1"]["stopped"], attempts["1"]["converted"], attempts["1"]["reached"]) == (2, 2, 3)
    assert attempts["1"]["success_when_reached"] == pytest.approx(2 / 3)
    assert (attempts["2"]["stopped"], attempts["2"]["converted_sql"]) == (1, 1)
    [standard] = report.table("standard").rows
    assert (standard["handed"], standard["contacted_share"], standard["given_up_early"]) == (5, 3 / 5, 0)
    channels = {(r["channel"], r["outcome"]): r["attempts"] for r in report.table("channels").rows}
    assert channels == {("phone", "connected"): 2, ("email", "email_sent"): 1, ("phone", "meeting_booked"): 1}


def test_the_hand_back_report_follows_the_leads_marketing_got_back(history):
    report = run("hand-back", period(), NOW)
    assert report.table("reasons").rows == [{"reason": "not_ready_yet", "leads": 1}]
    [source] = report.table("sources").rows
    assert (source["handed_back"], source["came_back"], source["came_back_share"]) == (1, 1, 1.0)
    assert report.table("outcomes").rows == [{"now": "still open", "leads": 1}]


def test_the_commitments_report_judges_each_promise_per_period(history):
    report = run("commitments", period(), NOW)
    mqls = [r for r in report.table("commitments").rows if r["metric"] == "mql_count"]
    assert [(r["period"], r["actual"], r["met"]) for r in mqls] == [
        ("2026-12-01…2026-12-31", 3.0, "missed"), ("2027-01-01…2027-01-31", 2.0, "missed")]
    acceptance = [r["actual"] for r in report.table("commitments").rows if r["metric"] == "acceptance_rate"]
    assert acceptance == [pytest.approx(2 / 3), 1.0]


def test_a_rep_reads_only_their_own_rounds(history, people):
    from leadpact.accounts.models import User

    owner = User.objects.get(email=history.won.owner.email)
    mine = rows(run("funnel", period().seen_by(owner, NOW), NOW), "cohorts", "month")["all"]["mql"]
    assert 0 < mine < 5
    assert mine == Round.objects.filter(owner=owner).count()
    manager = rows(run("funnel", period().seen_by(people["manager"], NOW), NOW), "cohorts", "month")["all"]
    assert manager["mql"] == 5 and "inquiries" not in manager  # raj runs the commercial team


def test_bad_filters_are_named_with_their_fix():
    today = dt.date(2027, 2, 1)
    with pytest.raises(FieldErrors) as error:
        Filters.parse({"since": "2027-13-01", "until": "yesterday", "pact_version": "v3"}, today)
    assert set(error.value.errors) == {"since", "until", "pact_version"}
    with pytest.raises(FieldErrors, match="known: since"):
        Filters.parse({"region": "emea"}, today)
    with pytest.raises(FieldErrors, match="is after until"):
        Filters.parse({"since": "2027-01-02", "until": "2027-01-01"}, today)


def test_an_unknown_report_or_breakdown_is_refused_with_the_known_ones(db):
    with pytest.raises(NotFound, match="known: funnel, sla"):
        run("pipeline", period(), NOW)
    with pytest.raises(FieldErrors, match="cannot break the funnel report down by 'colour'; one of: month, source"):
        run("funnel", period(), NOW, by="colour")
    with pytest.raises(FieldErrors, match="cannot break the follow-up report down by 'team'; it has no breakdown"):
        run("follow-up", period(), NOW, by="team")


def test_a_deadline_missed_before_the_lead_left_counts_and_one_left_in_time_does_not(pact, arrive):
    from leadpact.handoff.services import lead_accept, lead_close
    from leadpact.handoff.tests.helpers import actor
    from leadpact.worker.loop import run_pass

    missed = arrive(ny(2026, 12, 3, 10), first_name="missed")
    lead_accept(missed.pk, actor=actor(missed.owner.email), now=ny(2026, 12, 3, 10, 5))
    run_pass(ny(2026, 12, 3, 15))  # due at 14:00: breached
    lead_close(missed.pk, "disqualify", "spam", actor=actor(missed.owner.email), now=ny(2026, 12, 3, 16))
    early = arrive(ny(2026, 12, 3, 11), first_name="early")
    lead_close(early.pk, "disqualify", "spam", actor=actor(early.owner.email), now=ny(2026, 12, 3, 11, 30))
    team = rows(run("sla", period(), NOW), "response", "team")["commercial"]
    assert (team["counted"], team["within"], team["within_sla"], team["breached"]) == (1, 0, 0.0, 1)


def test_a_commitment_in_a_running_period_counts_only_the_deadlines_passed_so_far(pact, arrive):
    from leadpact.insights.commitments import current_figures

    arrive(ny(2026, 12, 8, 9), first_name="fresh")  # answer due at 13:00
    pact_now = ny(2026, 12, 8, 10)
    from leadpact.pact.selectors import pact_in_force

    figures = {f.commitment.metric: f for f in current_figures(pact_in_force(pact_now)[1], pact_now)}
    assert figures["response_within_sla"].actual is None and figures["response_within_sla"].met is None
    assert figures["mql_count"].actual == 1.0


def test_the_default_period_starts_on_the_first_of_the_month_a_year_ago_in_the_reporting_zone(settings):
    from leadpact.insights.filters import report_today

    assert Filters.parse({}, dt.date(2024, 3, 15)).since == dt.date(2023, 3, 1)
    assert Filters.parse({}, dt.date(2025, 2, 10)).since == dt.date(2024, 2, 1)
    settings.REPORT_TIME_ZONE = "Asia/Tokyo"
    assert report_today(dt.datetime(2026, 12, 31, 20, tzinfo=dt.timezone.utc)) == dt.date(2027, 1, 1)


def test_the_follow_up_as_of_a_past_day_counts_the_sequences_stopped_by_then(history):
    attempts = rows(run("follow-up", period(as_of="2026-12-01"), NOW), "attempts", "label")
    assert (attempts["1"]["stopped"], attempts["1"]["reached"]) == (1, 1)  # the won lead, reached on 1 December


def test_the_sla_by_lead_type_reads_the_type_each_clock_was_computed_for(history):
    from leadpact.sla.models import Clock

    assert set(Clock.objects.values_list("lead_type", flat=True)) == {"demo_request"}
    by_type = rows(run("sla", period(), NOW, by="lead_type"), "response", "lead_type")
    assert (by_type["demo_request"]["counted"], by_type["demo_request"]["within"]) == (4, 2)
    assert rows(run("sla", period(lead_type="content_download"), NOW), "response", "team") == {}
