"""What a report is about: the period and the slice of leads, read the same way from the CLI, the API and the pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from django.db.models import Q

from leadpact.accounts.models import User
from leadpact.accounts.permissions import lead_scope
from leadpact.core.errors import FieldErrors
from leadpact.leads.rounds import report_zone

# Filter name -> what it says, for --help, the API document and the pages.
FILTERS = {
    "since": "first day of the period (YYYY-MM-DD); default: the first day of the month a year ago",
    "until": "last day of the period, included (YYYY-MM-DD); default: today",
    "team": "one team of the pact",
    "owner": "one person's email",
    "source": "lead source, as stored",
    "campaign": "campaign, as stored",
    "lead_type": "one lead type of the pact",
    "pact_version": "the pact version the leads qualified under (a number)",
    "as_of": "read the history as it stood at the end of this day (YYYY-MM-DD); default: now",
}


@dataclass(frozen=True)
class Filters:
    since: dt.date
    until: dt.date
    team: str = ""
    owner: str = ""
    source: str = ""
    campaign: str = ""
    lead_type: str = ""
    pact_version: int | None = None
    as_of: dt.datetime | None = None
    scope: Q | None = None  # what the reader may see, on a table with team and owner columns

    @classmethod
    def parse(cls, values: Mapping[str, Any], today: dt.date) -> Filters:
        """Read filters from text (query parameters, CLI options); every bad one is named with its fix."""
        errors: dict[str, str] = {}
        unknown = set(values) - set(FILTERS)
        if unknown:
            errors[sorted(unknown)[0]] = f"not a report filter; known: {', '.join(FILTERS)}"

        def day(name: str, default: dt.date) -> dt.date:
            text = str(values.get(name) or "").strip()
            if not text:
                return default
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                errors[name] = f"not a date: {text!r}; write YYYY-MM-DD"
                return default

        since = day("since", dt.date(today.year - 1, today.month, 1))
        until = day("until", today)
        as_of = day("as_of", today) if values.get("as_of") else None
        if since > until:
            errors["since"] = f"{since} is after until ({until}); give a period that starts before it ends"
        version = str(values.get("pact_version") or "").strip()
        if version and not version.isdigit():
            errors["pact_version"] = f"not a version number: {version!r}"
        text = {name: str(values.get(name) or "").strip() for name in ("team", "owner", "source", "campaign",
                                                                       "lead_type")}
        if errors:
            raise FieldErrors(errors)
        return cls(since, until, **text, pact_version=int(version) if version else None,
                   as_of=end_of(as_of) if as_of else None)

    def seen_by(self, user: User, now: dt.datetime) -> Filters:
        """The same filters narrowed to what `user` may see (a rep: their own leads; a manager: their teams')."""
        return replace(self, scope=lead_scope(user, now))

    @property
    def start(self) -> dt.datetime:
        return start_of(self.since)

    @property
    def end(self) -> dt.datetime:
        """The end of the period (exclusive), never later than the instant the history is read at."""
        end = end_of(self.until)
        return min(end, self.as_of) if self.as_of else end

    def described(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "scope" and getattr(self, f.name)}
        return {name: value.isoformat() if hasattr(value, "isoformat") else value for name, value in out.items()}


def report_today(now: dt.datetime) -> dt.date:
    """The day `now` falls on where the reports count their days."""
    return now.astimezone(report_zone()).date()


def start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), report_zone()).astimezone(dt.timezone.utc)


def end_of(day: dt.date) -> dt.datetime:
    return start_of(day + dt.timedelta(days=1))
