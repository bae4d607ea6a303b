"""Durations as a pact writes them ("4h", "90m", "2d", "1d 4h") and as a person reads them."""

from __future__ import annotations

import re
from dataclasses import dataclass

_PART = re.compile(r"(\d+)\s*([dhm])")
_UNIT_SECONDS = {"h": 3600, "m": 60}


@dataclass(frozen=True, order=True)
class Duration:
    """Days kept apart from hours: in business time "1d" means one business day, not 24 hours."""

    days: int = 0
    seconds: int = 0

    @property
    def calendar_seconds(self) -> int:
        return self.days * 86400 + self.seconds

    def words(self, business: bool = True) -> str:
        """`Duration(0, 14400).words()` -> "4 business hours"."""
        kind = "business " if business else ""
        parts = []
        if self.days:
            parts.append(_plural(self.days, f"{kind}day"))
        hours, rest = divmod(self.seconds, 3600)
        if hours:
            parts.append(_plural(hours, f"{kind}hour"))
        if rest:
            parts.append(_plural(rest // 60, "minute"))
        return " ".join(parts) or "no time"

    def __str__(self) -> str:
        hours, rest = divmod(self.seconds, 3600)
        text = (f"{self.days}d " if self.days else "") + (f"{hours}h " if hours else "")
        return (text + (f"{rest // 60}m" if rest else "")).strip() or "0h"


def say_business_time(seconds: int) -> str:
    """Business time as a person says it: 12000 -> "3 h 20 min", 93600 -> "26 h", 59 -> "under a minute"."""
    minutes = abs(int(seconds)) // 60
    if not minutes:
        return "under a minute"
    hours, minutes = divmod(minutes, 60)
    return " ".join(part for part in (f"{hours} h" if hours else "", f"{minutes} min" if minutes else "") if part)


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}" + ("" if n == 1 else "s")


def parse_duration(text: object) -> Duration:
    """Parse "4h", "90m", "2d", "1d 4h" (a bare number means hours); raise ValueError with the fix."""
    if isinstance(text, bool):
        raise ValueError(f"{text!r} is not a duration; write it like 4h, 90m or 2d")
    if isinstance(text, int):
        return Duration(0, text * 3600)
    raw = str(text).strip().lower().replace(" ", "")
    if not raw or _PART.sub("", raw) or not _PART.search(raw):
        raise ValueError(f"{text!r} is not a duration; write it like 4h, 90m or 2d")
    days = seconds = 0
    for amount, unit in _PART.findall(raw):
        if unit == "d":
            days += int(amount)
        else:
            seconds += int(amount) * _UNIT_SECONDS[unit]
    return Duration(days, seconds)


def parse_percent(text: object) -> float:
    """Parse "75%" or 0.75 to a fraction; raise ValueError with the fix."""
    if isinstance(text, bool):
        raise ValueError(f"{text!r} is not a share; write it like 75%")
    if isinstance(text, (int, float)):
        value = float(text) / (100 if text > 1 else 1)
    else:
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*%\s*", str(text))
        if not match:
            raise ValueError(f"{text!r} is not a share; write it like 75%")
        value = float(match.group(1)) / 100
    if not 0 <= value <= 1:
        raise ValueError(f"{text!r} is outside 0% to 100%")
    return value
