"""Confusion-matrix picture: matplotlib when installed, else a plain heat-map PNG written by hand."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any


def _png(path: Path, pixels: list[list[tuple[int, int, int]]]) -> None:
    height, width = len(pixels), len(pixels[0])
    raw = b"".join(b"\x00" + bytes(c for px in row for c in px) for row in pixels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def _plain(report: dict[str, Any], path: Path, cell: int = 16) -> None:
    """Rows = gold, columns = predicted, in report['labels'] order; darker = more (row-normalised)."""
    labels = report["labels"]
    conf = report["confusion"]
    size = len(labels) * cell
    pixels = [[(255, 255, 255)] * size for _ in range(size)]
    for r, gold in enumerate(labels):
        total = sum(conf[gold].values()) or 1
        for c, pred in enumerate(labels):
            share = conf[gold][pred] / total
            shade = int(255 * (1 - share))
            colour = (shade, shade, 255) if r == c else (255, shade, shade)
            for y in range(r * cell + 1, (r + 1) * cell - 1):
                for x in range(c * cell + 1, (c + 1) * cell - 1):
                    pixels[y][x] = colour
    _png(path, pixels)


def plot_confusion(report: dict[str, Any], path: Path) -> str:
    """Write the picture; returns which renderer drew it."""
    path = Path(path)
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        _plain(report, path)
        return "plain"
    labels = report["labels"]
    matrix = [[report["confusion"][g][p] for p in labels] for g in labels]
    fig, ax = plt.subplots(figsize=(10, 9))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=90)
    ax.set_yticks(range(len(labels)), labels)
    for r, row in enumerate(matrix):
        for c, val in enumerate(row):
            if val:
                ax.text(c, r, str(val), ha="center", va="center", fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return "matplotlib"
