"""Olist's real seller-acquisition funnel, taken in through Leadpact's own import, against pandas on the raw files."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import call_command

from leadpact.insights.filters import Filters
from leadpact.insights.reports import run

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT.parent / "shared" / "datasets" / "olist_marketing_funnel"
MQLS, DEALS = DATA / "olist_marketing_qualified_leads_dataset.csv", DATA / "olist_closed_deals_dataset.csv"
UTC = dt.timezone.utc


@pytest.fixture(scope="module")
def expected() -> dict:
    """The figures, computed with pandas from the files alone."""
    mqls, deals = pd.read_csv(MQLS), pd.read_csv(DEALS)
    both = mqls.merge(deals[["mql_id", "won_date"]], on="mql_id", how="left")
    both["won"] = both["won_date"].notna()
    both["origin"] = both["origin"].fillna("(none)")
    days = (pd.to_datetime(both["won_date"]) - pd.to_datetime(both["first_contact_date"])).dt.total_seconds() / 86400
    days = days[both["won"]].clip(lower=0)  # one deal is dated two days before its first contact: it counts as 0
    return {"mqls": len(mqls), "won": int(both["won"].sum()), "rate": both["won"].mean(),
            "by_origin": both.groupby("origin")["won"].agg(["size", "sum"]),
            "by_page": both.groupby("landing_page_id")["won"].agg(["size", "sum"]),
            "by_month": both.groupby(both["first_contact_date"].str[:7])["won"].agg(["size", "sum"]),
            "days_median": days.median(), "days_mean": days.mean()}


@pytest.fixture
def olist(db, people, tmp_path):
    from leadpact.pact.services import pact_propose, pact_sign

    version, _ = pact_propose((ROOT / "examples" / "olist" / "pact.yaml").read_text(),
                              proposed_by=people["marketing"])
    for person in (people["marketing"], people["manager"]):
        pact_sign(version, person, dt.datetime(2017, 1, 1, 12, tzinfo=UTC))
    out = io.StringIO()
    call_command("import", "leads", str(MQLS), "--mapping", str(ROOT / "examples/olist/mqls.yaml"),
                 "--rejects", str(tmp_path / "rejects.csv"), stdout=out)
    call_command("import", "outcomes", str(DEALS), "--mapping", str(ROOT / "examples/olist/deals.yaml"),
                 "--rejects", str(tmp_path / "outcome-rejects.csv"), stdout=out)
    return out.getvalue()


def report(by: str):
    filters = Filters.parse({"since": "2017-06-01", "until": "2018-06-30"}, dt.date(2026, 11, 25))
    return run("funnel", filters, dt.datetime(2026, 11, 25, tzinfo=UTC), by=by)


def test_the_olist_funnel_and_conversion_by_origin_and_landing_page_equal_pandas(olist, expected):
    assert "8000 rows: 8000 created" in olist
    assert "842 outcomes recorded (1 with a date moved), 0 rejected" in olist
    by_month = report("month")
    total = by_month.table("cohorts").rows[-1]
    assert (total["mql"], total["won"]) == (expected["mqls"], expected["won"]) == (8000, 842)
    assert total["mql_to_won"] == pytest.approx(expected["rate"]) and round(total["mql_to_won"] * 100, 2) == 10.53
    months = {row["month"]: (row["mql"], row["won"]) for row in by_month.table("cohorts").rows[:-1]}
    assert months == {month: (int(n), int(won)) for month, (n, won) in expected["by_month"].iterrows()}
    [to_won] = [row for row in by_month.table("stage_times").rows if (row["from"], row["to"]) == ("MQL", "won")]
    assert to_won["n"] == 842
    assert to_won["median"] == pytest.approx(expected["days_median"], abs=1e-6)
    assert to_won["mean"] == pytest.approx(expected["days_mean"], abs=1e-6)
    for by, key in (("source", "by_origin"), ("campaign", "by_page")):  # origins; landing pages (495)
        rows = {row[by]: row for row in report(by).table("cohorts").rows if row[by] != "all"}
        assert {name: (row["mql"], row["won"]) for name, row in rows.items()} == {
            name: (int(n), int(won)) for name, (n, won) in expected[key].iterrows()}
    assert report("source").table("cohorts").rows[-1]["mql"] == 8000
    social = next(row for row in report("source").table("cohorts").rows if row["source"] == "social")
    assert social["mql_to_won"] == pytest.approx(0.0556, abs=1e-4)  # PUBLISHED.md: 5.5 %
