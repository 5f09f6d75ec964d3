"""Times said as people say them, in their own zone."""

from __future__ import annotations

from datetime import UTC, datetime

from app.scripts.when import say_when

NOW = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)  # Monday 21:00 in Almaty


def test_tomorrow_morning_in_the_persons_own_time_zone() -> None:
    back = datetime(2026, 3, 3, 4, 0, tzinfo=UTC)  # 09:00 Almaty
    assert say_when(back, NOW, "Asia/Almaty", "ru") == "завтра в 9:00"
    assert say_when(back, NOW, "Europe/Moscow", "ru") == "завтра в 7:00"
    assert say_when(back, NOW, "Asia/Seoul", "kk") == "бүгін сағат 13:00"  # already 01:00 there
    assert say_when(back, NOW, "Asia/Tashkent", "uz") == "ertaga soat 9:00 da"


def test_later_in_the_week_and_later_still() -> None:
    assert say_when(datetime(2026, 3, 5, 4, 0, tzinfo=UTC), NOW, "Asia/Almaty", "ru") == "в четверг в 9:00"
    assert say_when(datetime(2026, 3, 15, 4, 0, tzinfo=UTC), NOW, "Asia/Almaty", "ru") == "15 марта в 9:00"
