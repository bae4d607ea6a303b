"""Template filters: times in the viewer's zone, business time as a person says it, stage badges."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django import template
from django.utils.html import format_html

from leadpact.core.durations import say_business_time
from leadpact.core.lifecycle import STAGES, Stage

register = template.Library()


@register.filter
def local(instant: dt.datetime | None, user: object = None) -> str:
    """An instant in the viewer's timezone: "Mon 7 Dec 12:00 EST"."""
    if instant is None:
        return "—"
    zone = zoneinfo.ZoneInfo(getattr(user, "timezone", "") or "UTC")
    moment = instant.astimezone(zone)
    return f"{moment:%a} {moment.day} {moment:%b %Y %H:%M} {moment.tzname()}"


@register.filter
def business(seconds: int | None) -> str:
    """Seconds of business time as "3 h 20 min" ("—" for none)."""
    return "—" if seconds is None else say_business_time(seconds)


@register.filter
def calendar_words(duration: object) -> str:
    """A calendar-time duration in words ("21 days"), unlike the pact's business-time ones."""
    return duration.words(business=False) if hasattr(duration, "words") else str(duration)


@register.filter
def stage_badge(stage: str) -> str:
    info = STAGES[Stage(stage)]
    return format_html('<span class="badge stage-{}">{}</span>', info.colour, info.label)


@register.filter
def percent(share: float | None) -> str:
    return "—" if share is None else f"{share:.0%}"


@register.filter
def get(mapping: dict, key: object) -> object:
    return mapping.get(key) if mapping else None
