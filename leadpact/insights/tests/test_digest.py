"""The daily digest: due at the pact's hour in the reporting time zone, queued once, one email per reader with their
own figures and the leads that need them, delivered through the outbox."""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
from collections import Counter

import pytest
from django.db import connection

from leadpact.accounts.models import User
from leadpact.core.pact import Digest
from leadpact.handoff.services import lead_accept
from leadpact.handoff.tests.helpers import actor, ny
from leadpact.insights import digest
from leadpact.insights.digest import (
    FIGURES,
    digest_day,
    digest_preview,
    digest_queue_due,
)
from leadpact.insights.filters import Filters, end_of
from leadpact.insights.models import DigestRun
from leadpact.insights.reports import run, say
from leadpact.notify.models import Message
from leadpact.notify.tests.conftest import SmtpServer
from leadpact.worker.loop import run_pass

pytestmark = pytest.mark.django_db
TUESDAY_EIGHT = ny(2026, 12, 8, 8)
LABELS = {label for label, _ in FIGURES.values()}


@pytest.fixture(autouse=True)
def _new_york_reports(settings):
    settings.REPORT_TIME_ZONE = "America/New_York"


@pytest.fixture
def smtp(settings):
    """A local SMTP server, up: Leadpact's email goes there."""
    server = SmtpServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    server.start()
    yield server
    server.stop()


def digests(day: str | None = "2026-12-08") -> dict[str, Message]:
    """The digest emails queued for `day` (None: any day) by recipient, each recipient at most once."""
    messages = [m for m in Message.objects.filter(event="digest") if day is None or m.payload["day"] == day]
    assert max(Counter(m.recipient for m in messages).values(), default=1) == 1
    return {m.recipient: m for m in messages}


def figure_rows(text: str) -> dict[str, tuple[str, str]]:
    """The figures table of a plain-text digest: label -> (yesterday, last 7 days)."""
    rows = {}
    for line in text.splitlines():
        cells = re.split(r"\s{2,}", line.strip())
        if len(cells) == 3 and cells[0] in LABELS:
            rows[cells[0]] = (cells[1], cells[2])
    assert set(rows) == LABELS
    return rows


def sign_version_4(text: str, people) -> None:
    """`text` as version 4, signed in November and in force from 1 December."""
    from leadpact.pact.services import pact_propose, pact_sign

    text, changed = re.subn(r"(?m)^version: 3$", "version: 4", text)
    assert changed == 1
    version, _ = pact_propose(re.sub(r"(?m)^effective: \S+", "effective: 2026-12-01", text), people["marketing"])
    for signer in (people["marketing"], people["manager"]):
        pact_sign(version, signer, ny(2026, 11, 20, 12))


def breached_commercial_lead(arrive):
    """A commercial lead handed over on Monday 7 December, accepted, and never answered: breached at 14:00."""
    lead = arrive(ny(2026, 12, 7, 10), first_name="pat")
    lead_accept(lead.pk, actor=actor(lead.owner.email), now=ny(2026, 12, 7, 10, 5))
    run_pass(ny(2026, 12, 7, 15))
    return lead


@pytest.mark.parametrize(("every", "local", "due"), [
    ("weekday", dt.datetime(2026, 12, 8, 7, 59), False),
    ("weekday", dt.datetime(2026, 12, 8, 8, 0), True),
    ("weekday", dt.datetime(2026, 12, 8, 23, 59), True),  # a worker that was down all day still sends it
    ("weekday", dt.datetime(2026, 12, 12, 9, 0), False),  # Saturday
    ("weekday", dt.datetime(2026, 12, 13, 9, 0), False),  # Sunday
    ("day", dt.datetime(2026, 12, 12, 9, 0), True),
    ("friday", dt.datetime(2026, 12, 10, 9, 0), False),
    ("friday", dt.datetime(2026, 12, 11, 9, 0), True),
])
def test_the_digest_is_due_from_its_hour_in_the_pacts_time_zone_on_the_days_the_pact_names(every, local, due):
    instant = ny(*local.timetuple()[:5])
    assert digest_day(Digest(every, "08:00", ("managers",)), instant, "America/New_York") == (
        local.date() if due else None)
    assert digest_day(None, instant, "America/New_York") is None


def test_the_digest_is_queued_at_the_pacts_hour_and_not_before(arrive):
    arrive(ny(2026, 12, 7, 10), first_name="pat")
    run_pass(TUESDAY_EIGHT - dt.timedelta(minutes=1))
    assert digests(day=None) == {}
    run_pass(TUESDAY_EIGHT)
    # maria's and jonas's teams had no lead: they get nothing rather than a page of zeros
    assert set(digests()) == {"raj@acme.example", "mia@acme.example"}
    assert DigestRun.objects.get(day=dt.date(2026, 12, 8)).messages == 2


