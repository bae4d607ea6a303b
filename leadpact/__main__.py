"""The `leadpact` command: Leadpact's own commands (Django management commands) behind one console script."""

from __future__ import annotations

import os
import sys

COMMANDS = {
    "serve": "start Leadpact: web app, API and worker in one process (SQLite and demo data by default)",
    "worker": "route waiting MQLs, fire due SLA clocks and send notifications (run several on PostgreSQL)",
    "lead": "work a lead: show, accept, reject, attempt, recycle, reassign, convert, win, lose, disqualify, queue",
    "away": "set or list out-of-office periods (routing skips people who are away)",
    "outbox": "list pending or dead-lettered notifications and retry one",
    "demo": "load the demo pact, people and a few hundred generated leads",
    "pact": "check, diff, propose, sign and list versions of the agreement",
    "report": "reports: funnel, sla, follow-up, hand-back, commitments, definition (table, CSV, JSON); rebuild",
    "advice": "train the predictive score (advice beside the pact's score) and read its suggested points",
    "backtest": "replay the recorded leads of a period under a proposed pact, beside the one in force",
    "import": "import leads from a CSV file (presets or a mapping file; dated rows record past history), or outcomes",
    "token": "create or revoke API tokens for integrations",
    "user": "add a person (rep, manager, marketing, admin) or set a password",
    "migrate": "create or update the database schema",
}


def _usage() -> str:
    lines = ["usage: leadpact COMMAND [options]    (leadpact COMMAND --help for each)", "", "commands:"]
    lines += [f"  {name:<8} {text}" for name, text in COMMANDS.items()]
    lines += ["", "Configuration comes from LEADPACT_* environment variables; see the README."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Run a command; with no command or --help, list Leadpact's own commands."""
    argv = list(sys.argv if argv is None else argv)
    if len(argv) < 2 or argv[1] in ("-h", "--help", "help"):
        print(_usage())
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadpact.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["leadpact", *argv[1:]])


if __name__ == "__main__":
    main()
