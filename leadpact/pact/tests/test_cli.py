from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from leadpact.pact.models import PactVersion

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_check_a_valid_file(tmp_path, example_text):
    path = tmp_path / "pact.yaml"
    path.write_text(example_text)
    assert "pact acme v3 is valid" in run("pact", "check", str(path))


def test_check_reports_every_problem_with_line_and_fix(tmp_path, example_text):
    path = tmp_path / "pact.yaml"
    path.write_text(example_text.replace("max_attempts: 8", "max_attempts: 4"))
    err = StringIO()
    with pytest.raises(CommandError, match="1 problem in"):
        call_command("pact", "check", str(path), stderr=err)
    assert "cadence.max_attempts: 4 is below min_attempts 6" in err.getvalue()


def test_propose_sign_and_list(tmp_path, example_text, people):
    path = tmp_path / "pact.yaml"
    path.write_text(example_text)
    assert "stored as version 3" in run("pact", "propose", str(path), "--by", "mia@acme.example")
    assert "waiting for the other side" in run("pact", "sign", "3", "--as", "mia@acme.example")
    assert "in force from" in run("pact", "sign", "3", "--as", "raj@acme.example")
    listing = run("pact", "list")
    assert "marketing by mia@acme.example" in listing and "* in force" in listing
    assert PactVersion.objects.get().in_force_from is not None


def test_signing_as_someone_unknown_says_how_to_add_them(signed_pact):
    with pytest.raises(CommandError, match="leadpact user add nobody@acme.example"):
        call_command("pact", "sign", "3", "--as", "nobody@acme.example")


def test_diff_of_two_files_in_words(tmp_path, example_text):
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(example_text)
    new.write_text(example_text.replace("version: 3", "version: 4").replace("accept_within: 2h", "accept_within: 3h"))
    text = run("pact", "diff", str(old), str(new))
    assert "2 business hours" in text and "3 business hours" in text


def test_signing_a_version_older_than_a_signed_one_says_what_to_do(tmp_path, example_text, signed_pact):
    path = tmp_path / "old.yaml"
    path.write_text(example_text.replace("version: 3", "version: 2"))
    run("pact", "propose", str(path))
    with pytest.raises(CommandError, match="version 3, a newer version, is already signed.*as version 4"):
        call_command("pact", "sign", "2", "--as", "mia@acme.example")