def test_the_digest_goes_once_however_many_passes_find_it_due(arrive):
    arrive(ny(2026, 12, 7, 10), first_name="pat")
    for minutes in (0, 0, 1, 90, 600):
        run_pass(TUESDAY_EIGHT + dt.timedelta(minutes=minutes))
    assert len(digests()) == 2 and DigestRun.objects.filter(day=dt.date(2026, 12, 8)).count() == 1


def test_no_digest_on_a_weekend_for_a_weekday_digest(arrive):
    arrive(ny(2026, 12, 11, 10), first_name="pat")  # Friday
    run_pass(ny(2026, 12, 12, 9))
    run_pass(ny(2026, 12, 13, 9))
    assert digests(day=None) == {} and not DigestRun.objects.filter(day__gt=dt.date(2026, 12, 11)).exists()
    run_pass(ny(2026, 12, 14, 8))
    assert set(digests("2026-12-14")) == {"raj@acme.example", "mia@acme.example"}  # Friday's lead is in the last 7 days


def test_a_worker_that_was_down_sends_todays_digest_late_and_never_the_one_it_missed(arrive):
    arrive(ny(2026, 12, 7, 10), first_name="pat")
    run_pass(ny(2026, 12, 9, 10))  # no worker ran on Tuesday
    assert {m.payload["day"] for m in digests(day=None).values()} == {"2026-12-09"}
    assert not DigestRun.objects.filter(day=dt.date(2026, 12, 8)).exists()


def test_each_manager_gets_one_digest_of_all_their_teams_and_each_marketing_person_one_of_all(
        arrive, people, nine_to_five_text):
    text = nine_to_five_text.replace("manager: jonas@acme.example", "manager: raj@acme.example")
    sign_version_4(text.replace("to: [managers, marketing]", "to: [managers, marketing, gone@acme.example, "
                                                             "mia@acme.example, board@acme.example]"), people)
    User.objects.create_user("ola@acme.example", role="marketing")
    User.objects.create_user("gone@acme.example", role="marketing", is_active=False)
    arrive(ny(2026, 12, 7, 10), first_name="kai", country="DE")  # emea
    arrive(ny(2026, 12, 7, 10), first_name="ada", employees=5000)  # enterprise
    pat = breached_commercial_lead(arrive)
    run_pass(TUESDAY_EIGHT)
    sent = digests()
    assert set(sent) == {"raj@acme.example", "maria@acme.example", "mia@acme.example", "ola@acme.example",
                         "board@acme.example"}
    assert "Your teams: commercial, emea." in sent["raj@acme.example"].text
    assert figure_rows(sent["raj@acme.example"].text)["New MQLs"] == ("2 (was 0)", "2 (was 0)")
    assert figure_rows(sent["maria@acme.example"].text)["New MQLs"] == ("1 (was 0)", "1 (was 0)")
    assert figure_rows(sent["ola@acme.example"].text)["New MQLs"] == ("3 (was 0)", "3 (was 0)")
    # an address without an account reads the figures of all teams and no lead
    assert figure_rows(sent["board@acme.example"].text)["New MQLs"] == ("3 (was 0)", "3 (was 0)")
    assert f"/leads/{pat.pk}" in sent["raj@acme.example"].text and "/leads/" not in sent["board@acme.example"].text


def test_the_figures_are_those_the_reports_give_over_the_readers_teams(history, people):
    now, yesterday = ny(2026, 12, 2, 8), dt.date(2026, 12, 1)
    raj = people["manager"]
    shown = figure_rows(digest_preview(raj, now).text)
    filters = Filters(yesterday, yesterday, as_of=end_of(yesterday)).seen_by(raj, now)
    sla = run("sla", filters, now)
    (response,), (acceptance,) = sla.table("response").rows, sla.table("acceptance").rows  # one team: commercial
    mql = run("funnel", filters, now, by="team").table("cohorts").rows[-1]["mql"]
    assert {label: cells[0] for label, cells in shown.items()} == {
        "New MQLs": f"{mql} (was 0)", "Accepted by sales": f"{acceptance['accepted']} (was 0)",
        "Rejected by sales": f"{acceptance['rejected']} (was 0)",
        "Within the response SLA": f"{say(response['within_sla'], 'share')} (was —)",
        "Response SLA breaches": f"{response['breached']} (was 0)"}
    # worked out by hand from the history: won answered in time, returning breached, rejected not counted
    assert [cells[0].split()[0] for cells in shown.values()] == ["3", "2", "1", "50.0%", "1"]
    maria = User.objects.get(email="maria@acme.example")
    assert set(figure_rows(digest_preview(maria, now).text).values()) <= {("0", "0"), ("—", "—")}


def test_what_changed_is_each_figure_against_the_same_figure_a_day_earlier(history, people):
    shown = figure_rows(digest_preview(people["manager"], ny(2026, 12, 3, 8)).text)
    assert shown["New MQLs"] == ("0 (was 3)", "3")
    assert shown["Within the response SLA"] == ("— (was 50.0%)", "50.0%")


