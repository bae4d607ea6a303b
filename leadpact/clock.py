"""The current time for the faces (web app, API, CLI, worker): the real time, or a shifted one.

`LEADPACT_NOW=2026-12-07T16:55:00Z` starts the whole system at that instant, and time runs on from there, so a demo
can show a breach without waiting. The core never reads the time; services receive it from here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os

from django.utils import timezone

_offset = dt.timedelta(0)


def now() -> dt.datetime:
    return timezone.now() + _offset


def start_at(instant: dt.datetime) -> None:
    """Run the process's clock from `instant` on."""
    global _offset
    _offset = instant - timezone.now()


def reset() -> None:
    """Back to the real time."""
    global _offset
    _offset = dt.timedelta(0)


def parse_instant(text: str) -> dt.datetime:
    """An ISO 8601 instant with a zone ("2026-12-07T16:55:00Z"); raise ValueError with the fix."""
    try:
        instant = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not a time; write it like 2026-12-07T16:55:00Z") from None
    if instant.tzinfo is None:
        raise ValueError(f"{text!r} has no timezone; add Z or an offset like -05:00")
    return instant.astimezone(dt.timezone.utc)


def instant_argument(text: str) -> dt.datetime:
    """An argparse `type` for a command's --now: the instant, or a usage error saying how to write it."""
    try:
        return parse_instant(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


if os.environ.get("LEADPACT_NOW"):
    start_at(parse_instant(os.environ["LEADPACT_NOW"]))
