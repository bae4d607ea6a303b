"""Salesforce Web-to-Lead form fields mapped to Leadpact's, so an existing form only changes its action URL."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# Salesforce Web-to-Lead field name -> Leadpact field.
SALESFORCE_FIELDS = {
    "first_name": "first_name", "last_name": "last_name", "email": "email", "company": "company",
    "title": "title", "phone": "phone", "mobile": "custom.mobile", "fax": "custom.fax", "URL": "website",
    "url": "website", "website": "website", "employees": "employees", "industry": "industry",
    "country": "country", "country_code": "country", "state": "state", "state_code": "state", "city": "custom.city",
    "street": "custom.street", "zip": "custom.zip", "description": "custom.description",
    "lead_source": "source", "Campaign_ID": "campaign", "campaign": "campaign", "medium": "medium",
    "rating": "custom.rating", "revenue": "custom.revenue", "salutation": "custom.salutation",
    "lead_type": "lead_type", "idempotency_key": "idempotency_key",
}
# Campaign tags on the form's page, kept as attribution when the form does not set it itself.
UTM_FIELDS = {"utm_source": "source", "utm_medium": "medium", "utm_campaign": "campaign"}
# Salesforce plumbing and our honeypot: never stored as lead data.
IGNORED = {"oid", "retURL", "debug", "debugEmail", "encoding", "submit", "recordType", "member_status",
           "g-recaptcha-response", "captcha_settings", "csrfmiddlewaretoken"}
HONEYPOT = "lp_hp"
_CUSTOM_ID = re.compile(r"^00N[0-9A-Za-z]{12,15}$")


def form_to_lead(form: Mapping[str, str]) -> dict[str, Any]:
    """Map a posted form to an intake row; Salesforce custom fields (00N..., their case kept: the ids are
    case-sensitive) and other extras go under custom; utm_* tags fill source, medium and campaign when not given."""
    row: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for key, value in form.items():
        if key in IGNORED or key == HONEYPOT or value in (None, ""):
            continue
        target = SALESFORCE_FIELDS.get(key)
        if target is None and key not in UTM_FIELDS:
            custom[_custom_name(key)] = value
        elif target is not None and target.startswith("custom."):
            custom[target.removeprefix("custom.")] = value
        elif target is not None:
            row[target] = value
    for key, target in UTM_FIELDS.items():
        if form.get(key) and not row.get(target):
            row[target] = form[key]
        elif form.get(key):
            custom[key] = form[key]
    if custom:
        row["custom"] = custom
    return row


def _custom_name(key: str) -> str:
    if _CUSTOM_ID.match(key):
        return f"sf_{key}"
    name = re.sub(r"[^a-z0-9_]", "_", key.lower())
    return name if name[:1].isalpha() else f"f_{name}"


def is_bot(form: Mapping[str, str]) -> bool:
    """A person never fills the hidden honeypot field; a bot filling every input does."""
    return bool(form.get(HONEYPOT, "").strip())