def test_a_breached_lead_is_in_its_managers_digest_and_no_other(arrive):
    arrive(ny(2026, 12, 7, 10), first_name="ada", employees=5000)  # so that maria has a digest too
    lead = breached_commercial_lead(arrive)
    run_pass(TUESDAY_EIGHT)
    sent, link = digests(), f"/leads/{lead.pk}"
    assert "Response SLA breached: pat (Globex), cy@acme.example" in sent["raj@acme.example"].text
    assert link in sent["raj@acme.example"].text and link in sent["raj@acme.example"].html
    assert link not in sent["maria@acme.example"].text and link not in sent["mia@acme.example"].text


def test_a_lead_nobody_could_take_is_in_its_managers_digest(arrive):
    User.objects.filter(email__in=["ann@acme.example", "bo@acme.example"]).update(is_active=False)
    lead = arrive(ny(2026, 12, 7, 10), first_name="ada", employees=5000)
    run_pass(TUESDAY_EIGHT)
    text = digests()["maria@acme.example"].text
    assert "Waiting for an owner: 1" in text and f"/leads/{lead.pk}" in text
    assert "Waiting for an owner" not in digests()["mia@acme.example"].text


def test_marketing_reads_the_leads_handed_back_yesterday_and_those_that_came_back(history, people):
    mia, link = people["marketing"], f"/leads/{history.returning.pk}"
    handed_back = digest_preview(mia, ny(2026, 12, 3, 8)).text
    assert "Handed back to marketing yesterday: 1" in handed_back and link in handed_back
    assert "returning (Globex): not_ready_yet, from" in handed_back
    came_back = digest_preview(mia, ny(2027, 1, 7, 8)).text
    assert "Qualified again yesterday (returning MQLs): 1" in came_back and link in came_back
    assert "Handed back" not in digest_preview(people["manager"], ny(2026, 12, 3, 8)).text


def test_a_pact_without_a_digest_sends_none(arrive, people, nine_to_five_text):
    text, removed = re.subn(r"(?m)^reports:\n  digest: .*\n", "", nine_to_five_text)
    assert removed == 1
    sign_version_4(text, people)
    arrive(ny(2026, 12, 7, 10), first_name="pat")
    run_pass(TUESDAY_EIGHT)
    assert digests(day=None) == {} and not DigestRun.objects.exists()


def test_the_digest_arrives_over_smtp_with_its_figures_and_links(arrive, smtp, settings):
    settings.BASE_URL = "https://leads.acme.example/"
    lead = breached_commercial_lead(arrive)
    run_pass(TUESDAY_EIGHT)
    (mail,) = [m for m in smtp.inbox.messages
               if m["Subject"].startswith("Lead digest") and m["To"] == "raj@acme.example"]
    assert mail["Subject"] == "Lead digest for Tue 8 Dec: 1 lead to look at"
    text = mail.get_body(("plain",)).get_content()
    assert figure_rows(text)["Response SLA breaches"] == ("1 (was 0)", "1 (was 0)")
    assert f"https://leads.acme.example/leads/{lead.pk}" in text
    assert f'<a href="https://leads.acme.example/leads/{lead.pk}">' in mail.get_body(("html",)).get_content()
    assert Message.objects.get(event="digest", recipient="raj@acme.example").status == "sent"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("postgres" not in os.environ.get("LEADPACT_DATABASE_URL", ""),
                    reason="two connections racing for one row: the PostgreSQL run covers it")
def test_two_workers_finding_the_digest_due_at_once_queue_it_once(arrive, monkeypatch):
    arrive(ny(2026, 12, 7, 10), first_name="pat")
    both_ready = threading.Barrier(2, timeout=60)
    compute = digest.digest_messages

    def compute_then_wait(pact, now):  # both have seen no row for the day before either writes one
        messages = compute(pact, now)
        both_ready.wait()
        return messages

    monkeypatch.setattr(digest, "digest_messages", compute_then_wait)
    queued: list[int] = []

    def worker() -> None:
        try:
            queued.append(digest_queue_due(TUESDAY_EIGHT))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(queued) == [0, 2]
    assert len(digests()) == 2 and DigestRun.objects.filter(day=dt.date(2026, 12, 8)).count() == 1


def test_a_late_digest_shows_the_same_figures_as_one_on_time(arrive, people):
    lead = arrive(ny(2026, 12, 7, 16, 30), first_name="pat")  # first attempt due on Tuesday at 12:30
    lead_accept(lead.pk, actor=actor(lead.owner.email), now=ny(2026, 12, 7, 16, 35))
    on_time = digest_preview(people["manager"], TUESDAY_EIGHT).text
    run_pass(ny(2026, 12, 8, 13))  # the deadline passed this morning: a breach, counted on Tuesday's day
    late = digest_preview(people["manager"], ny(2026, 12, 8, 13)).text
    assert figure_rows(late) == figure_rows(on_time)
    assert figure_rows(late)["Response SLA breaches"] == ("0", "0")
    assert f"/leads/{lead.pk}" in late and f"/leads/{lead.pk}" not in on_time  # but the lead needs action now
