"""Server-side SVG charts for the dashboard: no JavaScript, no CDN, no inline style.

Colours come from classes in static/css/reports.css (series-1, series-2, ...); geometry from
SVG presentation attributes. Every chart is an <svg role="img"> with a title and a description
listing the values, and each bar or point carries a <title> (the value on hover / for screen
readers), so no meaning rests on colour alone; the page shows the same figures as a table.
"""

from __future__ import annotations

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 28, 48


def _nice_max(value: int) -> int:
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = int(step * magnitude)
        if top >= value:
            return top
    return int(10 * magnitude)


def _frame(title: str, desc: str, body: list[str], legend: list[tuple[str, str]]) -> Markup:
    legend_svg = []
    x = LEFT
    for label, css in legend:
        legend_svg.append(f'<rect x="{x}" y="6" width="14" height="14" class="{css}"/>'
                          f'<text x="{x + 20}" y="18" class="chart-legend">{escape(label)}</text>')
        x += 28 + 14 * len(label)
    return Markup(  # noqa: S704 - every text and label in it went through escape()
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title><desc>{escape(desc)}</desc>'
        + "".join(legend_svg) + "".join(body) + "</svg>")


def _axis(top_value: int, fmt) -> list[str]:
    out = []
    plot_h = HEIGHT - TOP - BOTTOM
    for i in range(5):
        value = top_value * i // 4
        y = HEIGHT - BOTTOM - plot_h * i / 4
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="chart-grid"/>'
                   f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="chart-axis">'
                   f'{escape(fmt(value))}</text>')
    return out


def bars(title: str, categories: list[str], series: list[tuple[str, list[int]]], *,
         fmt=str) -> Markup:
    """Grouped bars: one group per category, one bar per series."""
    top_value = _nice_max(max((v for _l, vals in series for v in vals), default=0))
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    group_w = plot_w / max(1, len(categories))
    bar_w = max(2.0, group_w * 0.8 / max(1, len(series)))
    body = _axis(top_value, fmt)
    for ci, cat in enumerate(categories):
        gx = LEFT + ci * group_w + group_w * 0.1
        for si, (label, values) in enumerate(series):
            v = values[ci]
            h = plot_h * max(0, v) / top_value
            x = gx + si * bar_w
            y = HEIGHT - BOTTOM - h
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 1:.1f}" height="{h:.1f}" '
                        f'class="series-{si + 1}"><title>{escape(cat)} {escape(label)}: '
                        f'{escape(fmt(v))}</title></rect>')
        body.append(f'<text x="{gx + group_w * 0.4:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" '
                    f'class="chart-axis">{escape(cat)}</text>')
    desc = "; ".join(f"{cat}: " + ", ".join(f"{label} {fmt(vals[i])}" for label, vals in series)
                     for i, cat in enumerate(categories))
    return _frame(title, desc, body, [(label, f"series-{i + 1}") for i, (label, _v) in enumerate(series)])


def line(title: str, categories: list[str], label: str, values: list[float | None], *,
         top_value: int = 100, fmt=lambda v: f"{v}%") -> Markup:
    """One line with points (a gap where a value is missing)."""
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(categories))
    body = _axis(top_value, fmt)
    points = []
    for i, (cat, v) in enumerate(zip(categories, values, strict=True)):
        x = LEFT + step * i + step / 2
        body.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" class="chart-axis">'
                    f'{escape(cat)}</text>')
        if v is None:
            continue
        y = HEIGHT - BOTTOM - plot_h * min(v, top_value) / top_value
        points.append(f"{x:.1f},{y:.1f}")
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" class="series-1">'
                    f'<title>{escape(cat)}: {escape(fmt(v))}</title></circle>')
    if len(points) > 1:
        body.insert(5, f'<polyline points="{" ".join(points)}" class="chart-line series-1-line" fill="none"/>')
    desc = "; ".join(f"{c}: {fmt(v) if v is not None else '—'}" for c, v in zip(categories, values, strict=True))
    return _frame(title, desc, body, [(label, "series-1")])
