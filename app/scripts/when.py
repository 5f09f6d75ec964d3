"""A moment said as people say it, in their own time zone: "tomorrow at 9:00", never a UTC timestamp."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

# today / tomorrow / a weekday within the week / a date, each followed by the time.
_WORDS: dict[str, dict[str, object]] = {
    "ru": {"today": "сегодня в {t}", "tomorrow": "завтра в {t}", "day": "{d} в {t}", "date": "{n} {m} в {t}",
           "days": ("в понедельник", "во вторник", "в среду", "в четверг", "в пятницу", "в субботу", "в воскресенье"),
           "months": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
                      "октября", "ноября", "декабря")},
    "kk": {"today": "бүгін сағат {t}", "tomorrow": "ертең сағат {t}", "day": "{d} сағат {t}",
           "date": "{n} {m} сағат {t}",
           "days": ("дүйсенбі", "сейсенбі", "сәрсенбі", "бейсенбі", "жұма", "сенбі", "жексенбі"),
           "months": ("қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз", "қыркүйек",
                      "қазан", "қараша", "желтоқсан")},
    "uz": {"today": "bugun soat {t} da", "tomorrow": "ertaga soat {t} da", "day": "{d} kuni soat {t} da",
           "date": "{n}-{m} soat {t} da",
           "days": ("dushanba", "seshanba", "chorshanba", "payshanba", "juma", "shanba", "yakshanba"),
           "months": ("yanvar", "fevral", "mart", "aprel", "may", "iyun", "iyul", "avgust", "sentabr", "oktabr",
                      "noyabr", "dekabr")},
    "en": {"today": "today at {t}", "tomorrow": "tomorrow at {t}", "day": "on {d} at {t}", "date": "on {n} {m} at {t}",
           "days": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
           "months": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                      "October", "November", "December")},
}  # fmt: skip


def say_when(moment: datetime, now: datetime, timezone: str, language: str | None) -> str:
    """``moment`` in words for someone living in ``timezone``, relative to ``now`` (both tz-aware)."""
    words = _WORDS.get(language or "", _WORDS["ru"])
    zone = ZoneInfo(timezone)
    local, today = moment.astimezone(zone), now.astimezone(zone).date()
    clock = f"{local.hour}:{local.minute:02d}"
    days_ahead = (local.date() - today).days
    if days_ahead <= 0:
        return str(words["today"]).format(t=clock)
    if days_ahead == 1:
        return str(words["tomorrow"]).format(t=clock)
    if days_ahead < 7:
        return str(words["day"]).format(d=words["days"][local.weekday()], t=clock)  # type: ignore[index]
    return str(words["date"]).format(n=local.day, m=words["months"][local.month - 1], t=clock)  # type: ignore[index]
