from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from leadpact.core.lifecycle import Actor, Role
from leadpact.leads.csv_import import MappingInvalid, import_leads, load_mapping, preset
from leadpact.leads.models import Lead

pytestmark = pytest.mark.django_db
ACTOR = Actor("import:test", Role.MARKETING)
ROOT = Path(__file__).resolve().parents[3]
X_EDUCATION = ROOT.parent / "shared" / "datasets" / "x_education_leads" / "Leads.csv"


def csv_text(rows: list[dict]) -> io.StringIO:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    out.seek(0)
    return out


SALESFORCE_ROWS = [
    {"Lead ID": "00Q1", "First Name": "Ann", "Last Name": "Lee", "Email": "ann@globex.com", "Company": "Globex",
     "No. of Employees": "1,200", "Country": "Germany", "Lead Source": "Web", "Lead Status": "Open"},
    {"Lead ID": "00Q2", "First Name": "Bo", "Last Name": "Ng", "Email": "bo@", "Company": "Initech",
     "No. of Employees": "", "Country": "", "Lead Source": "Partner", "Lead Status": "Open"},
    {"Lead ID": "00Q3", "First Name": "Ann", "Last Name": "Lee", "Email": "ANN@globex.com", "Company": "Globex AG",
     "No. of Employees": "1,200", "Country": "DE", "Lead Source": "Trade Show", "Lead Status": "Working"},
]


def test_a_salesforce_export_imports_with_a_summary_and_rejects(signed_pact):
    rejects = io.StringIO()
    summary = import_leads(csv_text(SALESFORCE_ROWS), preset("salesforce"), actor=ACTOR, now=timezone.now,
                           rejects=rejects, batch_size=2)
    assert (summary.rows, summary.created, summary.merged, summary.rejected) == (3, 1, 1, 1)
    lead = Lead.objects.get(email="ann@globex.com")
    assert (lead.company, lead.employees, lead.country, lead.source) == ("Globex AG", 1200, "DE", "Web")
    assert lead.custom["salesforce_status"] == "Working"
    assert lead.external_id == "00Q3"
    rejected = list(csv.DictReader(io.StringIO(rejects.getvalue())))
    assert rejected[0]["Email"] == "bo@" and rejected[0]["_line"] == "3" and "email:" in rejected[0]["_errors"]
    assert summary.reasons == {rejected[0]["_errors"]: 1}


def test_a_hubspot_export_imports_with_its_preset(signed_pact):
    rows = [{"Record ID": "501", "First Name": "Cy", "Email": "cy@hooli.com", "Company Name": "Hooli",
             "Number of Employees": "250", "Country/Region": "United States", "Original Source": "ORGANIC_SEARCH",
             "Job Title": "VP Engineering"}]
    summary = import_leads(csv_text(rows), preset("hubspot"), actor=ACTOR, now=timezone.now)
    lead = Lead.objects.get()
    assert summary.created == 1
    assert (lead.external_id, lead.country, lead.title, lead.source) == ("501", "US", "VP Engineering",
                                                                         "ORGANIC_SEARCH")


def test_importing_the_same_file_twice_creates_nothing_new(signed_pact):
    first = import_leads(csv_text(SALESFORCE_ROWS), preset("salesforce"), actor=ACTOR, now=timezone.now)
    after_first = Lead.objects.values().get()
    again = import_leads(csv_text(SALESFORCE_ROWS), preset("salesforce"), actor=ACTOR, now=timezone.now)
    assert first.created == 1 and again.created == 0
    assert Lead.objects.count() == 1
    unchanged = ("email", "external_id", "company", "employees", "country", "source", "custom", "stage")
    assert {k: v for k, v in Lead.objects.values().get().items() if k in unchanged} == {
        k: v for k, v in after_first.items() if k in unchanged}


def test_a_row_imported_again_is_a_repeat_while_the_lead_still_holds_it(signed_pact):
    rows = SALESFORCE_ROWS[:2]
    import_leads(csv_text(rows), preset("salesforce"), actor=ACTOR, now=timezone.now)
    again = import_leads(csv_text(rows), preset("salesforce"), actor=ACTOR, now=timezone.now)
    assert (again.created, again.merged, again.duplicate, again.rejected) == (0, 0, 1, 1)


def test_mapping_files_are_checked_with_a_fix():
    with pytest.raises(MappingInvalid, match="'emial' is not a lead field; did you mean 'email'"):
        load_mapping("columns: {Mail: emial}")
    with pytest.raises(MappingInvalid, match="give `columns:`"):
        load_mapping("constants: {lead_type: demo_request}")
    with pytest.raises(MappingInvalid, match="not one of number"):
        load_mapping("columns: {Visits: custom.visits}\ntypes: {custom.visits: float}")


