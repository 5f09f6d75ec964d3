"""Where the person is, from the words they write: a city or country → an ISO country code.

The place names (ru, kk, uz in both scripts, en, Russian typed in Latin letters) are the referral
directory's table (``app/referrals/seed.yml``), matched as word stems so inflected forms count:
"в Москве", "Стамбулда", "Dubayda", "Ресейдемін", "v Moskve". The case keeps only the codes.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.referrals.service import find_place as _find


@dataclass(frozen=True, slots=True)
class Place:
    country: str
    city: str | None = None


def find_place(text: str) -> Place | None:
    """The city (else country) named in ``text``; None when it names neither."""
    city, country = _find(text.replace("ё", "е").replace("Ё", "Е"))
    return Place(country, city) if country else None
