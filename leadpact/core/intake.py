"""Validate and normalise incoming lead data, and merge a new submission into a known lead."""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import orjson

from leadpact.core.countries import country_code
from leadpact.core.errors import FieldErrors
from leadpact.core.fields import CONTACT_FIELDS, FREE_MAIL_DOMAINS

_EMAIL = re.compile(r"^[^@\s,;<>()\[\]\"]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")
_DOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")
_CUSTOM_KEY = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_HOST = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:[^@/?#]*@)?([^:/?#\s]+)", re.IGNORECASE)
_EXTRA_SPACE = re.compile(r"\s\s|[\t\n\r\f\v]")
_DIGIT = re.compile(r"\d")
_NOT_PHONE = re.compile(r"[^\d\s()+./x-]")
_SEPARATORS = re.compile(r"[,. ]")
_EMPLOYEES = re.compile(r"^\s*(\d[\d,. ]*)\s*(?:[-–]\s*\d[\d,. ]*|\+)?\s*$")
# First touch wins for attribution: a later submission never overwrites these.
FIRST_TOUCH = ("source", "campaign", "medium")
MAX_TEXT = 255
MAX_CUSTOM = 100
ACCEPTED_KEYS = set(CONTACT_FIELDS) | {"custom", "idempotency_key"}


@dataclass
class CleanLead:
    """A submission after validation: contact fields, custom fields, its idempotency key and any warnings."""

    fields: dict[str, Any]
    custom: dict[str, Any]
    idempotency_key: str
    warnings: list[str] = field(default_factory=list)


def normalise_lead(raw: Mapping[str, Any], lead_types: Collection[str]) -> CleanLead:
    """Check every field and normalise it; raise FieldErrors naming each bad field and its fix.
    A missing lead_type stays missing here: a new lead gets the pact's first type, a known lead keeps its own."""
    errors: dict[str, str] = {}
    for key in raw:
        if key not in ACCEPTED_KEYS:
            near = difflib.get_close_matches(key, ACCEPTED_KEYS, n=1)
            errors[key] = f"unknown field; {'did you mean ' + repr(near[0]) + '? ' if near else ''}put free fields under custom"
    fields: dict[str, Any] = {}
    warnings: list[str] = []
    for name in CONTACT_FIELDS:
        value = raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            fields[name] = _CLEANERS.get(name, _text)(value)
        except ValueError as err:
            errors[name] = str(err)
    custom = _custom(raw.get("custom"), errors)
    _fill_derived(fields, custom, warnings)
    if fields.get("lead_type", next(iter(lead_types), None)) not in lead_types:
        errors["lead_type"] = f"{fields['lead_type']!r} is not a lead type of the pact in force; one of: {', '.join(lead_types)}"
    if not fields.get("email") and not fields.get("external_id") and "email" not in errors:
        errors["email"] = "required: give the lead's email address (or an external_id for records without one)"
    key = raw.get("idempotency_key")
    if key is not None and (not isinstance(key, str) or not 0 < len(key) <= 200):
        errors["idempotency_key"] = "give a text of 1 to 200 characters, the same for retries of one submission"
    if errors:
        raise FieldErrors(errors)
    return CleanLead(fields, custom, key or submission_key(fields, custom), warnings)


def submission_key(fields: Mapping[str, Any], custom: Mapping[str, Any]) -> str:
    """Without an idempotency key, the same content is the same submission."""
    body = orjson.dumps([fields, custom], option=orjson.OPT_SORT_KEYS, default=str)
    return "content:" + hashlib.sha256(body).hexdigest()


def _text(value: Any) -> str:
    if isinstance(value, (dict, list)):
        raise ValueError("give text, not a list or object")
    text = str(value).strip()
    if _EXTRA_SPACE.search(text):
        text = " ".join(text.split())
    if len(text) > MAX_TEXT:
        raise ValueError(f"too long ({len(text)} characters); at most {MAX_TEXT}")
    return text


def _email(value: Any) -> str:
    text = _text(value).lower()
    if not _EMAIL.match(text):
        raise ValueError(f"{text!r} is not an email address; write it like ann@example.com")
    return text


def _phone(value: Any) -> str:
    text = _text(value)
    if len(_DIGIT.findall(text)) < 5 or _NOT_PHONE.search(text.lower()):
        raise ValueError(f"{text!r} is not a phone number; write it like +1 212 555 0100")
    return text


def _employees(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("give a whole number of employees, like 250")
    if isinstance(value, (int, float)) and value >= 0:
        return int(value)
    match = _EMPLOYEES.match(str(value))
    if not match:
        raise ValueError(f"{value!r} is not a number of employees; write it like 250 (a range like 200-499 counts its low end)")
    return int(_SEPARATORS.sub("", match.group(1)))


def _host(text: str) -> str:
    """The host of a web address, lower case, without www: "https://www.Acme.com/about" -> "acme.com"."""
    match = _HOST.match(text)
    return (match.group(1) if match else "").lower().removeprefix("www.")


def _website(value: Any) -> str:
    text = _text(value)
    if not _DOMAIN.match(_host(text)):
        raise ValueError(f"{text!r} is not a web address; write it like acme.com or https://acme.com")
    return text


def _domain(value: Any) -> str:
    host = _host(_text(value))
    if not _DOMAIN.match(host):
        raise ValueError(f"{value!r} is not a domain; write it like acme.com")
    return host


def _slug(value: Any) -> str:
    return _text(value).lower().replace(" ", "_").replace("-", "_")


_CLEANERS = {"email": _email, "phone": _phone, "employees": _employees, "website": _website, "domain": _domain,
             "lead_type": _slug}


def _fill_derived(fields: dict[str, Any], custom: dict[str, Any], warnings: list[str]) -> None:
    """Company domain from the website or a business email; country names to ISO codes."""
    if "domain" not in fields and "website" in fields:
        fields["domain"] = _domain(fields["website"])
    email = fields.get("email")
    if "domain" not in fields and email and email.rpartition("@")[2] not in FREE_MAIL_DOMAINS:
        fields["domain"] = email.rpartition("@")[2]
    if "country" in fields:
        code = country_code(fields["country"])
        if code is None:
            warnings.append(f"country: {fields['country']!r} is not a known country; kept under custom.country_given")
            custom["country_given"] = fields.pop("country")
        else:
            fields["country"] = code


@lru_cache(maxsize=4096)
def _custom_key_ok(key: object) -> bool:
    return bool(_CUSTOM_KEY.match(str(key)))


def _custom(value: Any, errors: dict[str, str]) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors["custom"] = "give an object of name: value pairs"
        return {}
    if len(value) > MAX_CUSTOM:
        errors["custom"] = f"{len(value)} custom fields; at most {MAX_CUSTOM}"
        return {}
    custom = {}
    for key, item in value.items():
        if not _custom_key_ok(key):
            errors[f"custom.{key}"] = "a custom field name is lower case letters, digits and _, starting with a letter"
        elif item is not None and not isinstance(item, (str, int, float, bool)):
            errors[f"custom.{key}"] = "a custom value is text, a number, true/false or null"
        elif isinstance(item, str) and len(item) > 2000:
            errors[f"custom.{key}"] = "too long; at most 2000 characters"
        else:
            custom[str(key)] = item
    return custom


def merge(current: Mapping[str, Any], clean: CleanLead) -> dict[str, tuple[Any, Any]]:
    """What a new submission changes on a known lead: newer values win, empty ones never erase, first touch stays."""
    changes: dict[str, tuple[Any, Any]] = {}
    for name, value in clean.fields.items():
        before = current.get(name)
        if before == value or (name in FIRST_TOUCH and before not in (None, "")):
            continue
        changes[name] = (before, value)
    old_custom = current.get("custom") or {}
    new_custom = {**old_custom, **clean.custom}
    if new_custom != old_custom:
        changes["custom"] = (old_custom, new_custom)
    return changes