def test_a_file_that_matches_no_column_is_refused(signed_pact):
    with pytest.raises(MappingInvalid, match="none of the mapping's columns"):
        import_leads(csv_text([{"foo": "1"}]), preset("salesforce"), actor=ACTOR, now=timezone.now)


def test_values_types_and_missing_markers():
    mapping = load_mapping("""
columns: {Origin: lead_type, Visits: custom.visits, Opt out: custom.opt_out, City: custom.city}
values: {lead_type: {Lead Add Form: demo_request}}
types: {custom.visits: number, custom.opt_out: bool}
missing: ["", Select]
""")
    row = mapping.row({"Origin": "Lead Add Form", "Visits": "5.0", "Opt out": "No", "City": "Select"})
    assert row == {"lead_type": "demo_request", "custom": {"visits": 5, "opt_out": False}}


def test_the_x_education_file_imports_through_the_command(tmp_path, people):
    from leadpact.pact.services import pact_propose, pact_sign

    text = (ROOT / "examples" / "x_education" / "pact.yaml").read_text()
    version, _ = pact_propose(text)
    pact_sign(version, people["marketing"], timezone.now())
    pact_sign(version, people["manager"], timezone.now())
    out = io.StringIO()
    call_command("import", "leads", str(X_EDUCATION), "--mapping", str(ROOT / "examples/x_education/mapping.yaml"),
                 "--rejects", str(tmp_path / "rejects.csv"), stdout=out)
    assert "9240 rows: 9240 created" in out.getvalue()
    assert Lead.objects.count() == 9240
    professional = Lead.objects.filter(custom__occupation="Working Professional").first()
    assert professional.fit >= 30 and professional.stage == "mql"
    assert not (tmp_path / "rejects.csv").exists()


def test_the_command_names_a_missing_file():
    with pytest.raises(CommandError, match="no file at"):
        call_command("import", "leads", "/nonexistent.csv")


def test_a_cell_the_database_cannot_hold_is_a_rejected_row_and_the_import_goes_on(signed_pact):
    ann = {**SALESFORCE_ROWS[0], "Annual Revenue": "5000000"}
    rows = [{**ann, "No. of Employees": "99999999999999999999"},
            {**ann, "Email": "cy@initech.com", "Lead ID": "00Q4", "Company": "Init\u0000ech"},
            {**ann, "Email": "dee@hooli.com", "Lead ID": "00Q5", "Annual Revenue": "1e400"},
            {**ann, "Email": "eli@hooli.com", "Lead ID": "00Q6", "No. of Employees": "250.0"}]
    rejects = io.StringIO()
    summary = import_leads(csv_text(rows), preset("salesforce"), actor=ACTOR, now=timezone.now, rejects=rejects)
    assert (summary.created, summary.rejected) == (2, 2)
    errors = [row["_errors"] for row in csv.DictReader(io.StringIO(rejects.getvalue()))]
    assert "at most 10,000,000" in errors[0] and "\\u0000" in errors[1]
    assert Lead.objects.get(email="dee@hooli.com").custom["annual_revenue"] == "1e400"
    assert Lead.objects.get(email="eli@hooli.com").employees == 250


def test_a_custom_constant_goes_under_custom():
    mapping = load_mapping("columns: {Mail: email}\nconstants: {lead_type: demo_request, custom.batch: spring}")
    assert mapping.row({"Mail": "a@b.com"}) == {"email": "a@b.com", "lead_type": "demo_request",
                                                "custom": {"batch": "spring"}}


def test_rejects_go_to_the_current_directory_by_default_and_the_command_says_where(signed_pact, tmp_path,
                                                                                   monkeypatch):
    data, work = tmp_path / "dataset", tmp_path / "work"
    data.mkdir()
    work.mkdir()
    source = data / "leads.csv"
    source.write_text(csv_text(SALESFORCE_ROWS).getvalue())
    data.chmod(0o555)  # a read-only data set
    monkeypatch.chdir(work)
    out = io.StringIO()
    try:
        call_command("import", "leads", str(source), stdout=out)
    finally:
        data.chmod(0o755)
    (written,) = work.glob("rejects-leads-*.csv")
    assert f"written to {written}" in out.getvalue()
    assert "bo@" in written.read_text() and sorted(p.name for p in data.iterdir()) == ["leads.csv"]


def test_the_mapping_help_points_at_its_documentation():
    from django.core.management import load_command_class

    parser = load_command_class("leadpact.leads", "import").create_parser("leadpact", "import")
    help_text = parser._subparsers._group_actions[0].choices["leads"].format_help()
    assert "docs/import-mapping.md" in help_text
    assert (ROOT / "docs" / "import-mapping.md").is_file()
