"""The lead fields a pact can read, said once: their types and labels."""

from __future__ import annotations

from typing import Literal

FieldType = Literal["number", "string", "bool", "any"]

# Contact and company fields a lead arrives with (the intake schema).
CONTACT_FIELDS: dict[str, tuple[FieldType, str]] = {
    "email": ("string", "Email"),
    "first_name": ("string", "First name"),
    "last_name": ("string", "Last name"),
    "title": ("string", "Job title"),
    "phone": ("string", "Phone"),
    "company": ("string", "Company"),
    "website": ("string", "Website"),
    "domain": ("string", "Company domain"),
    "employees": ("number", "Employees"),
    "industry": ("string", "Industry"),
    "country": ("string", "Country (ISO code)"),
    "state": ("string", "State or region"),
    "lead_type": ("string", "Lead type"),
    "source": ("string", "Source"),
    "campaign": ("string", "Campaign"),
    "medium": ("string", "Medium"),
    "external_id": ("string", "External id"),
}

# Fields Leadpact derives; conditions may read them too.
DERIVED_FIELDS: dict[str, tuple[FieldType, str]] = {
    "email_domain": ("string", "Email domain"),
    "fit": ("number", "Fit score"),
    "engagement": ("number", "Engagement score"),
    "score": ("number", "Fit plus engagement"),
    "stage": ("string", "Stage"),
    "rounds": ("number", "Times the lead became an MQL before"),
    "is_returning": ("bool", "Came back from nurturing"),
}

CONDITION_FIELDS: dict[str, FieldType] = {
    name: kind for name, (kind, _) in {**CONTACT_FIELDS, **DERIVED_FIELDS}.items()
}

FREE_MAIL_DOMAINS = frozenset(
    """gmail.com googlemail.com yahoo.com yahoo.co.uk yahoo.fr yahoo.de ymail.com hotmail.com hotmail.co.uk
    hotmail.fr hotmail.de outlook.com live.com msn.com aol.com icloud.com me.com mac.com protonmail.com
    proton.me gmx.de gmx.net gmx.com web.de t-online.de mail.com mail.ru yandex.ru yandex.com zoho.com
    qq.com 163.com 126.com naver.com rediffmail.com libero.it orange.fr free.fr laposte.net wanadoo.fr
    seznam.cz wp.pl o2.pl bluewin.ch btinternet.com sky.com comcast.net verizon.net att.net sbcglobal.net
    fastmail.com hey.com tutanota.com""".split()
)
