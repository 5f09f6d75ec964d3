"""What a phone number may tell us: a coarse country, and nothing else is ever kept."""

from __future__ import annotations

PHONE_PREFIX_COUNTRY = (
    ("+998", "UZ"), ("+996", "KG"), ("+992", "TJ"), ("+993", "TM"), ("+971", "AE"),
    ("+90", "TR"), ("+82", "KR"), ("+77", "KZ"), ("+76", "KZ"), ("+7", "RU"),
)  # fmt: skip


def country_of_phone(number: str) -> str | None:
    """Coarse country from a phone prefix; used only to pick emergency numbers."""
    for prefix, country in PHONE_PREFIX_COUNTRY:
        if number.startswith(prefix):
            return country
    return None
