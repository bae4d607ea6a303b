from __future__ import annotations

import pytest

from leadpact.leads.models import Lead, Signal

pytestmark = pytest.mark.django_db


def post(client, path, body):
    return client.post(path, body, content_type="application/json")


def test_post_a_lead_returns_201_and_its_stage(api, signed_pact):
    response = post(api, "/api/leads", {"email": "Ann@Globex.com", "company": "Globex", "lead_type": "demo_request"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "created" and body["stage"] == "mql"
    assert Lead.objects.get(pk=body["lead_id"]).email == "ann@globex.com"


def test_a_repeat_returns_200_duplicate(api, signed_pact):
    body = {"email": "ann@globex.com", "idempotency_key": "k1"}
    first, again = post(api, "/api/leads", body), post(api, "/api/leads", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["status"] == "duplicate" and again.json()["lead_id"] == first.json()["lead_id"]


def test_bad_input_is_a_422_naming_each_field(api, signed_pact):
    response = post(api, "/api/leads", {"email": "ann@", "employees": "lots", "lead_type": "fax"})
    assert response.status_code == 422
    fields = {tuple(d["loc"]): d["msg"] for d in response.json()["detail"]}
    assert set(fields) == {("body", "email"), ("body", "employees"), ("body", "lead_type")}
    assert not Lead.objects.exists()


def test_a_batch_reports_bad_rows_by_index(api, signed_pact):
    rows = [{"email": "a@globex.com"}, {"email": "nope"}, {"email": "b@globex.com", "unknown": 1}]
    response = post(api, "/api/leads/batch", {"leads": rows})
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["rejected"]) == (1, 2)
    assert [r["index"] for r in body["results"] if r["status"] == "rejected"] == [1, 2]
    assert "unknown field" in body["results"][2]["errors"]["unknown"]


def test_a_batch_of_more_than_1000_is_refused(api, signed_pact):
    response = post(api, "/api/leads/batch", {"leads": [{"email": f"a{i}@b.com"} for i in range(1001)]})
    assert response.status_code == 422


def test_signals_batch(api, signed_pact):
    post(api, "/api/leads", {"email": "ann@globex.com", "company": "Globex"})
    response = post(api, "/api/signals", {"signals": [{"email": "ann@globex.com", "signal": "webinar_attended"},
                                                      {"email": "x@y.com", "signal": "webinar_attended"}]})
    assert response.status_code == 200
    assert (response.json()["recorded"], response.json()["rejected"]) == (1, 1)
    assert Signal.objects.count() == 1


def test_lead_detail_shows_reasons_and_history(api, signed_pact):
    lead_id = post(api, "/api/leads", {"email": "ann@globex.com", "company": "Globex", "employees": 900,
                                       "lead_type": "demo_request"}).json()["lead_id"]
    body = api.get(f"/api/leads/{lead_id}").json()
    assert body["fit"] == 15 and body["reasons"][0]["why"] == "company size in our ICP"
    assert [e["to_stage"] for e in body["history"]] == ["inquiry", "mql"]
    assert all(e["pact_version"] == 3 for e in body["history"])


def test_an_illegal_transition_is_a_409_saying_what_is_allowed(api, signed_pact):
    lead_id = post(api, "/api/leads", {"email": "ann@globex.com", "company": "Globex"}).json()["lead_id"]
    response = post(api, f"/api/leads/{lead_id}/transitions", {"transition": "win"})
    assert response.status_code == 409 and "from here it can" in response.json()["detail"]


def test_no_token_no_access(client, signed_pact):
    assert post(client, "/api/leads", {"email": "a@b.com"}).status_code == 401


def test_a_rep_token_may_not_send_leads(people, signed_pact):
    from django.test import Client

    from leadpact.accounts.services import token_create

    _, raw = token_create(people["rep"], "rep")
    rep = Client(headers={"Authorization": f"Bearer {raw}"})
    assert post(rep, "/api/leads", {"email": "a@b.com"}).status_code == 403


def test_no_pact_in_force_is_a_503(api):
    assert post(api, "/api/leads", {"email": "a@b.com"}).status_code == 503


def test_the_openapi_document_lists_the_endpoints(client):
    schema = client.get("/api/openapi.json").json()
    assert {"/api/leads", "/api/leads/batch", "/api/signals", "/api/pact/versions/{number}/sign"} <= set(schema["paths"])
    assert "employees" in str(schema["components"]["schemas"]["LeadIn"])
    assert client.get("/api/docs").status_code == 200


@pytest.mark.parametrize("body,field", [({"employees": 99999999999}, "employees"), ({"employees": 1e20}, "employees"),
                                        ({"title": "VP\u0000Sales"}, "title"), ({"custom": {"n": 10**30}}, "custom")])
def test_a_value_the_database_cannot_hold_is_a_422_naming_the_field(api, signed_pact, body, field):
    response = post(api, "/api/leads", {"email": "ann@globex.com", **body})
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][:2] == ["body", field]
    assert not Lead.objects.exists()


def test_a_key_used_again_for_other_content_is_a_409_and_in_a_batch_a_rejected_row(api, signed_pact):
    post(api, "/api/leads", {"email": "a@globex.com", "idempotency_key": "k1"})
    response = post(api, "/api/leads", {"email": "b@globex.com", "idempotency_key": "k1"})
    assert response.status_code == 409
    assert response.json()["detail"] == "idempotency_key k1 was used for another submission; use a new key"
    batch = post(api, "/api/leads/batch", {"leads": [{"email": "b@globex.com", "idempotency_key": "k1"},
                                                     {"email": "c@globex.com"}]}).json()
    assert (batch["rejected"], batch["created"]) == (1, 1)
    assert not Lead.objects.filter(email="b@globex.com").exists()


def test_a_row_that_is_not_an_object_is_reported_by_index_and_the_rest_go_in(api, signed_pact):
    response = post(api, "/api/leads/batch", {"leads": [{"email": "a@globex.com"}, 5, "b@globex.com"]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert [r["status"] for r in body["results"]] == ["created", "rejected", "rejected"]
    assert body["results"][1]["errors"]["row"].startswith("give an object")


def test_a_bad_signal_row_is_reported_by_index_and_the_rest_are_recorded(api, signed_pact):
    post(api, "/api/leads", {"email": "ann@globex.com", "company": "Globex"})
    rows = [{"email": "ann@globex.com", "signal": "webinar_attended"}, {"email": 5, "signal": "x"},
            {"email": "ann@globex.com", "signal": "email_click", "at": "yesterday"}, 7,
            {"email": "ann@globex.com", "signal": "email_click", "properties": {"q": "a\u0000"}}]
    response = post(api, "/api/signals", {"signals": rows})
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["recorded", "rejected", "rejected", "rejected", "rejected"]
    assert "not an email address" in results[1]["errors"]["email"] and "not a time" in results[2]["errors"]["at"]
    assert "give an object" in results[3]["errors"]["row"] and "\\u0000" in results[4]["errors"]["properties"]
    assert Signal.objects.count() == 1


@pytest.mark.parametrize("query,name", [("offset=-1", "offset"), ("limit=0", "limit"), ("limit=1001", "limit"),
                                        ("limit=many", "limit")])
def test_a_page_out_of_range_is_a_422_naming_the_parameter(api, signed_pact, query, name):
    response = api.get(f"/api/leads?{query}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", name]


def test_the_openapi_document_declares_the_errors_and_the_default_lead_type(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"201", "200", "403", "409", "422", "503"} <= set(paths["/api/leads"]["post"]["responses"])
    assert {"200", "403", "422", "503"} <= set(paths["/api/leads/batch"]["post"]["responses"])
    assert {"200", "403", "422", "503"} <= set(paths["/api/signals"]["post"]["responses"])
    assert "422" in paths["/api/leads"]["get"]["responses"]
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]["LeadIn"]
    assert "default: true" in schema["properties"]["lead_type"]["description"]
    assert "first one" not in schema["properties"]["lead_type"]["description"]
