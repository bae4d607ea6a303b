"""Validate and normalise incoming lead data, and merge a new submission into a known lead."""

from __future__ import annotations

import difflib
import hashlib
import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import orjson

from leadpact.core.countries import country_code
from leadpact.core.errors import FieldErrors, LeadpactError
from leadpact.core.fields import CONTACT_FIELDS, FREE_MAIL_DOMAINS

_EMAIL = re.compile(r"^[^@\s,;<>()\[\]\"]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")
_DOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")
_CUSTOM_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_HOST = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:[^@/?#]*@)?([^:/?#\s]+)", re.IGNORECASE)
_EXTRA_SPACE = re.compile(r"\s\s|[\t\n\r\f\v]")
_DIGIT = re.compile(r"\d")
_NOT_PHONE = re.compile(r"[^\d\s()+./x-]")
_EMPLOYEES = re.compile(r"^\s*(\d[\d,. ']*?)\s*(?:[-–—]\s*\d[\d,. ']*|\+)?\s*$")
# 1,200 / 1.200 / 12 500 000: a separator followed by groups of exactly three digits; then maybe a decimal part.
_GROUPED = re.compile(r"^(?:(?P<grouped>\d{1,3}(?P<sep>[,. '])\d{3}(?:(?P=sep)\d{3})*)(?!\d)|(?P<plain>\d+))"
                      r"(?:(?P<point>[.,])\d+)?$")
_NOT_KEY_CHAR = re.compile(r"[^A-Za-z0-9_]")
# First touch wins for attribution: a later submission never overwrites these.
FIRST_TOUCH = ("source", "campaign", "medium")
MAX_TEXT = 255
MAX_LEAD_TYPE = 64
# The longest text the intake keeps per field, the same as the column that stores it (a test holds them equal).
TEXT_LIMITS = {**{name: MAX_TEXT for name, (kind, _) in CONTACT_FIELDS.items() if kind == "string"},
               "lead_type": MAX_LEAD_TYPE, "country": 2}
MAX_EMPLOYEES = 10_000_000  # the largest employers have about two million
MAX_CUSTOM = 100
MAX_CUSTOM_KEY = 64
MAX_CUSTOM_VALUE = 1000
MAX_WHOLE = 2**53 - 1  # the largest whole number every JSON reader keeps exact
MAX_KEY = 200
IDENTITY_FIELDS = ("email", "external_id")
ACCEPTED_KEYS = set(CONTACT_FIELDS) | {"custom", "idempotency_key"}
NUL_MESSAGE = "contains a NUL character (\\u0000); remove it"


class IdempotencyConflict(LeadpactError):
    """An idempotency key sent again with other content: which of the two submissions is meant is unknown."""

    def __init__(self, key: str):
        self.key = key
        super().__init__(f"idempotency_key {key} was used for another submission; use a new key")


@dataclass
class CleanLead:
    """A submission after validation: contact fields, custom fields, its idempotency key and any warnings.
    `idempotency_key` is the key the sender gave (`key_given`) or else the content key; `payload_hash` says
    what the submission contains, so that a key used again for other content is caught."""

    fields: dict[str, Any]
    custom: dict[str, Any]
    idempotency_key: str
    warnings: list[str] = field(default_factory=list)
    payload_hash: str = ""
    key_given: bool = False


def normalise_lead(raw: Mapping[str, Any], lead_types: Collection[str]) -> CleanLead:
    """Check every field and normalise it; raise FieldErrors naming each bad field and its fix.
    A missing lead_type stays missing here: a new lead gets the pact's default type, a known lead keeps its own."""
    if not isinstance(raw, Mapping):
        raise FieldErrors({"row": 'give an object of field: value pairs, like {"email": "ann@example.com"}'})
    errors = _unknown_keys(raw)
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
    if key is not None and (not isinstance(key, str) or not 0 < len(key) <= MAX_KEY or "\x00" in key):
        errors["idempotency_key"] = (f"give a text of 1 to {MAX_KEY} characters (no \\u0000), the same for retries "
                                     "of one submission")
    if errors:
        raise FieldErrors(errors)
    payload = payload_hash(fields, custom)
    return CleanLead(fields, custom, key or "content:" + payload, warnings, payload, key is not None)


def normalise_form_lead(raw: Mapping[str, Any], lead_types: Collection[str]) -> CleanLead:
    """Like normalise_lead, for a person's form post, which has no way to send a correction: a bad optional
    value is kept as sent under custom.<field>_as_sent with a warning. Only a missing or bad identity (email,
    external_id) refuses the lead."""
    row, warnings = raw, []
    for _ in range(3):  # a value set aside may reveal another (the first 100 of too many custom fields)
        try:
            clean = normalise_lead(row, lead_types)
        except FieldErrors as err:
            row, aside = set_aside(row, err.errors)
            warnings += aside
            continue
        clean.warnings[:0] = warnings
        return clean
    return normalise_lead(row, lead_types)


def set_aside(raw: Mapping[str, Any], errors: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
    """The row with each field named in `errors` moved under custom.<name>_as_sent (as text, without NUL, cut to
    fit), and a warning for each; raise FieldErrors with every error if one concerns the lead's identity."""
    if any(name in (*IDENTITY_FIELDS, "row") for name in errors):
        raise FieldErrors(dict(errors))
    row = {name: value for name, value in raw.items() if name not in errors and name != "custom"}
    given = raw.get("custom")
    custom = dict(given) if isinstance(given, Mapping) else {}
    warnings = []
    for name, message in errors.items():
        if name == "custom" and isinstance(given, Mapping):
            continue  # too many of them: the first ones are kept below
        value = custom.pop(name.removeprefix("custom."), None) if name.startswith("custom.") else raw.get(name)
        if value is not None:
            key = _as_sent_key(name.removeprefix("custom."))
            custom[key] = _as_sent(value)
            warnings.append(f"{name}: {message}; kept as sent under custom.{key}")
    if len(custom) > MAX_CUSTOM:
        dropped = list(custom)[MAX_CUSTOM:]
        custom = {name: custom[name] for name in list(custom)[:MAX_CUSTOM]}
        warnings.append(f"custom: {len(dropped)} fields over the {MAX_CUSTOM} a lead keeps were left out: "
                        f"{', '.join(dropped[:10])}")
    return ({**row, "custom": custom} if custom else row), warnings


def _as_sent_key(name: str) -> str:
    key = _NOT_KEY_CHAR.sub("_", name) or "field"
    key = key if key[0].isalpha() else f"f_{key}"
    return key[: MAX_CUSTOM_KEY - len("_as_sent")] + "_as_sent"


def _as_sent(value: Any) -> str:
    text = (value if isinstance(value, str) else str(value)).replace("\x00", "")
    return text[: MAX_CUSTOM_VALUE - 1] + "…" if len(text) > MAX_CUSTOM_VALUE else text


def _unknown_keys(raw: Mapping[str, Any]) -> dict[str, str]:
    errors = {}
    for key in raw:
        if key not in ACCEPTED_KEYS:
            near = difflib.get_close_matches(str(key), ACCEPTED_KEYS, n=1)
            errors[str(key)] = f"unknown field; {'did you mean ' + repr(near[0]) + '? ' if near else ''}put free fields under custom"
    return errors


def payload_hash(fields: Mapping[str, Any], custom: Mapping[str, Any]) -> str:
    """What a submission says, as a sha256: the same normalised fields and custom fields give the same hash.
    Without an idempotency key, it is the key ("content:<hash>"): the same content is the same submission."""
    body = orjson.dumps([fields, custom], option=orjson.OPT_SORT_KEYS, default=str)
    return hashlib.sha256(body).hexdigest()


def _text(value: Any, limit: int = MAX_TEXT) -> str:
    if isinstance(value, (dict, list)):
        raise ValueError("give text, not a list or object")
    text = str(value).strip()
    if _EXTRA_SPACE.search(text):
        text = " ".join(text.split())
    if "\x00" in text:
        raise ValueError(NUL_MESSAGE)
    if len(text) > limit:
        raise ValueError(f"too long ({len(text)} characters); at most {limit}")
    return text


def clean_email(value: Any) -> str:
    """An email address trimmed and lower-cased; ValueError saying how to write it."""
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
    """250, "250", "1,200", "1.200", "250.0" (-> 250), "1.5" (-> 1), "200-499" (-> 200), "500+" (-> 500)."""
    if isinstance(value, bool):
        raise ValueError("give a whole number of employees, like 250")
    if isinstance(value, (int, float)) and (value < 0 or (isinstance(value, float) and not math.isfinite(value))):
        raise ValueError(f"{value!r} is not a number of employees; write it like 250")
    count = int(value) if isinstance(value, (int, float)) else _employees_text(str(value))
    if count > MAX_EMPLOYEES:
        raise ValueError(f"{value!r} is more employees than any company has; give at most {MAX_EMPLOYEES:,}")
    return count


def _employees_text(text: str) -> int:
    match = _EMPLOYEES.match(text)
    number = _GROUPED.match(match.group(1)) if match else None
    if number is None or (number["grouped"] and number["point"] == number["sep"]):
        raise ValueError(f"{text!r} is not a number of employees; write it like 250 (a range like 200-499 counts "
                         "its low end)")
    if number["grouped"]:
        return int(number["grouped"].replace(number["sep"], ""))
    return int(number["plain"])


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
    return _text(value, MAX_LEAD_TYPE).lower().replace(" ", "_").replace("-", "_")


_CLEANERS = {"email": clean_email, "phone": _phone, "employees": _employees, "website": _website, "domain": _domain,
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


def _custom_key_problem(key: object) -> str | None:
    if isinstance(key, str) and len(key) > MAX_CUSTOM_KEY:
        return f"a custom field name is at most {MAX_CUSTOM_KEY} characters; this one has {len(key)}"
    if not _custom_key_ok(key):
        return "a custom field name is letters, digits and _, starting with a letter"
    return None


@lru_cache(maxsize=4096)
def _custom_key_ok(key: object) -> bool:
    return isinstance(key, str) and bool(_CUSTOM_KEY.match(key))


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
        problem = _custom_key_problem(key) or _scalar_problem(item)
        if problem is None and isinstance(item, str) and len(item) > MAX_CUSTOM_VALUE:
            problem = f"too long ({len(item)} characters); at most {MAX_CUSTOM_VALUE}"
        if problem:
            errors[f"custom.{key}"] = problem
        else:
            custom[key] = item
    return custom


def _scalar_problem(value: Any) -> str | None:
    """Why a plain JSON value cannot be stored everywhere (PostgreSQL refuses \\u0000, JSON has no NaN), or None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return None if abs(value) <= MAX_WHOLE else f"{value} is too large; give numbers up to {MAX_WHOLE:,} or text"
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{value} is not a number; give a finite number or null"
    if isinstance(value, str):
        return NUL_MESSAGE if "\x00" in value else None
    return "a custom value is text, a number, true/false or null"


def json_problem(value: Any, max_chars: int, depth: int = 0) -> str | None:
    """Why a JSON value (objects and lists too) cannot be stored, or None: no \\u0000, finite numbers up to
    2**53, at most 16 levels deep and `max_chars` characters as JSON. The problem names where it is."""
    if depth > 16:
        return "nested too deeply; at most 16 levels"
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else None
    if items is None:
        return _scalar_problem(value)
    for key, item in items:
        problem = (_scalar_problem(key) if isinstance(key, str) else None) or json_problem(item, max_chars, depth + 1)
        if problem:
            return f"{key}: {problem}"
    size = len(orjson.dumps(value)) if depth == 0 else 0
    return f"too large ({size:,} characters as JSON); at most {max_chars:,}" if size > max_chars else None


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
