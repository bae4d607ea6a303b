"""The predictive score, trained on recorded outcomes, shown as advice, and its suggestion taken into a proposal."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from leadpact.core.errors import FieldErrors
from leadpact.core.lifecycle import Actor, Role
from leadpact.core.pact_loader import check_pact
from leadpact.handoff.outcomes import outcomes_record
from leadpact.handoff.tests.helpers import ny
from leadpact.insights.advice import advice_for, advice_train
from leadpact.leads.models import Lead
from leadpact.leads.services import leads_intake

pytestmark = pytest.mark.django_db
IMPORT = Actor("import:crm", Role.ADMIN)
NOW = ny(2027, 3, 1, 9)


@pytest.fixture
def outcomes(pact):
    """120 past demo requests: 80% of the leads from partners were won, 20% of those from ads."""
    rows = [{"external_id": f"L{i}", "company": f"Co {i}", "email": f"p{i}@co{i}.example", "lead_type": "demo_request",
             "source": "partner" if i % 2 == 0 else "ads", "country": "US"} for i in range(120)]
    leads_intake(rows, actor=IMPORT, now=ny(2026, 12, 1, 10), history=True)
    won = [r["external_id"] for i, r in enumerate(rows) if (i % 2 == 0) != (i % 10 in (0, 5))]
    results = outcomes_record([{"external_id": key, "won_at": "2026-12-20"} if key in won else
                               {"external_id": key, "lost_at": "2026-12-20", "lost_reason": "price"}
                               for key in (r["external_id"] for r in rows)], actor=IMPORT)
    assert {r.status for r in results} == {"recorded"}
    return rows


def test_advice_learns_from_the_recorded_outcomes_and_suggests_the_rule_that_carries(outcomes):
    model = advice_train(NOW)
    assert (model.leads, model.won) == (120, 60)
    assert 0.75 < model.auc <= 0.8 + 1e-9  # the source alone tells 80% of the outcomes: AUC 0.8 at best
    assert any("partner" in factor for factor in model.factors)
    assert "source == 'partner'" in model.suggestion or "source == 'ads'" in model.suggestion
    partner, ads = Lead.objects.get(external_id="L2"), Lead.objects.get(external_id="L3")
    assert advice_for(partner).probability > 0.7 > 0.3 > advice_for(ads).probability
    assert advice_for(partner).factors


def test_advice_needs_enough_settled_leads(pact):
    with pytest.raises(FieldErrors, match="advice needs at least 50"):
        advice_train(NOW)


def test_the_lead_page_shows_the_advice_and_the_suggestion_starts_a_proposal(outcomes, client, people, clock_at):
    clock_at(NOW)
    client.force_login(people["admin"])
    assert b"No model yet" in client.get("/advice").content
    assert client.post("/advice/train", {"model": "logistic"}).status_code == 302
    page = client.get("/advice").content.decode()
    assert "Cross-validated ROC AUC" in page and "Start a proposal with these points" in page
    lead = Lead.objects.get(external_id="L2")
    assert "likely to be won" in client.get(f"/leads/{lead.pk}").content.decode()
    proposal = client.get("/pact/propose?from=advice").content.decode()
    assert "version: 4" in proposal and "fit &gt;=" in proposal
    client.force_login(people["rep"])
    assert client.get("/advice").status_code == 403


def test_the_command_trains_and_writes_the_suggestion_into_a_pact_file_to_propose(outcomes, tmp_path, clock_at):
    clock_at(NOW)
    with pytest.raises(CommandError, match="no model has been trained yet"):
        call_command("advice", "suggest")
    out = io.StringIO()
    call_command("advice", "train", stdout=out)
    assert "Trained a logistic model on 120 settled leads (60 won): ROC AUC" in out.getvalue()
    path = tmp_path / "v4.yaml"
    call_command("advice", "suggest", "--out", str(path), stdout=io.StringIO())
    text = path.read_text()
    assert text.startswith("pact: acme\nversion: 4\n") and "mql_when: fit >=" in text
    assert check_pact(text) == []


def test_signals_count_up_to_the_outcome_and_do_not_stop_the_suggestion(outcomes):
    from leadpact.insights.advice import training_set
    from leadpact.leads.models import Signal

    lead = Lead.objects.get(external_id="L0")
    for at in (ny(2026, 12, 5, 10), ny(2026, 12, 6, 10), ny(2027, 1, 5, 10)):  # the last after its outcome
        Signal.objects.create(lead=lead, name="webinar_attended", at=at)
    rows, _, ids = training_set()
    assert rows[ids.index(lead.pk)]["signals.webinar_attended"] == 2
    model = advice_train(NOW)
    assert "signals." not in model.suggestion


def test_a_model_not_sealed_by_this_installation_is_never_loaded(outcomes, client, people):
    from leadpact.insights.advice import _advisor
    from leadpact.insights.models import ScoreModel

    model = advice_train(NOW)
    ScoreModel.objects.filter(pk=model.pk).update(blob=b"x" * 32 + bytes(model.blob)[32:])
    _advisor.cache_clear()
    lead = Lead.objects.get(external_id="L2")
    with pytest.raises(ValueError, match="not written by this installation"):
        advice_for(lead)
    client.force_login(people["admin"])
    page = client.get(f"/leads/{lead.pk}")
    assert page.status_code == 200 and b"likely to be won" not in page.content
    _advisor.cache_clear()
