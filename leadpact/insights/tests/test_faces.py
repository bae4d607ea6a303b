"""The reports in the terminal, over the API and as pages: the same figures, filters and refusals."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from leadpact.handoff.tests.helpers import ny
from leadpact.leads.models import Round

pytestmark = pytest.mark.django_db
PERIOD = "since=2026-12-01&until=2027-01-31"


@pytest.fixture
def later(history, clock_at):
    clock_at(ny(2027, 2, 1, 12))
    return history


def command(*args: str) -> str:
    out = io.StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def test_the_terminal_prints_every_table_and_exports_csv_and_json(later):
    shown = command("funnel", "--since", "2026-12-01", "--until", "2027-01-31")
    assert "Funnel by month" in shown and "Where leads leave" in shown and "2026-12" in shown
    rows = list(csv.DictReader(io.StringIO(command("funnel", "--since", "2026-12-01", "--format", "csv"))))
    assert [(r["month"], r["mql"], r["won"]) for r in rows] == [("2026-12", "3", "1"), ("2027-01", "2", "0"),
                                                                  ("all", "5", "1")]
    exits = command("funnel", "--since", "2026-12-01", "--format", "csv", "--table", "exits")
    assert exits.splitlines()[0] == "left,reason,leads"
    data = json.loads(command("sla", "--since", "2026-12-01", "--format", "json"))
    assert data["tables"]["response"]["rows"][0]["within_sla"] == 0.5


def test_the_terminal_names_a_bad_filter_and_rebuilds_the_rounds(later):
    with pytest.raises(CommandError, match="since: not a date: '1 Dec'"):
        command("funnel", "--since", "1 Dec")
    with pytest.raises(CommandError, match="has no table 'nope'"):
        command("funnel", "--format", "csv", "--table", "nope")
    Round.objects.all().delete()
    assert command("rebuild").strip() == "5 rounds rebuilt from the history"
    assert Round.objects.count() == 5


def test_the_api_gives_each_report_as_json_and_a_table_as_csv(later, api):
    listed = api.get("/api/reports").json()
    assert [r["name"] for r in listed] == ["funnel", "sla", "follow-up", "hand-back", "commitments", "definition"]
    funnel = api.get(f"/api/reports/funnel?{PERIOD}&by=lead_type").json()
    assert funnel["filters"]["since"] == "2026-12-01"
    assert funnel["tables"]["cohorts"]["rows"][0] == pytest.approx(
        {**funnel["tables"]["cohorts"]["rows"][0], "lead_type": "demo_request", "mql": 5})
    response = api.get(f"/api/reports/hand-back/csv?{PERIOD}&table=reasons")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.decode().splitlines() == ["reason,leads", "not_ready_yet,1"]


def test_the_api_refuses_bad_filters_and_unknown_reports_naming_them(later, api):
    bad = api.get("/api/reports/funnel?since=2026-31-12")
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["msg"] == "not a date: '2026-31-12'; write YYYY-MM-DD"
    assert "since" in bad.json()["detail"][0]["loc"]
    assert api.get("/api/reports/pipeline").status_code == 404
    assert api.get(f"/api/reports/funnel?{PERIOD}&by=colour").status_code == 422


def test_a_rep_reads_their_own_figures_over_the_api(later, client):
    from leadpact.accounts.models import User

    owner = User.objects.get(pk=later.won.owner_id)
    client.force_login(owner)
    funnel = client.get(f"/api/reports/funnel?{PERIOD}").json()
    total = funnel["tables"]["cohorts"]["rows"][-1]
    assert total["mql"] == Round.objects.filter(owner=owner).count() < 5


@pytest.mark.parametrize("email", ["cy@acme.example", "raj@acme.example", "mia@acme.example", "admin@acme.example"])
def test_every_role_opens_the_report_pages_with_charts_and_csv_links(later, signed_in, email):
    client = signed_in(email)
    for name in ("funnel", "sla", "follow-up", "hand-back", "commitments", "definition"):
        page = client.get(f"/reports/{name}?{PERIOD}")
        assert page.status_code == 200, name
        assert b"table=" in page.content
    funnel = client.get(f"/reports/funnel?{PERIOD}").content.decode()
    assert "<svg" in funnel and "Where leads leave" in funnel
    download = client.get(f"/reports/funnel.csv?{PERIOD}&table=stage_times")
    assert download["Content-Type"].startswith("text/csv") and download.content.startswith(b"from,to,n,")


def test_a_report_page_says_which_filter_is_wrong(later, signed_in):
    page = signed_in("mia@acme.example").get("/reports/funnel?since=2027-02-01&until=2027-01-01")
    assert page.status_code == 422
    assert "since: 2027-02-01 is after until (2027-01-01)" in page.content.decode()


def test_the_terminal_shows_the_digest_a_person_would_get(later):
    shown = command("digest", "--to", "raj@acme.example")
    assert shown.startswith("Subject: Lead digest for") and "New MQLs" in shown
    with pytest.raises(CommandError, match="--to: no person nobody@acme.example"):
        command("digest", "--to", "nobody@acme.example")
