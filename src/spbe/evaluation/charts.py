"""Small server-rendered SVG charts (no JavaScript build): radar and trend line."""

from __future__ import annotations

import math
from html import escape

from django.utils.safestring import mark_safe

PALETTE = ["#0d6efd", "#dc3545", "#198754", "#fd7e14", "#6f42c1"]


def radar(labels: list[str], series: list[tuple[str, list[float]]], maximum: float = 5.0, size: int = 340):
    """Radar chart: one axis per label (domains or aspects), one polygon per series."""
    width = size + 160  # room for horizontal labels on both sides
    cx, cy = width / 2, size / 2
    radius = size / 2 - 50
    n = len(labels)

    def point(i: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        r = radius * value / maximum
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    parts = [f'<svg viewBox="0 0 {width} {size}" width="100%" role="img" aria-label="radar" class="chart-radar">']
    for ring in range(1, int(maximum) + 1):
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, ring) for i in range(n)))
        parts.append(f'<polygon points="{pts}" fill="none" stroke="#dee2e6"/>')
    for i, label in enumerate(labels):
        x, y = point(i, maximum)
        lx, ly = point(i, maximum + 0.6)
        parts.append(f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" stroke="#dee2e6"/>')
        anchor = "middle" if abs(lx - cx) < 5 else ("start" if lx > cx else "end")
        parts.append(f'<text x="{lx:.1f}" y="{ly + 4:.1f}" font-size="12" text-anchor="{anchor}">{escape(label)}</text>')
    for k, (name, values) in enumerate(series):
        color = PALETTE[k % len(PALETTE)]
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v) for i, v in enumerate(values)))
        parts.append(
            f'<polygon points="{pts}" fill="{color}" fill-opacity="0.15" stroke="{color}" stroke-width="2">'
            f"<title>{escape(name)}</title></polygon>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def trend(points: list[tuple[int, float]], maximum: float = 5.0, width: int = 520, height: int = 220, label: str = ""):
    """Line chart of index by year, with value labels in the reader's number format."""
    from django.utils import formats
    from django.utils.translation import gettext as _

    if not points:
        return ""
    left, right, top, bottom = 36, 16, 16, 28
    inset = 24  # keep the first and last points clear of the axis labels
    years = [p[0] for p in points]
    span = max(years) - min(years) or 1

    def xy(year: int, value: float) -> tuple[float, float]:
        x = left + inset + (year - min(years)) / span * (width - left - right - 2 * inset)
        y = top + (1 - value / maximum) * (height - top - bottom)
        return x, y

    name = escape(str(label or _("Index by year")))
    parts = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{name}" class="chart-trend">']
    for level in range(0, int(maximum) + 1):
        _, y = xy(min(years), level)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#eee"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{level}</text>')
    coords = [xy(year, value) for year, value in points]
    parts.append(
        '<polyline fill="none" stroke="#0d6efd" stroke-width="2" points="'
        + " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        + '"/>'
    )
    for (year, value), (x, y) in zip(points, coords, strict=True):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="#0d6efd"/>')
        parts.append(f'<text x="{x:.1f}" y="{y - 8:.1f}" font-size="10" text-anchor="middle">{formats.number_format(value, 2)}</text>')
        parts.append(f'<text x="{x:.1f}" y="{height - 8}" font-size="10" text-anchor="middle">{year}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
