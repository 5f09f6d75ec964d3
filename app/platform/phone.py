"""What a phone number may tell us: a coarse country, and nothing else is ever kept."""

from __future__ import annotations

from app.platform import languages as registry

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

# The clock a person lives by, per country (one zone each is close enough for "tomorrow at 9:00").
COUNTRY_TIMEZONE = {
    "RU": "Europe/Moscow", "TR": "Europe/Istanbul", "AE": "Asia/Dubai", "KR": "Asia/Seoul", "KZ": "Asia/Almaty",
    "KG": "Asia/Bishkek", "TJ": "Asia/Dushanbe", "UZ": "Asia/Tashkent", "TM": "Asia/Ashgabat",
}  # fmt: skip


def timezone_of(country: str | None, language: str | None) -> str:
    """The person's zone: their country's, else their language's home, else Almaty (where the team sits)."""
    home = registry.get(language)
    return COUNTRY_TIMEZONE.get(country or "") or (home.timezone if home else None) or "Asia/Almaty"
