"""The small charts stay readable on a 360 px phone: text near its own size, labels that never overlap."""

from __future__ import annotations

import re

from app.web.charts import GLYPH, horizontal_bars, stacked_bars

PHONE_CONTENT = 328  # a 360 px screen less the page's side padding


def _on_phone(svg: str) -> float:
    """The font size in CSS pixels once the SVG is scaled to the phone's content width."""
    view_w = float(re.search(r'viewBox="0 0 (\d+)', svg).group(1))  # type: ignore[union-attr]
    font = float(re.search(r'font-size="(\d+)"', svg).group(1))  # type: ignore[union-attr]
    return font * PHONE_CONTENT / view_w


def _labels(svg: str) -> list[tuple[float, str]]:
    return [(float(x), text) for x, text in re.findall(r'<text x="([\d.]+)" y="[\d.]+" text-anchor="middle"[^>]*>([^<]*)</text>', svg)]


def test_text_is_at_least_ten_pixels_on_a_phone() -> None:
    weekly = stacked_bars([(f"{d:02d}.11", d, 1) for d in range(1, 27)], "Cases", "urgent")
    bars = horizontal_bars([("Telegram", 30), ("SMS", 4)], "Channels")
    assert _on_phone(weekly) >= 9.5 and _on_phone(bars) >= 10


def test_day_labels_are_thinned_so_none_overlap() -> None:
    svg = stacked_bars([(f"2026-11-{d:02d}", d, 0) for d in range(1, 31)], "Cases", "urgent")
    labels = _labels(svg)
    assert 2 <= len(labels) < 30
    for (x1, t1), (x2, t2) in zip(labels, labels[1:]):
        assert x2 - x1 >= (len(t1) + len(t2)) / 2 * 11 * GLYPH, (t1, t2)


def test_a_long_label_is_cut_to_its_column_and_whole_in_the_tooltip() -> None:
    name = "Қазақстан Республикасы Ішкі істер министрлігі"
    svg = horizontal_bars([(name, 3)], "Referrals")
    shown = re.search(r'text-anchor="end"[^>]*>([^<]*)</text>', svg).group(1)  # type: ignore[union-attr]
    assert shown.endswith("…") and len(shown) * 12 * GLYPH <= 0.42 * 360 and f"<title>{name}: 3</title>" in svg


def test_callers_may_still_ask_for_a_wide_chart() -> None:
    assert 'viewBox="0 0 640 220"' in stacked_bars([("a", 1, 0)], "t", "u", width=640, height=220)
    assert 'viewBox="0 0 640' in horizontal_bars([("a", 1)], "t", width=640)
