"""The API's shapes for leads and signals (documentation and responses; validation is the core's)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict, create_model

from leadpact.core.fields import CONTACT_FIELDS

_JSON_TYPES = {"number": ["integer", "string", "null"], "string": ["string", "null"]}
_EXAMPLES = {"email": "ann.lee@globex.example", "title": "VP Sales", "company": "Globex", "employees": 250,
             "country": "US", "lead_type": "demo_request"}
_NOTES = {
    "email": "Required unless external_id is given; the same email is the same person.",
    "employees": "A number up to 10,000,000; a range like 200-499 counts its low end, 250.0 counts 250.",
    "country": "An ISO code or a name (Germany, DEU, DE).",
    "website": "Its host becomes the company domain.",
    "lead_type": "A lead type of the pact in force; a new lead without one gets the type marked `default: true` "
                 "(a known lead keeps its own).",
    "source": "First touch: kept when the lead comes again.",
    "external_id": "The record's id in another system; the same id is the same lead.",
}


def _lead_field(name: str, kind: str, label: str) -> Any:
    extra: dict[str, Any] = {"type": _JSON_TYPES.get(kind, ["string", "null"])}
    if name in _EXAMPLES:
        extra["examples"] = [_EXAMPLES[name]]
    return (Any, Field(None, title=label, description=_NOTES.get(name, label), json_schema_extra=extra))


# Every field is accepted as sent and checked by the core, so that a batch reports each bad row by index
# instead of refusing the whole request. Text is at most 255 characters and never contains \u0000.
class _OpenSchema(BaseModel):
    """Keeps fields it does not declare, so that the core can name them ("unknown field; did you mean ...")."""

    model_config = ConfigDict(extra="allow")


LeadIn = create_model(
    "LeadIn",
    __base__=_OpenSchema,
    __doc__="One lead. Only email (or external_id) is required; every other field makes the score better.",
    **{name: _lead_field(name, kind, label) for name, (kind, label) in CONTACT_FIELDS.items()},
    custom=(Any, Field(None, description="Free fields: name -> text (at most 1,000 characters), number, true/false "
                                         "or null; at most 100, each name letters, digits and _ (at most 64).",
                       json_schema_extra={"type": "object"})),
    idempotency_key=(Any, Field(None, description="The same key again from the same sender is the same submission "
                                                  "(200, duplicate); the same key with other content is refused "
                                                  "(409; a rejected row in a batch). Without a key, the same content "
                                                  "is a duplicate while the lead still holds it.",
                                json_schema_extra={"type": ["string", "null"]})),
)


def _any_row(model: type[BaseModel]) -> Any:
    """A row documented as `model` but taken as sent, so that a row that is not an object is reported by index."""
    return Annotated[model | Any, Field(union_mode="left_to_right")]


class LeadBatchIn(Schema):
    leads: list[_any_row(LeadIn)] = Field(..., max_length=1000)  # type: ignore[valid-type]


class IntakeOut(Schema):
    index: int
    status: str = Field(..., description="created | merged | unchanged | duplicate | rejected")
    lead_id: int | None
    stage: str | None
    errors: dict[str, str]
    warnings: list[str]


class BatchOut(Schema):
    created: int
    merged: int
    unchanged: int
    duplicate: int
    rejected: int
    results: list[IntakeOut]


class SignalIn(_OpenSchema):
    """One signal; checked by the service, so that each bad row is reported by its index."""

    email: Any = Field(None, description="The lead's email (the lead must be known).",
                       json_schema_extra={"type": "string"})
    signal: Any = Field(None, examples=["webinar_attended"], description="A name in lower case.",
                        json_schema_extra={"type": "string"})
    at: Any = Field(None, description="When it happened, with a timezone (default: now).",
                    json_schema_extra={"type": ["string", "null"], "format": "date-time"})
    properties: Any = Field(None, description="Any JSON object, at most 10,000 characters.",
                            json_schema_extra={"type": ["object", "null"]})
    idempotency_key: Any = Field(None, description="The same key again is the same signal. Without one, the same "
                                                   "email, signal, at and properties again count once.",
                                 json_schema_extra={"type": ["string", "null"]})


class SignalBatchIn(Schema):
    signals: list[_any_row(SignalIn)] = Field(..., max_length=10000)  # type: ignore[valid-type]


class ErrorOut(Schema):
    """What went wrong and how to fix it: a text, or for bad input a list of {loc, msg, type}."""

    detail: Any


class SignalOut(Schema):
    index: int
    status: str = Field(..., description="recorded | duplicate | rejected")
    lead_id: int | None
    points: int
    errors: dict[str, str]
    warnings: list[str]


class SignalBatchOut(Schema):
    recorded: int
    duplicate: int
    rejected: int
    results: list[SignalOut]


class ReasonOut(Schema):
    kind: str
    rule: str
    points: float
    why: str
    at: dt.datetime | None


class EventOut(Schema):
    at: dt.datetime
    kind: str
    actor: str
    transition: str
    from_stage: str
    to_stage: str
    reason: str
    note: str
    pact_version: int | None
    before: dict[str, Any]
    after: dict[str, Any]
    data: dict[str, Any]


class LeadOut(Schema):
    id: int
    email: str | None
    external_id: str | None
    first_name: str
    last_name: str
    title: str
    company: str
    domain: str
    employees: int | None
    country: str
    lead_type: str
    source: str
    campaign: str
    stage: str
    owner: str | None
    team: str
    fit: int
    engagement: float
    is_returning: bool
    rounds: int
    pact_version: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


class LeadDetailOut(LeadOut):
    phone: str
    website: str
    industry: str
    state: str
    medium: str
    custom: dict[str, Any]
    reasons: list[ReasonOut]
    history: list[EventOut]


class TransitionIn(Schema):
    transition: str = Field(..., examples=["reject"], description="accept, reject, recycle, disqualify, ...")
    reason: str = Field("", examples=["not_our_icp"], description="From the pact's list for that transition.")
    note: str = ""
    owner: str = Field("", examples=["dee@acme.example"], description="assign: the new owner's email.")
