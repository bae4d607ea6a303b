"""Country names and codes to ISO 3166-1 alpha-2, for intake normalisation."""

from __future__ import annotations

import unicodedata
from functools import cache

import pycountry

_ALIASES = {
    "usa": "US", "u.s.": "US", "u.s.a.": "US", "united states of america": "US", "america": "US",
    "uk": "GB", "u.k.": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "northern ireland": "GB", "south korea": "KR", "korea": "KR", "north korea": "KP",
    "russia": "RU", "iran": "IR", "vietnam": "VN", "syria": "SY", "laos": "LA", "bolivia": "BO",
    "venezuela": "VE", "tanzania": "TZ", "moldova": "MD", "czech republic": "CZ", "holland": "NL",
    "the netherlands": "NL", "uae": "AE", "taiwan": "TW", "ivory coast": "CI", "macedonia": "MK",
    "deutschland": "DE", "españa": "ES", "brasil": "BR", "schweiz": "CH", "österreich": "AT", "hong kong": "HK",
}


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


@cache
def _table() -> dict[str, str]:
    table: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("alpha_2", "alpha_3", "name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                table[_key(value)] = country.alpha_2
    table.update({_key(k): v for k, v in _ALIASES.items()})
    return table


def country_code(text: str) -> str | None:
    """ "Germany", "DEU", "de", "United Kingdom", "USA" -> ISO alpha-2; None when unknown."""
    return _table().get(_key(text))
