"""Small SVG charts drawn on the server: no JavaScript library, nothing fetched by the browser.

The SVG scales to its container through the viewBox, so its text shrinks with it: the default widths
are a phone's (360), where a label stays about its own size; a wider screen draws it larger. Labels
are thinned and shortened by the room they have, so none overlap. Callers may still pass any width.
"""

from __future__ import annotations

import math

from markupsafe import Markup, escape

BLUE, RED, GRID, TEXT = "#0b5cad", "#b3261e", "#d9dee3", "#5f6b76"
PHONE_WIDTH = 360
# An average glyph is about this share of the font size wide (sans-serif, Latin and Cyrillic).
GLYPH = 0.6


def _fit(label: str, room: float, font: int) -> str:
    """The label cut to the room it has (with an ellipsis), so it never runs into its neighbour."""
    most = max(int(room / (font * GLYPH)), 1)
    return label if len(label) <= most else label[: max(most - 1, 1)] + "…"


def stacked_bars(series: list[tuple[str, int, int]], title: str, urgent_label: str, width: int = PHONE_WIDTH,
                 height: int = 200) -> Markup:  # fmt: skip
    """Bars per label (total, of which urgent in red); scales to its container through the viewBox."""
    left, bottom, top, font = 36, 28, 12, 11
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = max((total for _, total, _ in series), default=0) or 1
    step = plot_w / max(len(series), 1)
    bar = max(step * 0.7, 2)
    parts = [(f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
              f'xmlns="http://www.w3.org/2000/svg" font-size="{font}" font-family="sans-serif">'),
             f"<title>{escape(title)}</title>",
             f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 8}" y2="{top + plot_h}" stroke="{GRID}"/>',
             f'<text x="{left - 4}" y="{top + 4}" text-anchor="end" fill="{TEXT}">{peak}</text>',
             f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" fill="{TEXT}">0</text>']  # fmt: skip
    # As many labels as fit side by side, evenly spaced; the rest are in each bar's tooltip.
    longest = max((len(label) for label, _, _ in series), default=1)
    fits = max(int(plot_w // (longest * font * GLYPH + 6)), 1)
    every = max(1, math.ceil(len(series) / fits))
    for i, (label, total, urgent) in enumerate(series):
        x = left + i * step + (step - bar) / 2
        h_total = plot_h * total / peak
        h_urgent = plot_h * urgent / peak
        tip = escape(f"{label}: {total} ({urgent_label}: {urgent})")
        parts.append(f'<g><title>{tip}</title>'
                     f'<rect x="{x:.1f}" y="{top + plot_h - h_total:.1f}" width="{bar:.1f}" height="{h_total:.1f}" fill="{BLUE}"/>'
                     f'<rect x="{x:.1f}" y="{top + plot_h - h_urgent:.1f}" width="{bar:.1f}" height="{h_urgent:.1f}" fill="{RED}"/></g>')  # fmt: skip
        if i % every == 0:
            shown = _fit(label, step * every - 4, font)
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{height - 10}" text-anchor="middle" fill="{TEXT}">{escape(shown)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def horizontal_bars(items: list[tuple[str, int]], title: str, width: int = PHONE_WIDTH, row: int = 22) -> Markup:
    """One bar per item, label on the left (cut to its column, whole in the tooltip), count on the right."""
    items = items[:12]
    height = row * max(len(items), 1) + 8
    font = 12
    label_w, count_w = max(int(width * 0.42), 100), 40
    peak = max((n for _, n in items), default=0) or 1
    plot_w = width - label_w - count_w
    parts = [(f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
              f'xmlns="http://www.w3.org/2000/svg" font-size="{font}" font-family="sans-serif"><title>{escape(title)}</title>')]
    for i, (label, n) in enumerate(items):
        y = 4 + i * row
        w = plot_w * n / peak
        parts.append(f'<g><title>{escape(label)}: {n}</title>'
                     f'<text x="{label_w - 6}" y="{y + row * 0.65:.1f}" text-anchor="end" fill="{TEXT}">{escape(_fit(label, label_w - 10, font))}</text>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" fill="{BLUE}"/>'
                     f'<text x="{label_w + w + 4:.1f}" y="{y + row * 0.65:.1f}" fill="{TEXT}">{n}</text></g>')  # fmt: skip
    parts.append("</svg>")
    return Markup("".join(parts))


def narrow_bars(items: list[tuple[str, int | None, str]], title: str, width: int = 360, row: int = 38,
                withheld: int = 0) -> Markup:  # fmt: skip
    """Bars for a phone's width: each label on its own line above its bar, so long translated labels stay whole.

    ``items`` are (label, count or None, text shown at the bar's end); a None count is withheld (a small
    count) and drawn as a short pale bar of length ``withheld`` so nobody reads a number into it.
    """
    items = items[:15]
    height = row * max(len(items), 1) + 4
    peak = max([n for _, n, _ in items if n is not None] + [withheld, 1])
    plot_w = width - 56
    parts = [(f'<svg viewBox="0 0 {width} {height}" class="narrow" role="img" '
              f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" font-size="14" '
              f'font-family="sans-serif"><title>{escape(title)}</title>')]  # fmt: skip
    for i, (label, n, shown) in enumerate(items):
        y = 2 + i * row
        w = max(plot_w * (withheld if n is None else n) / peak, 2.0)
        text = label if len(label) <= 42 else label[:41] + "…"
        fill = BLUE if n is not None else GRID
        parts.append(f'<g><title>{escape(f"{label}: {shown}")}</title>'
                     f'<text x="0" y="{y + 14}" fill="{TEXT}">{escape(text)}</text>'
                     f'<rect x="0" y="{y + 19}" width="{w:.1f}" height="12" fill="{fill}"/>'
                     f'<text x="{w + 6:.1f}" y="{y + 30}" fill="{TEXT}">{escape(shown)}</text></g>')  # fmt: skip
    parts.append("</svg>")
    return Markup("".join(parts))
