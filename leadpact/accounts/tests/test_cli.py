from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from leadpact.accounts.models import ApiToken, User

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_add_a_person_and_give_them_a_token_that_works(signed_pact):
    assert "added ann@acme.example as marketing" in run("user", "add", "Ann@Acme.example", "--role", "marketing",
                                                        "--name", "Ann Lee", "--password", "long-enough-1")
    raw = run("token", "create", "ann@acme.example", "--name", "forms").strip()
    assert raw.startswith("lp_") and not ApiToken.objects.filter(digest=raw).exists()  # only the hash is stored
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert client.post("/api/leads", {"email": "x@globex.com"}, content_type="application/json").status_code == 201
    prefix = raw[:10]
    assert "revoked" in run("token", "revoke", prefix)
    assert client.post("/api/leads", {"email": "y@globex.com"}, content_type="application/json").status_code == 401


def test_adding_the_same_person_twice_is_an_error():
    run("user", "add", "ann@acme.example", "--role", "rep", "--password", "long-enough-1")
    with pytest.raises(CommandError, match="already has an account"):
        call_command("user", "add", "ann@acme.example", "--role", "rep", "--password", "long-enough-1")


def test_set_a_password():
    run("user", "add", "ann@acme.example", "--role", "rep", "--password", "long-enough-1")
    run("user", "password", "ann@acme.example", "--password", "another-one-2")
    assert User.objects.get().check_password("another-one-2")


def test_the_leadpact_command_lists_its_own_commands(capsys):
    from leadpact.__main__ import main

    main(["leadpact", "--help"])
    out = capsys.readouterr().out
    assert all(name in out for name in ("serve", "demo", "pact", "import", "token", "user"))
