"""What each notification says: a subject, plain text and HTML for email, and a Slack-compatible chat payload."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

# Each notice: its subject (a format string over the context) and the sentence that opens it.
NOTICES: dict[str, tuple[str, str]] = {
    "assigned": ("New lead for you: {lead}", "{lead} is yours. Accept or reject it within {accept_left}; "
                                             "the first attempt is due within {response_left}."),
    "accept_warning": ("Accept or reject {lead}: {left} left", "The acceptance window for {lead} runs out in {left}."),
    "response_warning": ("First attempt due for {lead}: {left} left",
                         "The response SLA for {lead} runs out in {left}; log your first attempt before then."),
    "breach": ("Response SLA breached: {lead}", "{lead} had no attempt within the agreed {within}."),
    "escalation": ("Escalation: {owner} missed the response SLA on {lead}",
                   "{owner} made no attempt on {lead} within the agreed {within}."),
    "not_accepted": ("{lead} was not accepted in time", "{owner} did not accept or reject {lead} within {within}; "
                                                        "{outcome}."),
    "queued": ("Nobody can take {lead}: it waits in the {team} queue",
               "{lead} qualified but nobody in {team} can take it now ({because}). Assign it by hand or wait."),
    "rejected": ("Sales rejected {lead}: {reason}", "{owner} rejected {lead} with the reason {reason}. {note}"),
    "recycled": ("{lead} is back with marketing: {reason}",
                 "{owner} handed {lead} back to marketing ({reason}); it goes to the {track} nurture track. {note}"),
    "step_due": ("Follow-up step {step} is due: {channel} {lead}",
                 "Step {step} of the agreed follow-up ({channel}) for {lead} is due now."),
}


MAX_SUBJECT = 300  # the outbox's column, and more than any mail client shows


@dataclass
class Content:
    subject: str
    text: str
    html: str
    chat: dict[str, Any] = field(default_factory=dict)


def when(instant: dt.datetime | None, zone: str = "UTC") -> str:
    """An instant as a person reads it in their zone: "Mon 7 Dec 12:00 EST"."""
    if instant is None:
        return "—"
    local = instant.astimezone(zoneinfo.ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b %H:%M} {local.tzname()}"


def headline(notice: str, lead: Any, context: dict[str, Any]) -> tuple[str, str]:
    """The notice's subject and opening sentence about `lead` (cheap: no template)."""
    subject_format, opening = NOTICES[notice]
    words = {**context, "lead": _name(lead)}
    words.setdefault("owner", lead.owner.email if getattr(lead, "owner", None) else "nobody")
    subject = _fill(subject_format, words)
    return (subject if len(subject) <= MAX_SUBJECT else subject[: MAX_SUBJECT - 1] + "…"), _fill(opening, words).strip()


def render(notice: str, lead: Any, context: dict[str, Any]) -> Content:
    """The notice about `lead`; `context` fills the sentences and may add `facts` (label, value) to show."""
    subject, intro = headline(notice, lead, context)
    link = f"{settings.BASE_URL.rstrip('/')}/leads/{lead.pk}"
    facts = [("Company", lead.company or "—"), ("Title", lead.title or "—"), ("Email", lead.email or "—"),
             ("Phone", lead.phone or "—"), ("Lead type", lead.lead_type), ("Fit score", str(lead.fit)),
             *[tuple(fact) for fact in context.get("facts", [])]]
    page = {"subject": subject, "intro": intro, "facts": facts, "link": link}
    return Content(subject, render_to_string("notify/email.txt", page), render_to_string("notify/email.html", page),
                   _chat(subject, intro, facts, link))


def _name(lead: Any) -> str:
    name = " ".join(p for p in (lead.first_name, lead.last_name) if p) or lead.email or f"lead {lead.pk}"
    return f"{name} ({lead.company})" if lead.company else name


def _fill(template: str, words: dict[str, Any]) -> str:
    return template.format_map(_Blank(words))


def _escaped(text: str) -> str:
    """Slack's escaping of the three characters its formatting reads."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _chat(subject: str, intro: str, facts: list[tuple[str, str]], link: str) -> dict[str, Any]:
    """A payload for Slack-compatible incoming webhooks (Slack, Mattermost, Rocket.Chat, ...): text plus blocks.
    Lead data comes from public forms: it is escaped, so `<!channel>` or a disguised link stays plain text."""
    subject, intro = _escaped(subject), _escaped(intro)
    lines = "\n".join(f"*{label}:* {_escaped(str(value))}" for label, value in facts[:8])
    return {"text": f"{subject} — {link}", "blocks": [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{subject}*\n{intro}"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": lines}},
        {"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Open the lead"},
                                          "url": link}]},
    ]}
